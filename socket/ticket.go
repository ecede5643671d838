package socket

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/policy"
	"github.com/relayhq/relay/realtime"
)

// The desk's topics (docs/desk.md, Realtime).
//
// ticket:<id> carries two streams. The conversation (the ticket's channel,
// which the requester reads) is published on the hub topic ticket:<id>;
// staff-only events — internal notes, notes typing, ticket:updated — on
// ticket:<id>:staff. A customer's join subscribes only the first, so
// nothing of the notes can reach them: not live, not in a catch-up, not as
// a seq gap (the two streams have their own channels and seqs). A staff
// join subscribes both, each with its own catch-up and its own seq order
// guard; the hub frames ticket:<id>:staff's events under ticket:<id>
// (realtime.ClientTopic), so clients only ever see ticket:<id>.
//
// desk:<workspace_id> is for staff, without catch-up: its events
// (ticket:created, ticket:updated, stats:updated) refresh the inbox and the
// dashboard.

// Ticket events the socket layer publishes itself.
const (
	EvUserJoined = "user_joined"
	EvUserLeft   = "user_left"
)

type ticketJoin struct {
	LastSeq         *int64 `json:"last_seq"`
	LastChange      *int64 `json:"last_change"`
	NotesLastSeq    *int64 `json:"notes_last_seq"`
	NotesLastChange *int64 `json:"notes_last_change"`
}

// ticketJoined is the join reply; the notes fields are for staff only.
type ticketJoined struct {
	LastSeq         int64  `json:"last_seq"`
	LastChange      int64  `json:"last_change"`
	Reset           bool   `json:"reset"`
	NotesLastSeq    *int64 `json:"notes_last_seq,omitempty"`
	NotesLastChange *int64 `json:"notes_last_change,omitempty"`
	NotesReset      *bool  `json:"notes_reset,omitempty"`
}

// TicketPresenceEvent is the payload of user_joined and user_left on
// ticket:<id>: someone opened or left the ticket (one per socket). It
// carries no email, so customers can see it.
type TicketPresenceEvent struct {
	TicketID relay.ID     `json:"ticket_id"`
	User     relay.Person `json:"user"`
	Staff    bool         `json:"staff"`
}

// TicketTypingEvent is the payload of typing on ticket:<id>. Internal
// typing (a note being written) reaches staff only; its channel_id is the
// notes channel.
type TicketTypingEvent struct {
	TicketID    relay.ID `json:"ticket_id"`
	ChannelID   relay.ID `json:"channel_id"`
	UserID      relay.ID `json:"user_id"`
	DisplayName string   `json:"display_name"`
	Internal    bool     `json:"internal"`
	ExpiresInMS int      `json:"expires_in_ms"`
}

// ticketStream is one of a ticket join's streams while it is set up.
type ticketStream struct {
	notes               bool
	hubTopic            string
	sub                 *realtime.Subscription
	lastSeq, lastChange *int64 // the client's position, if sent
	seq, change         int64  // the stream's counters, read after subscribing
	cu                  *app.CatchUp
}

