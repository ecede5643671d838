package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		// Ann is a member of both, so only the workspace tells her sessions apart.
		annInB := mustAddMember(t, db, b, a.owner, false, relay.RoleMember, t0)
		token := newSession(a.ws.ID, a.owner.ID, relay.TokenAPI, t0, nil)
		must(t, db.CreateSession(ctx, token))
		expiring := newSession(a.ws.ID, a.owner.ID, relay.TokenSession, t0, ptr(t0.Add(time.Hour)))
		must(t, db.CreateSession(ctx, expiring))
		gone := newUser("gone@example.com")
		goneSession := mustAddMember(t, db, a, gone, true, relay.RoleAgent, t0)
		must(t, db.RemoveMember(ctx, a.ws.ID, gone.ID))

		tests := []struct {
			name      string
			workspace relay.ID
			hash      []byte
			now       time.Time
			want      *relay.Session
		}{
			{"login session", a.ws.ID, a.session.TokenHash, t0, a.session},
			{"api token without expiry", a.ws.ID, token.TokenHash, t0.Add(10 * 365 * 24 * time.Hour), token},
			{"just before expiry", a.ws.ID, expiring.TokenHash, t0.Add(time.Hour - time.Microsecond), expiring},
			{"at expiry", a.ws.ID, expiring.TokenHash, t0.Add(time.Hour), nil},
			{"after expiry", a.ws.ID, expiring.TokenHash, t0.Add(2 * time.Hour), nil},
			{"token of a on b", b.ws.ID, a.session.TokenHash, t0, nil},
			{"token of b on a", a.ws.ID, annInB.TokenHash, t0, nil},
			{"same member's token of b on b", b.ws.ID, annInB.TokenHash, t0, annInB},
			{"unknown hash", a.ws.ID, hashToken(), t0, nil},
			{"empty hash", a.ws.ID, nil, t0, nil},
			{"unknown workspace", ids.New(), a.session.TokenHash, t0, nil},
			{"membership removed", a.ws.ID, goneSession.TokenHash, t0, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, u, m, err := db.Authenticate(ctx, tt.workspace, tt.hash, tt.now)
				if tt.want == nil {
					wantCode(t, err, relay.EUNAUTHORIZED, "")
					if s != nil || u != nil || m != nil {
						t.Fatal("Authenticate returned values with its error")
					}
					return
				}
				must(t, err)
				diff(t, "session", s, tt.want)
				if u.ID != tt.want.UserID || m.UserID != tt.want.UserID || m.WorkspaceID != tt.workspace {
					t.Fatalf("user %d, membership %+v; want user %d in workspace %d", u.ID, m, tt.want.UserID, tt.workspace)
				}
			})
		}
	})
}

func TestCreateSession(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		dup := newSession(a.ws.ID, a.owner.ID, relay.TokenSession, t0, nil)
		dup.TokenHash = a.session.TokenHash
		tests := []struct {
			name string
			s    *relay.Session
			code string
		}{
			{"member of another workspace", newSession(a.ws.ID, b.owner.ID, relay.TokenSession, t0, nil), relay.ENOTFOUND},
			{"unknown user", newSession(a.ws.ID, ids.New(), relay.TokenAPI, t0, nil), relay.ENOTFOUND},
			{"unknown workspace", newSession(ids.New(), a.owner.ID, relay.TokenAPI, t0, nil), relay.ENOTFOUND},
			{"token hash in use", dup, relay.ECONFLICT},
			{"unknown kind", newSession(a.ws.ID, a.owner.ID, "cookie", t0, nil), relay.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.CreateSession(ctx, tt.s), tt.code, "")
				if n := count(t, db, `SELECT count(*) FROM sessions WHERE id = $1`, tt.s.ID); n != 0 {
					t.Fatal("the refused session was stored")
				}
			})
		}
	})
}

func TestTouchSession(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		later := t0.Add(time.Hour)
		newExpiry := later.Add(relay.SessionTTL)

		must(t, db.TouchSession(ctx, a.ws.ID, a.session.ID, later, &newExpiry))
		s, _, _, err := db.Authenticate(ctx, a.ws.ID, a.session.TokenHash, later)
		must(t, err)
		want := *a.session
		want.LastUsedAt, want.ExpiresAt = ptr(later.Truncate(time.Microsecond)), ptr(newExpiry.Truncate(time.Microsecond))
		diff(t, "touched session", s, &want)

		// A nil expiry keeps the one stored.
		evenLater := later.Add(time.Minute)
		must(t, db.TouchSession(ctx, a.ws.ID, a.session.ID, evenLater, nil))
		s, _, _, err = db.Authenticate(ctx, a.ws.ID, a.session.TokenHash, evenLater)
		must(t, err)
		want.LastUsedAt = ptr(evenLater.Truncate(time.Microsecond))
		diff(t, "touched session", s, &want)

		// Another workspace's session is not found and not changed.
		wantCode(t, db.TouchSession(ctx, a.ws.ID, b.session.ID, evenLater, nil), relay.ENOTFOUND, "")
		wantCode(t, db.TouchSession(ctx, a.ws.ID, ids.New(), evenLater, nil), relay.ENOTFOUND, "")
		s, _, _, err = db.Authenticate(ctx, b.ws.ID, b.session.TokenHash, t0)
		must(t, err)
		diff(t, "other workspace's session", s, b.session)
	})
}

