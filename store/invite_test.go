package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestInvites(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		first := newInvite(a, "First@Example.com", relay.RoleAgent, t0)
		second := newInvite(a, "second@example.com", relay.RoleCustomer, t0.Add(time.Minute))
		expired := newInvite(a, "late@example.com", relay.RoleMember, t0.Add(-relay.InviteTTL-time.Hour))
		inB := newInvite(b, "bee@example.com", relay.RoleMember, t0)
		for _, inv := range []*relay.Invite{first, second, expired, inB} {
			must(t, db.CreateInvite(ctx, inv))
		}
		if first.Email != "first@example.com" {
			t.Fatalf("stored email %q, want it lower-cased", first.Email)
		}

		got, err := db.ListInvites(ctx, a.ws.ID)
		must(t, err)
		diff(t, "pending invites, newest first, expired included", got, []relay.Invite{*second, *first, *expired})

		byHash, err := db.InviteByTokenHash(ctx, a.ws.ID, second.TokenHash)
		must(t, err)
		diff(t, "InviteByTokenHash", byHash, second)
		_, err = db.InviteByTokenHash(ctx, b.ws.ID, second.TokenHash)
		wantCode(t, err, relay.ENOTFOUND, "Invitation not found.")

		// Accepting takes it off the list; it can still be found by hash.
		_, err = db.AcceptInvite(ctx, a.ws.ID, first.ID, newUser("first@example.com"), true, nil, t0.Add(time.Hour))
		must(t, err)
		got, err = db.ListInvites(ctx, a.ws.ID)
		must(t, err)
		diff(t, "pending invites after an accept", got, []relay.Invite{*second, *expired})
		byHash, err = db.InviteByTokenHash(ctx, a.ws.ID, first.TokenHash)
		must(t, err)
		if byHash.AcceptedAt == nil || byHash.AcceptedBy == nil {
			t.Fatalf("accepted invite = %+v, want AcceptedAt and AcceptedBy set", byHash)
		}

		tests := []struct {
			name      string
			workspace relay.ID
			invite    relay.ID
		}{
			{"accepted", a.ws.ID, first.ID},
			{"other workspace's", a.ws.ID, inB.ID},
			{"unknown", a.ws.ID, ids.New()},
		}
		for _, tt := range tests {
			t.Run("delete "+tt.name, func(t *testing.T) {
				wantCode(t, db.DeleteInvite(ctx, tt.workspace, tt.invite), relay.ENOTFOUND, "Invitation not found.")
			})
		}
		must(t, db.DeleteInvite(ctx, a.ws.ID, expired.ID))
		wantCode(t, db.DeleteInvite(ctx, a.ws.ID, expired.ID), relay.ENOTFOUND, "")
		got, err = db.ListInvites(ctx, a.ws.ID)
		must(t, err)
		diff(t, "pending invites after a delete", got, []relay.Invite{*second})
		got, err = db.ListInvites(ctx, b.ws.ID)
		must(t, err)
		diff(t, "b's invites", got, []relay.Invite{*inB})

		dup := newInvite(a, "dup@example.com", relay.RoleMember, t0)
		dup.TokenHash = second.TokenHash
		wantCode(t, db.CreateInvite(ctx, dup), relay.ECONFLICT, "")
		bad := newInvite(a, "bad@example.com", relay.Role("god"), t0)
		wantCode(t, db.CreateInvite(ctx, bad), relay.EINVALID, "")
		orphan := newInvite(a, "orphan@example.com", relay.RoleMember, t0)
		orphan.InvitedBy = ids.New()
		wantCode(t, db.CreateInvite(ctx, orphan), relay.ENOTFOUND, "")
	})
}