// joinTicket authorises ticket:<id> (customers: their own tickets; staff:
// all of the workspace), subscribes its streams holding live events, reads
// each stream's counters and catch-up, and replays and releases them after
// the reply — the channel join's scheme, once per stream.
func (h *Handler) joinTicket(ctx context.Context, c *phoenix.Conn, topic string, id relay.ID, params json.RawMessage) (any, func(), error) {
	s := st(c)
	actor := s.actor
	var p ticketJoin
	if len(params) > 0 {
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, nil, relay.Errorf(relay.EINVALID, "Join params must be {\"last_seq\": n, \"last_change\": n} (and, for staff, notes_last_seq and notes_last_change).")
		}
	}
	t, staff, err := h.app.Desk.TicketAccess(ctx, actor, id) // authorise before holding anything
	if err != nil {
		return nil, nil, err
	}
	if !staff && (p.NotesLastSeq != nil || p.NotesLastChange != nil) {
		return nil, nil, relay.Errorf(relay.EFORBIDDEN, "Internal notes are for staff: join without notes_last_seq and notes_last_change.")
	}
	streams := []*ticketStream{{hubTopic: topic, lastSeq: p.LastSeq, lastChange: p.LastChange}}
	if staff {
		streams = append(streams, &ticketStream{notes: true, hubTopic: relay.TicketStaffTopic(id), lastSeq: p.NotesLastSeq, lastChange: p.NotesLastChange})
	}
	for _, x := range streams {
		x.sub = h.hub.Subscribe(x.hubTopic, c, true)
	}
	fail := func(err error) (any, func(), error) {
		for _, x := range streams {
			h.hub.Unsubscribe(x.hubTopic, c)
		}
		return nil, nil, err
	}
	for _, x := range streams { // read after subscribing: no gap
		if x.seq, x.change, err = h.app.Desk.TicketCounters(ctx, actor, id, x.notes); err != nil {
			return fail(err)
		}
		if x.lastSeq == nil {
			continue
		}
		var lastChange int64 // without last_change, older messages' changes are not replayed
		if x.lastChange != nil {
			lastChange = *x.lastChange
		}
		if x.cu, err = h.app.Desk.TicketCatchUp(ctx, actor, id, x.notes, *x.lastSeq, lastChange); err != nil {
			return fail(err)
		}
	}
	conv := streams[0]
	resp := ticketJoined{LastSeq: conv.seq, LastChange: conv.change, Reset: conv.cu != nil && conv.cu.Reset}
	if staff {
		n := streams[1]
		reset := n.cu != nil && n.cu.Reset
		resp.NotesLastSeq, resp.NotesLastChange, resp.NotesReset = &n.seq, &n.change, &reset
	}
	s.mu.Lock()
	who := relay.Person{ID: actor.User.ID, DisplayName: s.name, AvatarURL: s.avatar}
	s.mu.Unlock()
	after := func() {
		// Every stream's replay first, then the live events held meanwhile:
		// a client sees both catch-ups before anything newer on either.
		releases := make([]func(), 0, len(streams))
		for _, x := range streams {
			release, ok := replayStream(c, topic, x)
			if !ok {
				return
			}
			releases = append(releases, release)
		}
		for _, release := range releases {
			release()
		}
		h.publishTicket(ctx, c, t, EvUserJoined, TicketPresenceEvent{TicketID: id, User: who, Staff: staff})
	}
	return resp, after, nil
}

// replayStream pushes a stream's catch-up and returns what releases its
// held events, skipping exactly what the replay covered, with the stream's
// own seq order guard (as joinChannel). It reports false once the socket
// is gone.
func replayStream(c *phoenix.Conn, topic string, x *ticketStream) (release func(), ok bool) {
	if x.cu == nil {
		o := &ordered{c: c, topic: topic, next: x.seq + 1}
		return func() { x.sub.Release(o.skip(nil)) }, true
	}
	maxSeq := *x.lastSeq
	replayed := make(map[relay.ID]int64, len(x.cu.Messages)+len(x.cu.Changed))
	for i := range x.cu.Messages {
		m := &x.cu.Messages[i]
		if err := c.Push(topic, app.EvMessageNew, m); err != nil {
			return nil, false
		}
		maxSeq, replayed[m.ID] = max(maxSeq, m.Seq), m.Change
	}
	for i := range x.cu.Changed {
		m := &x.cu.Changed[i]
		if err := c.Push(topic, app.EvMessageUpdated, m); err != nil {
			return nil, false
		}
		replayed[m.ID] = max(replayed[m.ID], m.Change)
	}
	if x.cu.Reset {
		return func() { x.sub.Release(nil) }, true
	}
	o := &ordered{c: c, topic: topic, next: maxSeq + 1}
	return func() {
		x.sub.Release(o.skip(func(ev relay.Event) bool {
			if ev.MessageID != 0 && ev.Change > 0 && ev.Seq == 0 {
				c, ok := replayed[ev.MessageID]
				return ok && ev.Change <= c
			}
			return false
		}))
	}, true
}

// joinDesk authorises desk:<workspace_id>: staff of that workspace.
func (h *Handler) joinDesk(c *phoenix.Conn, topic string, id relay.ID) (any, func(), error) {
	actor := st(c).actor
	if id != actor.Workspace.ID {
		return nil, nil, relay.Errorf(relay.EFORBIDDEN, "That is not your workspace.")
	}
	if !policy.DeskActor(actor) {
		return nil, nil, relay.Errorf(relay.EFORBIDDEN, "The desk is for agents, admins and owners, and members an admin gave it to.")
	}
	h.hub.Subscribe(topic, c, false)
	return nil, nil, nil
}