func TestDeleteSession(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		// Deleting b's session through a does nothing.
		must(t, db.DeleteSession(ctx, a.ws.ID, b.session.ID))
		if _, _, _, err := db.Authenticate(ctx, b.ws.ID, b.session.TokenHash, t0); err != nil {
			t.Fatalf("b's session after a delete through a: %v", err)
		}
		for range 2 { // idempotent
			must(t, db.DeleteSession(ctx, a.ws.ID, a.session.ID))
		}
		_, _, _, err := db.Authenticate(ctx, a.ws.ID, a.session.TokenHash, t0)
		wantCode(t, err, relay.EUNAUTHORIZED, "")
		must(t, db.DeleteSession(ctx, ids.New(), ids.New()))
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		bob := newUser("bob@example.com")
		mustAddMember(t, db, a, bob, true, relay.RoleAgent, t0)
		mustAddMember(t, db, b, a.owner, false, relay.RoleAgent, t0)

		older := newSession(a.ws.ID, a.owner.ID, relay.TokenAPI, t0, nil)
		newer := newSession(a.ws.ID, a.owner.ID, relay.TokenAPI, t0.Add(time.Minute), ptr(t0.Add(time.Hour)))
		annInB := newSession(b.ws.ID, a.owner.ID, relay.TokenAPI, t0, nil)
		bobs := newSession(a.ws.ID, bob.ID, relay.TokenAPI, t0, nil)
		for _, s := range []*relay.Session{older, newer, annInB, bobs} {
			must(t, db.CreateSession(ctx, s))
		}

		got, err := db.ListTokens(ctx, a.ws.ID, a.owner.ID)
		must(t, err)
		diff(t, "Ann's tokens in a", got, []relay.Session{*newer, *older})
		got, err = db.ListTokens(ctx, b.ws.ID, b.owner.ID)
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Fatalf("tokens of a user who has none = %#v, want an empty list", got)
		}

		tests := []struct {
			name             string
			workspace, owner relay.ID
			token            relay.ID
		}{
			{"someone else's token", a.ws.ID, a.owner.ID, bobs.ID},
			{"a login session", a.ws.ID, a.owner.ID, a.session.ID},
			{"own token in another workspace", a.ws.ID, a.owner.ID, annInB.ID},
			{"unknown", a.ws.ID, a.owner.ID, ids.New()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.DeleteToken(ctx, tt.workspace, tt.owner, tt.token), relay.ENOTFOUND, "Token not found.")
			})
		}
		if n := count(t, db, `SELECT count(*) FROM sessions`); n != 8 {
			t.Fatalf("%d sessions after refused deletes, want 8", n)
		}
		must(t, db.DeleteToken(ctx, a.ws.ID, a.owner.ID, newer.ID))
		got, err = db.ListTokens(ctx, a.ws.ID, a.owner.ID)
		must(t, err)
		diff(t, "Ann's tokens after a delete", got, []relay.Session{*older})
		wantCode(t, db.DeleteToken(ctx, a.ws.ID, a.owner.ID, newer.ID), relay.ENOTFOUND, "")
	})
}

func TestHandoff(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		exp := t0.Add(time.Minute)
		code, old := hashToken(), hashToken()
		must(t, db.CreateHandoff(ctx, a.ws.ID, a.owner.ID, code, exp))
		must(t, db.CreateHandoff(ctx, a.ws.ID, a.owner.ID, old, t0))
		wantCode(t, db.CreateHandoff(ctx, b.ws.ID, a.owner.ID, hashToken(), exp), relay.ENOTFOUND, "") // not a member of b
		wantCode(t, db.CreateHandoff(ctx, a.ws.ID, a.owner.ID, code, exp), relay.ECONFLICT, "")

		exchange := func(ws relay.ID, hash []byte, now time.Time) (*relay.Session, error) {
			s := newSession(ws, 0, relay.TokenSession, now, ptr(now.Add(time.Hour)))
			return s, db.ExchangeHandoff(ctx, ws, hash, now, s)
		}
		for _, tt := range []struct {
			name string
			ws   relay.ID
			hash []byte
			now  time.Time
		}{
			{"other workspace", b.ws.ID, code, t0},
			{"unknown code", a.ws.ID, hashToken(), t0},
			{"expired code", a.ws.ID, old, t0},
			{"at expiry", a.ws.ID, code, exp},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := exchange(tt.ws, tt.hash, tt.now)
				wantCode(t, err, relay.EUNAUTHORIZED, "")
			})
		}
		// The failed attempts above did not use the code up.
		s, err := exchange(a.ws.ID, code, t0.Add(time.Second))
		must(t, err)
		if s.UserID != a.owner.ID {
			t.Fatalf("session user %d, want %d", s.UserID, a.owner.ID)
		}
		got, _, _, err := db.Authenticate(ctx, a.ws.ID, s.TokenHash, t0.Add(time.Second))
		must(t, err)
		diff(t, "session", got, s)
		_, err = exchange(a.ws.ID, code, t0.Add(2*time.Second))
		wantCode(t, err, relay.EUNAUTHORIZED, "") // single use

		// The janitor removes expired codes.
		must(t, db.CreateHandoff(ctx, a.ws.ID, a.owner.ID, hashToken(), t0.Add(time.Hour)))
		_, _, err = db.PurgeExpired(ctx, t0.Add(30*time.Second), t0)
		must(t, err)
		if n := count(t, db, `SELECT count(*) FROM handoffs WHERE workspace_id = $1`, a.ws.ID); n != 1 {
			t.Fatalf("%d hand-off codes left after purge, want 1 (the unexpired one)", n)
		}
	})
}
