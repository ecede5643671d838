package store_test

import (
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestChannelAccess(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "alpha", "a@alpha.example")
		b := mustCreateWorkspace(t, db, "bravo", "b@bravo.example")
		other := mustMember(t, db, a, "o@alpha.example")
		c := mustCreateChannel(t, db, a, "plans", relay.ChannelPrivate, a.owner.ID)
		mustPostOne(t, db, msg(c, a.owner, "one"))

		got, err := db.ChannelAccess(ctx, a.ws.ID, c.ID, a.owner.ID)
		must(t, err)
		if !got.IsMember || got.Kind != relay.ChannelPrivate || got.Archived || got.Default || got.CreatedBy != a.owner.ID ||
			got.LastSeq != 1 || got.LastChange != 1 {
			t.Fatalf("member's access = %+v", got)
		}
		got, err = db.ChannelAccess(ctx, a.ws.ID, c.ID, other.ID)
		must(t, err)
		if got.IsMember {
			t.Fatal("non-member reported as member")
		}
		defaults, err := db.DefaultChannels(ctx, a.ws.ID)
		must(t, err)
		if len(defaults) != 1 {
			t.Fatalf("default channels %v", defaults)
		}
		if g, err := db.ChannelAccess(ctx, a.ws.ID, defaults[0], a.owner.ID); err != nil || !g.Default {
			t.Fatalf("#general: %+v, %v", g, err)
		}
		if g, err := db.Channel(ctx, a.ws.ID, defaults[0], a.owner.ID); err != nil || !g.Default {
			t.Fatalf("#general via Channel: default=%v, %v", g.Default, err)
		}
		// Another workspace's id for the channel: not found.
		_, err = db.ChannelAccess(ctx, b.ws.ID, c.ID, b.owner.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
	})
}
