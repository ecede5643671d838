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

func TestMembersByID(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "alpha", "a@alpha.example")
		b := mustCreateWorkspace(t, db, "bravo", "b@bravo.example")
		bob := mustMember(t, db, a, "bob@alpha.example")
		got, err := db.MembersByID(ctx, a.ws.ID, []relay.ID{a.owner.ID, bob.ID, bob.ID, b.owner.ID, ids.New()})
		must(t, err)
		if len(got) != 2 || got[a.owner.ID].Role != relay.RoleOwner || got[bob.ID].User.Email != "bob@alpha.example" {
			t.Fatalf("MembersByID = %+v; want alpha's owner and bob only", got)
		}
		if _, leaked := got[b.owner.ID]; leaked {
			t.Fatal("a member of another workspace was returned")
		}
		if got[bob.ID].User.PasswordHash != "" {
			t.Fatal("password hash read")
		}
		empty, err := db.MembersByID(ctx, a.ws.ID, nil)
		must(t, err)
		if len(empty) != 0 {
			t.Fatalf("no ids: %v", empty)
		}
	})
}
