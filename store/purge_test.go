package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestPurgeExpired(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "alpha", "a@alpha.example") // its session expires at t0+30d
		b := mustCreateWorkspace(t, db, "bravo", "b@bravo.example")
		day := 24 * time.Hour
		expired := newSession(a.ws.ID, a.owner.ID, relay.TokenSession, t0, ptr(t0.Add(day)))
		api := newSession(b.ws.ID, b.owner.ID, relay.TokenAPI, t0, nil) // never expires
		for _, s := range []*relay.Session{expired, api} {
			must(t, db.CreateSession(ctx, s))
		}
		oldInvite := newInvite(a, "old@x.example", relay.RoleMember, t0.Add(-40*day))    // expired 33 days before t0
		recentInvite := newInvite(b, "new@x.example", relay.RoleMember, t0.Add(-10*day)) // expired 3 days before t0
		for _, inv := range []*relay.Invite{oldInvite, recentInvite} {
			must(t, db.CreateInvite(ctx, inv))
		}

		now := t0.Add(2 * day)
		s, i, err := db.PurgeExpired(ctx, now, now.Add(-30*day))
		must(t, err)
		if s != 1 || i != 1 {
			t.Fatalf("purged %d sessions, %d invites; want 1 and 1", s, i)
		}
		if _, _, _, err := db.Authenticate(ctx, a.ws.ID, expired.TokenHash, t0); relay.ErrorCode(err) != relay.EUNAUTHORIZED {
			t.Fatalf("expired session still there: %v", err)
		}
		for _, live := range []struct {
			ws   relay.ID
			hash []byte
		}{{a.ws.ID, a.session.TokenHash}, {b.ws.ID, b.session.TokenHash}, {b.ws.ID, api.TokenHash}} {
			if _, _, _, err := db.Authenticate(ctx, live.ws, live.hash, now); err != nil {
				t.Fatalf("live credential purged: %v", err)
			}
		}
		if _, err := db.InviteByTokenHash(ctx, a.ws.ID, oldInvite.TokenHash); relay.ErrorCode(err) != relay.ENOTFOUND {
			t.Fatalf("old invite kept: %v", err)
		}
		if _, err := db.InviteByTokenHash(ctx, b.ws.ID, recentInvite.TokenHash); err != nil {
			t.Fatalf("recently expired invite purged: %v", err)
		}
		// Idempotent.
		if s, i, err := db.PurgeExpired(ctx, now, now.Add(-30*day)); err != nil || s != 0 || i != 0 {
			t.Fatalf("second purge: %d, %d, %v", s, i, err)
		}
	})
}