func TestAcceptInvite(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		now := t0.Add(time.Hour)

		t.Run("new user", func(t *testing.T) {
			inv := newInvite(a, "new@example.com", relay.RoleAgent, t0)
			must(t, db.CreateInvite(ctx, inv))
			u := newUser("new@example.com")
			s := newSession(a.ws.ID, u.ID, relay.TokenSession, now, ptr(now.Add(relay.SessionTTL)))
			m, err := db.AcceptInvite(ctx, a.ws.ID, inv.ID, u, true, s, now)
			must(t, err)
			wantM := &relay.Membership{WorkspaceID: a.ws.ID, UserID: u.ID, Role: relay.RoleAgent, CreatedAt: now.Truncate(time.Microsecond)}
			diff(t, "membership", m, wantM)
			gotS, gotU, gotM, err := db.Authenticate(ctx, a.ws.ID, s.TokenHash, now)
			must(t, err)
			diff(t, "session", gotS, s)
			diff(t, "user", gotU, u)
			diff(t, "stored membership", gotM, wantM)
			stored, err := db.InviteByTokenHash(ctx, a.ws.ID, inv.TokenHash)
			must(t, err)
			inv.AcceptedAt, inv.AcceptedBy = ptr(now.Truncate(time.Microsecond)), &u.ID
			diff(t, "accepted invite", stored, inv)

			// A second accept, by anyone, is gone and changes nothing.
			other := newUser("other@example.com")
			_, err = db.AcceptInvite(ctx, a.ws.ID, inv.ID, other, true, newSession(a.ws.ID, other.ID, relay.TokenSession, now, nil), now)
			wantCode(t, err, relay.EGONE, "This invitation was already used.")
			_, err = db.UserByEmail(ctx, other.Email)
			wantCode(t, err, relay.ENOTFOUND, "")
			stored, err = db.InviteByTokenHash(ctx, a.ws.ID, inv.TokenHash)
			must(t, err)
			diff(t, "invite after a second accept", stored, inv)
		})

		// Each case below must fail and leave the invitation pending and the
		// database as it was.
		existing := newUser("existing@example.com")
		mustAddMember(t, db, b, existing, true, relay.RoleMember, t0)
		tests := []struct {
			name       string
			invite     func() *relay.Invite
			workspace  relay.ID
			user       *relay.User
			createUser bool
			now        time.Time
			code, msg  string
		}{
			{name: "expired", invite: func() *relay.Invite { return newInvite(a, "late@example.com", relay.RoleMember, t0) },
				user: newUser("late@example.com"), createUser: true, now: t0.Add(relay.InviteTTL),
				code: relay.EGONE, msg: "This invitation has expired."},
			{name: "already a member", invite: func() *relay.Invite { return newInvite(a, "ann@example.com", relay.RoleAdmin, t0) },
				user: a.owner, createUser: false, now: now,
				code: relay.ECONFLICT, msg: "That user is already a member of this workspace."},
			{name: "email taken", invite: func() *relay.Invite { return newInvite(a, "existing@example.com", relay.RoleMember, t0) },
				user: newUser("existing@example.com"), createUser: true, now: now,
				code: relay.ECONFLICT, msg: "An account with that email already exists."},
			{name: "unknown user", invite: func() *relay.Invite { return newInvite(a, "ghost@example.com", relay.RoleMember, t0) },
				user: newUser("ghost@example.com"), createUser: false, now: now, code: relay.ENOTFOUND},
			{name: "invite of another workspace", invite: func() *relay.Invite { return newInvite(b, "cross@example.com", relay.RoleMember, t0) },
				workspace: a.ws.ID, user: newUser("cross@example.com"), createUser: true, now: now,
				code: relay.ENOTFOUND, msg: "Invitation not found."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				inv := tt.invite()
				must(t, db.CreateInvite(ctx, inv))
				ws := inv.WorkspaceID
				if tt.workspace != 0 {
					ws = tt.workspace
				}
				beforeA, beforeB := rowCounts(t, db, a.ws.ID), rowCounts(t, db, b.ws.ID)
				users := count(t, db, `SELECT count(*) FROM users`)
				s := newSession(ws, tt.user.ID, relay.TokenSession, tt.now, nil)
				m, err := db.AcceptInvite(ctx, ws, inv.ID, tt.user, tt.createUser, s, tt.now)
				wantCode(t, err, tt.code, tt.msg)
				if m != nil {
					t.Fatalf("membership %+v returned with the error", m)
				}
				stored, err := db.InviteByTokenHash(ctx, inv.WorkspaceID, inv.TokenHash)
				must(t, err)
				diff(t, "invite", stored, inv)
				diff(t, "a's rows", rowCounts(t, db, a.ws.ID), beforeA)
				diff(t, "b's rows", rowCounts(t, db, b.ws.ID), beforeB)
				if n := count(t, db, `SELECT count(*) FROM users`); n != users {
					t.Fatalf("%d users, want %d", n, users)
				}
			})
		}

		t.Run("existing user", func(t *testing.T) {
			inv := newInvite(a, existing.Email, relay.RoleCustomer, t0)
			must(t, db.CreateInvite(ctx, inv))
			s := newSession(a.ws.ID, existing.ID, relay.TokenSession, now, nil)
			m, err := db.AcceptInvite(ctx, a.ws.ID, inv.ID, existing, false, s, now)
			must(t, err)
			if m.Role != relay.RoleCustomer || m.UserID != existing.ID {
				t.Fatalf("membership = %+v", m)
			}
			for _, ws := range []relay.ID{a.ws.ID, b.ws.ID} {
				if _, err := db.Membership(ctx, ws, existing.ID); err != nil {
					t.Fatalf("membership in %d: %v", ws, err)
				}
			}
			if _, _, _, err := db.Authenticate(ctx, a.ws.ID, s.TokenHash, now); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("without a session", func(t *testing.T) {
			inv := newInvite(a, "quiet@example.com", relay.RoleMember, t0)
			must(t, db.CreateInvite(ctx, inv))
			u := newUser("quiet@example.com")
			_, err := db.AcceptInvite(ctx, a.ws.ID, inv.ID, u, true, nil, now)
			must(t, err)
			if n := count(t, db, `SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID); n != 0 {
				t.Fatalf("%d sessions, want none", n)
			}
		})
	})
}

// TestAcceptInviteConcurrent: many people racing for one invitation — one
// wins, every other gets EGONE (never a conflict on the email), on both engines.
func TestAcceptInviteConcurrent(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "race", "owner@race.example")
		inv := newInvite(tn, "new@race.example", relay.RoleMember, t0)
		must(t, db.CreateInvite(ctx, inv))
		const n = 8
		codes := make(chan string, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := newUser("new@race.example")
				s := newSession(tn.ws.ID, u.ID, relay.TokenSession, t0, nil)
				_, err := db.AcceptInvite(ctx, tn.ws.ID, inv.ID, u, true, s, t0.Add(time.Minute))
				codes <- relay.ErrorCode(err)
			}()
		}
		wg.Wait()
		close(codes)
		got := map[string]int{}
		for c := range codes {
			got[c]++
		}
		if got[""] != 1 || got[relay.EGONE] != n-1 {
			t.Fatalf("outcomes %v, want 1 success and %d gone", got, n-1)
		}
	})
}