// ticketIn handles pushes on ticket:<id>: message:send (as POST
// /tickets/{id}/messages) and typing.
func (h *Handler) ticketIn(ctx context.Context, c *phoenix.Conn, topic string, id relay.ID, event string, payload json.RawMessage) (any, error) {
	s := st(c)
	switch event {
	case "message:send":
		var in app.TicketPostInput
		if err := strictDecode(payload, &in); err != nil {
			return nil, err
		}
		m, err := h.app.Desk.PostTicketMessage(ctx, s.actor, id, in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"message": m}, nil
	case "typing":
		var in struct {
			Internal bool `json:"internal"`
		}
		if err := strictDecode(payload, &in); err != nil {
			return nil, err
		}
		return nil, h.ticketTyping(ctx, c, topic, id, in.Internal)
	}
	return nil, relay.Errorf(relay.EINVALID, "Unknown event %q on ticket.", truncate(event, 40))
}

// ticketTyping relays a typing notice: on the conversation (the requester
// and staff see it) or, internal, to staff only.
func (h *Handler) ticketTyping(ctx context.Context, c *phoenix.Conn, topic string, id relay.ID, internal bool) error {
	s := st(c)
	key := topic
	if internal {
		key = relay.TicketStaffTopic(id)
	}
	now := h.now()
	s.mu.Lock()
	throttled := now.Sub(s.typing[key]) < TypingEvery
	if !throttled {
		s.typing[key] = now
	}
	s.mu.Unlock()
	t, staff, err := h.app.Desk.TicketAccess(ctx, s.actor, id)
	if err != nil {
		return err
	}
	if internal && !staff {
		return relay.Errorf(relay.EFORBIDDEN, "Internal notes are for staff.")
	}
	if throttled {
		return nil // accepted, but others were told recently enough
	}
	s.mu.Lock()
	name := s.name
	s.mu.Unlock()
	ev := TicketTypingEvent{TicketID: id, ChannelID: t.ChannelID, UserID: s.actor.User.ID, DisplayName: name,
		Internal: internal, ExpiresInMS: int(TypingTTL / time.Millisecond)}
	hubTopic := topic
	if internal {
		ev.ChannelID, hubTopic = t.NotesChannelID, relay.TicketStaffTopic(id)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	h.app.Messaging.Publish(ctx, relay.Event{Topic: hubTopic, Name: app.EvTyping, Payload: b, WorkspaceID: s.actor.Workspace.ID, Exclude: c.ID()})
	return nil
}

// publishTicket publishes an ephemeral event on ticket:<id>, for everyone
// on the ticket but c.
func (h *Handler) publishTicket(ctx context.Context, c *phoenix.Conn, t *relay.Ticket, name string, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		return
	}
	h.app.Messaging.Publish(ctx, relay.Event{Topic: relay.TicketTopic(t.ID), Name: name, Payload: b, WorkspaceID: t.WorkspaceID, Exclude: c.ID()})
}

// leaveTicket ends a ticket:<id> subscription's staff stream (phoenix ends
// the ticket:<id> one) and tells the others on the ticket. It runs for
// every ended ticket topic: left, stopped by the server, or the socket
// closed.
func (h *Handler) leaveTicket(c *phoenix.Conn, topic string) {
	if !strings.HasPrefix(topic, "ticket:") {
		return
	}
	kind, id, err := parseTopic(topic)
	if err != nil || kind != "ticket" {
		return
	}
	h.hub.Unsubscribe(relay.TicketStaffTopic(id), c)
	s, ok := c.State().(*state)
	if !ok {
		return
	}
	s.mu.Lock()
	who := relay.Person{ID: s.actor.User.ID, DisplayName: s.name, AvatarURL: s.avatar}
	s.mu.Unlock()
	staff := policy.DeskActor(s.actor)
	h.publishTicket(context.WithoutCancel(c.Context()), c, &relay.Ticket{ID: id, WorkspaceID: s.actor.Workspace.ID},
		EvUserLeft, TicketPresenceEvent{TicketID: id, User: who, Staff: staff})
}
