package socket

import (
	"context"
	"encoding/json"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/phoenix"
)

// Observe sees every event the bus delivers on this node (after the hub has
// dispatched it) and reacts to those that change what a connected user may
// see or how they appear: losing access to a channel or the workspace, a
// new status. It never blocks the bus: work that reads the store runs in
// its own goroutine.
func (h *Handler) Observe(ev relay.Event) {
	switch ev.Name {
	case app.EvMemberLeft:
		var p struct {
			Kind relay.ChannelKind `json:"channel_kind"`
			User struct {
				ID relay.ID `json:"id"`
			} `json:"user"`
		}
		if json.Unmarshal(ev.Payload, &p) != nil {
			return
		}
		// Staff who leave a public channel may still read it: their
		// subscription stays. Anywhere else, leaving ends access: stop
		// delivery now, before the bus hands over anything posted after the
		// removal, then tell the client (phx_close: no rejoin).
		if p.Kind == relay.ChannelPublic {
			return
		}
		for _, c := range h.connsOf(p.User.ID) {
			if _, ok := c.Joined(ev.Topic); ok {
				h.hub.Unsubscribe(ev.Topic, c)
				go c.CloseChannel(ev.Topic, false)
			}
		}
	case app.EvAccessChanged:
		var p app.AccessEvent
		if json.Unmarshal(ev.Payload, &p) == nil {
			h.revoke(p)
		}
	case app.EvMemberUpdated:
		var p app.MemberUpdatedEvent
		if json.Unmarshal(ev.Payload, &p) != nil {
			return
		}
		for _, c := range h.connsOf(p.UserID) {
			if s := st(c); s.actor.Workspace.ID == ev.WorkspaceID {
				s.mu.Lock()
				s.name, s.avatar = p.DisplayName, p.AvatarURL
				s.mu.Unlock()
			}
		}
		h.refreshPresence(p.UserID)
	case app.EvStatusUpdated:
		var p struct {
			UserID relay.ID `json:"user_id"`
			relay.Status
		}
		if json.Unmarshal(ev.Payload, &p) == nil {
			for _, c := range h.connsOf(p.UserID) {
				if s := st(c); s.actor.Workspace.ID == ev.WorkspaceID {
					s.mu.Lock()
					s.status = p.Status
					s.mu.Unlock()
				}
			}
			h.refreshPresence(p.UserID)
		}
	}
}

// revoke closes the sockets a session ended or a membership change made
// stale; clients reconnect and are authorised afresh.
func (h *Handler) revoke(p app.AccessEvent) {
	for _, c := range h.connsOf(p.UserID) {
		s := st(c)
		if s.actor.Workspace.ID != p.WorkspaceID {
			continue
		}
		if p.SessionID != 0 && s.actor.SessionID != p.SessionID {
			continue
		}
		c.Close(p.Reason)
	}
}

// Run marks idle connections away until ctx ends.
func (h *Handler) Run(ctx context.Context) {
	t := time.NewTicker(awayInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.markAway()
		}
	}
}

func (h *Handler) markAway() {
	now := h.now()
	h.mu.Lock()
	var idle []*phoenix.Conn
	for _, set := range h.conns {
		for c := range set {
			s := st(c)
			s.mu.Lock()
			if !s.autoAway && now.Sub(s.lastActive) >= AwayAfter {
				s.autoAway = true
				idle = append(idle, c)
			}
			s.mu.Unlock()
		}
	}
	h.mu.Unlock()
	for _, c := range idle {
		s := st(c)
		topic := relay.WorkspaceTopic(s.actor.Workspace.ID)
		if _, ok := c.Joined(topic); ok {
			h.presence.Update(topic, s.actor.User.ID.String(), c, h.meta(c))
		}
	}
}

// Resync closes every socket on this node, so each client reconnects and
// rejoins with its last_seq / last_change and catches up from the store.
// The bus calls for it when it may have lost events (NATS delivers at most
// once: a reconnect, or a subscriber that fell behind).
func (h *Handler) Resync(reason string) {
	h.mu.Lock()
	var all []*phoenix.Conn
	for _, set := range h.conns {
		for c := range set {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	h.log.Warn("resyncing sockets: events may have been lost", "reason", reason, "sockets", len(all))
	for _, c := range all {
		c.Close("resync: " + reason)
	}
}
