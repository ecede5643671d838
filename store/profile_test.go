package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestUserProfile covers the global user row's name and avatar: a change
// shows wherever the user is read (by id, by email, as a member, on their
// session) in every workspace they belong to.
func TestUserProfile(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "alpha", "ann@example.com")
		b := mustCreateWorkspace(t, db, "bravo", "bea@example.com")
		ann := a.owner
		mustAddMember(t, db, b, ann, false, relay.RoleMember, t0)

		u, err := db.SetUserName(ctx, ann.ID, "Ann B.")
		must(t, err)
		if u.DisplayName != "Ann B." || u.Email != "ann@example.com" || u.AvatarURL != ann.AvatarURL {
			t.Fatalf("SetUserName = %+v", u)
		}
		u, err = db.SetUserAvatar(ctx, ann.ID, "users/1/avatar-abc", "image/png", "abc", "/api/v1/users/1/avatar?v=abc")
		must(t, err)
		want := *ann
		want.DisplayName, want.AvatarURL = "Ann B.", "/api/v1/users/1/avatar?v=abc"
		want.AvatarKey, want.AvatarType, want.AvatarVersion = "users/1/avatar-abc", "image/png", "abc"
		diff(t, "SetUserAvatar", u, &want)
		got, err := db.UserByID(ctx, ann.ID)
		must(t, err)
		diff(t, "UserByID", got, &want)
		got, err = db.UserByEmail(ctx, ann.Email)
		must(t, err)
		diff(t, "UserByEmail", got, &want)

		// Members lists and sessions of both workspaces read the new name and URL.
		for _, tn := range []tenant{a, b} {
			ms, err := db.MembersByID(ctx, tn.ws.ID, []relay.ID{ann.ID})
			must(t, err)
			if m := ms[ann.ID]; m.User.DisplayName != "Ann B." || m.User.AvatarURL != want.AvatarURL {
				t.Fatalf("member in %s = %+v", tn.ws.Subdomain, m.User)
			}
		}
		_, su, _, err := db.Authenticate(ctx, a.ws.ID, a.session.TokenHash, t0)
		must(t, err)
		if su.DisplayName != "Ann B." || su.AvatarURL != want.AvatarURL {
			t.Fatalf("session user = %+v", su)
		}

		// Clearing the avatar clears all four columns.
		u, err = db.SetUserAvatar(ctx, ann.ID, "", "", "", "")
		must(t, err)
		if u.AvatarKey != "" || u.AvatarType != "" || u.AvatarVersion != "" || u.AvatarURL != "" {
			t.Fatalf("cleared avatar = %+v", u)
		}
		// The other owner is untouched.
		bea, err := db.UserByID(ctx, b.owner.ID)
		must(t, err)
		diff(t, "other user", bea, b.owner)

		_, err = db.SetUserName(ctx, ids.New(), "Nobody")
		wantCode(t, err, relay.ENOTFOUND, "User not found.")
		_, err = db.SetUserAvatar(ctx, ids.New(), "k", "image/png", "v", "u")
		wantCode(t, err, relay.ENOTFOUND, "User not found.")
	})
}

func TestUserWorkspaceIDs(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "alpha", "ann@example.com")
		b := mustCreateWorkspace(t, db, "bravo", "bea@example.com")
		c := mustCreateWorkspace(t, db, "charlie", "cid@example.com")
		ann := a.owner
		mustAddMember(t, db, c, ann, false, relay.RoleCustomer, t0)
		got, err := db.UserWorkspaceIDs(ctx, ann.ID)
		must(t, err)
		want := []relay.ID{a.ws.ID, c.ws.ID}
		if a.ws.ID > c.ws.ID {
			want = []relay.ID{c.ws.ID, a.ws.ID}
		}
		diff(t, "ann's workspaces", got, want)
		got, err = db.UserWorkspaceIDs(ctx, b.owner.ID)
		must(t, err)
		diff(t, "bea's workspaces", got, []relay.ID{b.ws.ID})
		// Removed from c: only a is left. Unknown user: none, not nil.
		must(t, db.RemoveMember(ctx, c.ws.ID, ann.ID))
		got, err = db.UserWorkspaceIDs(ctx, ann.ID)
		must(t, err)
		diff(t, "after removal", got, []relay.ID{a.ws.ID})
		got, err = db.UserWorkspaceIDs(ctx, ids.New())
		must(t, err)
		diff(t, "unknown user", got, []relay.ID{})
	})
}

func TestMemberStatus(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "alpha", "ann@example.com")
		b := mustCreateWorkspace(t, db, "bravo", "bea@example.com")
		ann := a.owner
		mustAddMember(t, db, b, ann, false, relay.RoleMember, t0)
		lunch := relay.Status{Presence: relay.PresenceAway, Text: "Lunch", Emoji: "🍔", ExpiresAt: ptr(t0.Add(time.Hour))}
		must(t, db.SetStatus(ctx, a.ws.ID, ann.ID, lunch))
		lunch.ExpiresAt = ptr(t0.Add(time.Hour).Truncate(time.Microsecond))
		online := relay.Status{Presence: relay.PresenceOnline}

		tests := []struct {
			name      string
			workspace relay.ID
			now       time.Time
			want      relay.Status
		}{
			{"set, before expiry", a.ws.ID, t0, lunch},
			{"at expiry", a.ws.ID, t0.Add(time.Hour), online},
			{"after expiry", a.ws.ID, t0.Add(2 * time.Hour), online},
			{"never set, other workspace", b.ws.ID, t0, online},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.MemberStatus(ctx, tt.workspace, ann.ID, tt.now)
				must(t, err)
				diff(t, "MemberStatus", got, tt.want)
			})
		}
		dnd := relay.Status{Presence: relay.PresenceDND, Text: "Focus"}
		must(t, db.SetStatus(ctx, b.ws.ID, ann.ID, dnd))
		got, err := db.MemberStatus(ctx, b.ws.ID, ann.ID, t0.Add(1000*time.Hour))
		must(t, err)
		diff(t, "no expiry", got, dnd)

		_, err = db.MemberStatus(ctx, b.ws.ID, ids.New(), t0)
		wantCode(t, err, relay.ENOTFOUND, "That user is not a member of this workspace.")
		_, err = db.MemberStatus(ctx, a.ws.ID, b.owner.ID, t0) // bea is not in alpha
		wantCode(t, err, relay.ENOTFOUND, "")
	})
}
