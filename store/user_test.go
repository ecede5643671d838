package store_test

import (
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "Ann@Example.com")
		tests := []struct {
			name    string
			lookup  func() (*relay.User, error)
			want    *relay.User
			wantErr string
		}{
			{"by id", func() (*relay.User, error) { return db.UserByID(ctx, tn.owner.ID) }, tn.owner, ""},
			{"by email", func() (*relay.User, error) { return db.UserByEmail(ctx, "ann@example.com") }, tn.owner, ""},
			{"by email, any case", func() (*relay.User, error) { return db.UserByEmail(ctx, "ANN@EXAMPLE.COM") }, tn.owner, ""},
			{"unknown id", func() (*relay.User, error) { return db.UserByID(ctx, ids.New()) }, nil, relay.ENOTFOUND},
			{"unknown email", func() (*relay.User, error) { return db.UserByEmail(ctx, "bob@example.com") }, nil, relay.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.lookup()
				if tt.wantErr != "" {
					wantCode(t, err, tt.wantErr, "User not found.")
					return
				}
				must(t, err)
				diff(t, "user", got, tt.want)
			})
		}
		// Superadmin round-trips as a bool on both engines.
		got, err := db.UserByID(ctx, tn.owner.ID)
		must(t, err)
		if got.Superadmin {
			t.Fatal("Superadmin = true, want false")
		}
		root := newUser("root@example.com")
		root.Superadmin = true
		w := newWorkspace("ops")
		must(t, db.CreateWorkspace(ctx, w, root, true, nil, nil))
		got, err = db.UserByID(ctx, root.ID)
		must(t, err)
		if !got.Superadmin {
			t.Fatal("Superadmin = false, want true")
		}
	})
}
