package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/relayhq/relay"
)

// accessCache remembers, for a few seconds, what ChannelAccess answered for
// (channel, user): the hot paths — every socket send, reaction, read — would
// otherwise spend an indexed lookup each on a question whose answer rarely
// changes. Answers are dropped at once when membership, the channel or the
// user's access changes: locally when this node makes the change, and on
// other nodes when the change's event arrives (Observe). Counters (LastSeq,
// LastChange) in a cached answer are stale: callers that need them read fresh.
type accessCache struct {
	mu      sync.Mutex
	entries map[accessKey]accessEntry
	chanGen map[relay.ID]uint64
	userGen map[relay.ID]uint64
	now     func() time.Time
}

type accessKey struct{ channel, user relay.ID }

type accessEntry struct {
	c                *relay.Channel
	at               time.Time
	chanGen, userGen uint64
}

const (
	accessTTL        = 5 * time.Second
	accessMaxEntries = 100_000
)

func newAccessCache(now func() time.Time) *accessCache {
	return &accessCache{entries: map[accessKey]accessEntry{}, chanGen: map[relay.ID]uint64{}, userGen: map[relay.ID]uint64{}, now: now}
}

func (ac *accessCache) get(channel, user relay.ID) *relay.Channel {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	e, ok := ac.entries[accessKey{channel, user}]
	if !ok || ac.now().Sub(e.at) > accessTTL || e.chanGen != ac.chanGen[channel] || e.userGen != ac.userGen[user] {
		return nil
	}
	return e.c
}

func (ac *accessCache) put(c *relay.Channel, user relay.ID) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if len(ac.entries) >= accessMaxEntries {
		clear(ac.entries) // crude, but bounded; entries refill within seconds
	}
	ac.entries[accessKey{c.ID, user}] = accessEntry{c: c, at: ac.now(), chanGen: ac.chanGen[c.ID], userGen: ac.userGen[user]}
}

func (ac *accessCache) dropChannel(id relay.ID) {
	ac.mu.Lock()
	ac.chanGen[id]++
	ac.mu.Unlock()
}

func (ac *accessCache) dropUser(id relay.ID) {
	ac.mu.Lock()
	ac.userGen[id]++
	ac.mu.Unlock()
}

// cachedAccess is channelAccess through the cache.
func (a *Messaging) cachedAccess(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Channel, error) {
	if actor == nil || actor.User == nil {
		return nil, relay.Errorf(relay.EUNAUTHORIZED, "Sign in to continue.")
	}
	if c := a.access.get(id, actor.User.ID); c != nil && c.WorkspaceID == actor.Workspace.ID {
		return c, nil
	}
	c, err := a.store.ChannelAccess(ctx, actor.Workspace.ID, id, actor.User.ID)
	if err != nil {
		return nil, err
	}
	a.access.put(c, actor.User.ID)
	return c, nil
}

// Observe lets the app react to events from any node: it drops cached
// access answers that a membership, channel or access change made stale.
func (a *Messaging) Observe(ev relay.Event) {
	switch ev.Name {
	case EvMemberJoined, EvMemberLeft:
		var p struct {
			ChannelID relay.ID `json:"channel_id"`
		}
		if json.Unmarshal(ev.Payload, &p) == nil {
			a.access.dropChannel(p.ChannelID)
		}
	case EvChannelUpdated:
		var p struct {
			ID relay.ID `json:"id"`
		}
		if json.Unmarshal(ev.Payload, &p) == nil {
			a.access.dropChannel(p.ID)
		}
	case EvAccessChanged:
		var p AccessEvent
		if json.Unmarshal(ev.Payload, &p) == nil {
			a.access.dropUser(p.UserID)
		}
	}
}
