package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestStatuses(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		ann := a.owner
		mustAddMember(t, db, b, ann, false, relay.RoleMember, t0)
		bob, cat, dan := mustMember(t, db, a, "bob@example.com"), mustMember(t, db, a, "cat@example.com"), mustMember(t, db, a, "dan@example.com")

		lunch := relay.Status{Presence: relay.PresenceAway, Text: "Lunch", Emoji: "🍔", ExpiresAt: ptr(t0.Add(time.Hour))}
		must(t, db.SetStatus(ctx, a.ws.ID, ann.ID, lunch))
		must(t, db.SetStatus(ctx, a.ws.ID, bob.ID, relay.Status{Presence: relay.PresenceDND}))
		must(t, db.SetStatus(ctx, a.ws.ID, cat.ID, relay.Status{Text: "Remote", Emoji: "🏠"}))
		// Setting and clearing leaves no status.
		must(t, db.SetStatus(ctx, a.ws.ID, dan.ID, relay.Status{Text: "x"}))
		must(t, db.SetStatus(ctx, a.ws.ID, dan.ID, relay.Status{}))
		// Ann's status in B is her own there.
		must(t, db.SetStatus(ctx, b.ws.ID, ann.ID, relay.Status{Presence: relay.PresenceOnline, Emoji: "🅱️"}))

		lunch.ExpiresAt = ptr(t0.Add(time.Hour).Truncate(time.Microsecond))
		tests := []struct {
			name      string
			workspace relay.ID
			now       time.Time
			want      map[relay.ID]relay.Status
		}{
			{"before ann's expires", a.ws.ID, t0, map[relay.ID]relay.Status{
				ann.ID: lunch,
				bob.ID: {Presence: relay.PresenceDND},
				cat.ID: {Presence: relay.PresenceOnline, Text: "Remote", Emoji: "🏠"},
			}},
			{"at ann's expiry", a.ws.ID, t0.Add(time.Hour), map[relay.ID]relay.Status{
				bob.ID: {Presence: relay.PresenceDND},
				cat.ID: {Presence: relay.PresenceOnline, Text: "Remote", Emoji: "🏠"},
			}},
			{"in b", b.ws.ID, t0, map[relay.ID]relay.Status{ann.ID: {Presence: relay.PresenceOnline, Emoji: "🅱️"}}},
			{"unknown workspace", ids.New(), t0, map[relay.ID]relay.Status{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Statuses(ctx, tt.workspace, tt.now)
				must(t, err)
				diff(t, "Statuses", got, tt.want)
			})
		}

		wantCode(t, db.SetStatus(ctx, a.ws.ID, ids.New(), relay.Status{Text: "x"}), relay.ENOTFOUND, "That user is not a member of this workspace.")
		wantCode(t, db.SetStatus(ctx, b.ws.ID, bob.ID, relay.Status{Text: "x"}), relay.ENOTFOUND, "")
		wantCode(t, db.SetStatus(ctx, a.ws.ID, bob.ID, relay.Status{Presence: "invisible"}), relay.EINVALID, "That is not a valid presence.")
		// Removing a member removes their status with the membership.
		must(t, db.RemoveMember(ctx, a.ws.ID, bob.ID))
		got, err := db.Statuses(ctx, a.ws.ID, t0)
		must(t, err)
		if _, ok := got[bob.ID]; ok {
			t.Fatal("a removed member still has a status")
		}
	})
}
