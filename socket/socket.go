package socket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/strictjson"
	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/policy"
	"github.com/relayhq/relay/realtime"
)

// Tunables.
const (
	TypingEvery  = 2 * time.Second  // at most one typing notice per socket and topic this often
	TypingTTL    = 5 * time.Second  // how long clients show a typing notice
	AwayAfter    = 10 * time.Minute // an online meta goes away after this long without activity
	awayInterval = 30 * time.Second // how often inactivity is checked
)

// Handler implements phoenix.Handler for Relay.
type Handler struct {
	app      *app.App
	hub      *realtime.Hub
	presence *realtime.Presence
	log      *slog.Logger
	now      func() time.Time
	live     app.LiveReporter // the dashboard's live figures

	mu    sync.Mutex
	conns map[relay.ID]map[*phoenix.Conn]struct{} // by user, on this node
}

var _ phoenix.Handler = (*Handler)(nil)

// New returns a Handler. Call Run to start its background work.
func New(a *app.App, hub *realtime.Hub, p *realtime.Presence, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{app: a, hub: hub, presence: p, log: log, now: time.Now, live: a.Desk.Live(), conns: map[relay.ID]map[*phoenix.Conn]struct{}{}}
}

// state is what a connection carries.
type state struct {
	actor     *relay.Actor
	token     string // re-checked at the first join: a socket outlives changes to its access
	viaCookie bool
	verified  bool // the first join re-checked the credential; set on the reader goroutine only

	mu         sync.Mutex
	lastActive time.Time
	autoAway   bool
	typing     map[string]time.Time // topic → last notice
	status     relay.Status         // the user's chosen status, mirrored into presence metas
	// name and avatar start as the actor's and follow member:updated, so
	// presence metas and typing notices show a rename without a reconnect.
	name, avatar string
	// counted: the socket is in the live figures (from its first join to
	// Disconnect); rooms are the ticket topics it is counted in.
	counted bool
	rooms   map[string]bool
}

func st(c *phoenix.Conn) *state { return c.State().(*state) }

// Connect authenticates the upgrade: the workspace comes from the Host (the
// HTTP layer resolved it), the credential from the token parameter, the
// bearer subprotocol, an Authorization header or the session cookie.
func (h *Handler) Connect(r *http.Request) (any, error) {
	ws := relay.WorkspaceFromContext(r.Context())
	if ws == nil {
		return nil, relay.Errorf(relay.ENOTFOUND, "No workspace at this address.")
	}
	token, viaCookie := r.URL.Query().Get("token"), false
	if token == "" {
		token, _ = phoenix.BearerToken(r)
	}
	if token == "" {
		if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			token = strings.TrimSpace(a[7:])
		}
	}
	if token == "" {
		if c, err := r.Cookie("relay_session"); err == nil {
			token, viaCookie = c.Value, true
		}
	}
	if token == "" {
		return nil, relay.Errorf(relay.EUNAUTHORIZED, "Sign in to connect.")
	}
	actor, err := h.app.Accounts.Authenticate(r.Context(), ws, token, viaCookie)
	if err != nil {
		return nil, err
	}
	s := &state{actor: actor, token: token, viaCookie: viaCookie, lastActive: h.now(), typing: map[string]time.Time{},
		name: actor.User.DisplayName, avatar: actor.User.AvatarURL}
	if sts, err := h.app.Messaging.Statuses(r.Context(), actor); err == nil {
		if mine, ok := sts[actor.User.ID]; ok {
			s.status = mine
		}
	}
	return s, nil
}

// parseTopic splits "kind:id".
func parseTopic(topic string) (kind string, id relay.ID, err error) {
	kind, rest, ok := strings.Cut(topic, ":")
	if !ok {
		return "", 0, relay.Errorf(relay.ENOTFOUND, "unmatched topic")
	}
	id, err = relay.ParseID(rest)
	if err != nil {
		return "", 0, relay.Errorf(relay.ENOTFOUND, "unmatched topic")
	}
	return kind, id, nil
}

// Join authorises a topic and sets up its delivery, and counts ticket
// rooms for the dashboard's live figures.
func (h *Handler) Join(ctx context.Context, c *phoenix.Conn, topic string, params json.RawMessage) (any, func(), error) {
	resp, after, err := h.join(ctx, c, topic, params)
	if err == nil && strings.HasPrefix(topic, "ticket:") {
		s := st(c)
		s.mu.Lock()
		added := !s.rooms[topic]
		if added {
			if s.rooms == nil {
				s.rooms = map[string]bool{}
			}
			s.rooms[topic] = true
		}
		s.mu.Unlock()
		if added {
			h.live.TicketRoomJoined(s.actor.Workspace.ID)
		}
	}
	return resp, after, err
}

func (h *Handler) join(ctx context.Context, c *phoenix.Conn, topic string, params json.RawMessage) (any, func(), error) {
	s := st(c)
	s.touch(h.now())
	h.track(c)
	// The credential and role were checked at connect, but a session can end
	// or a role change before the socket is tracked (revocation events only
	// reach tracked sockets): check once more at the first join. Tracking
	// comes first, so every change after this check closes the socket.
	if !s.verified {
		fresh, err := h.app.Accounts.Authenticate(ctx, s.actor.Workspace, s.token, s.viaCookie)
		if err != nil && relay.ErrorCode(err) != relay.EUNAUTHORIZED {
			// Not an answer about access (the database is down, say):
			// this join fails, the socket stays, and the next join checks
			// again.
			return nil, nil, err
		}
		if err != nil || fresh.Role() != s.actor.Role() || policy.DeskActor(fresh) != policy.DeskActor(s.actor) {
			go c.Close("access changed")
			return nil, nil, relay.Errorf(relay.EUNAUTHORIZED, "Your access changed: reconnect.")
		}
		s.verified = true
	}
	kind, id, err := parseTopic(topic)
	if err != nil {
		return nil, nil, err
	}
	switch kind {
	case "channel":
		return h.joinChannel(ctx, c, topic, id, params)
	case "workspace":
		if id != s.actor.Workspace.ID {
			return nil, nil, relay.Errorf(relay.EFORBIDDEN, "That is not your workspace.")
		}
		// The workspace topic carries staff's presence, public channels and
		// the member list: none of it is a customer's business (they would
		// see other customers and internal channel names).
		if s.actor.Role() == relay.RoleCustomer {
			return nil, nil, relay.Errorf(relay.EFORBIDDEN, "Customers follow their own tickets, not the workspace.")
		}
		return h.joinWorkspace(c, topic)
	case "user":
		if id != s.actor.User.ID {
			return nil, nil, relay.Errorf(relay.EFORBIDDEN, "You can only join your own user topic.")
		}
		h.hub.Subscribe(topic, c, false)
		return nil, nil, nil
	case "ticket":
		return h.joinTicket(ctx, c, topic, id, params)
	case "desk":
		return h.joinDesk(c, topic, id)
	}
	return nil, nil, relay.Errorf(relay.ENOTFOUND, "unmatched topic")
}

type channelJoin struct {
	LastSeq    *int64 `json:"last_seq"`
	LastChange *int64 `json:"last_change"`
}

type channelJoined struct {
	LastSeq    int64 `json:"last_seq"`
	LastChange int64 `json:"last_change"`
	Reset      bool  `json:"reset"`
}

// joinChannel subscribes first (holding live events), then reads what the
// client missed: whatever committed before the read is in the catch-up,
// whatever committed after is held, and the overlap is skipped by seq and
// change when the held events are released — no gap, no duplicate.
func (h *Handler) joinChannel(ctx context.Context, c *phoenix.Conn, topic string, id relay.ID, params json.RawMessage) (any, func(), error) {
	actor := st(c).actor
	var p channelJoin
	if len(params) > 0 {
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, nil, relay.Errorf(relay.EINVALID, "Join params must be {\"last_seq\": n, \"last_change\": n}.")
		}
	}
	if _, err := h.app.Messaging.ChannelAccess(ctx, actor, id); err != nil { // authorise before holding anything
		return nil, nil, err
	}
	sub := h.hub.Subscribe(topic, c, true)
	ch, err := h.app.Messaging.ChannelAccess(ctx, actor, id) // counters read after subscribing
	if err != nil {
		h.hub.Unsubscribe(topic, c)
		return nil, nil, err
	}
	resp := channelJoined{LastSeq: ch.LastSeq, LastChange: ch.LastChange}
	if p.LastSeq == nil {
		o := &ordered{c: c, topic: topic, next: ch.LastSeq + 1}
		return resp, func() { sub.Release(o.skip(nil)) }, nil
	}
	var lastChange int64 // without last_change, older messages' changes are not replayed
	if p.LastChange != nil {
		lastChange = *p.LastChange
	}
	cu, err := h.app.Messaging.CatchUp(ctx, actor, id, *p.LastSeq, lastChange)
	if err != nil {
		h.hub.Unsubscribe(topic, c)
		return nil, nil, err
	}
	resp.Reset = cu.Reset
	after := func() {
		// The replay sends each message's latest state: new ones (seq >
		// last_seq, contiguous) and, with last_change, every older one
		// changed since. A held event is covered exactly when it is a
		// message:new up to the last replayed seq, or a change to a message
		// the replay sent at that change or a later one. (Comparing changes
		// across different messages would drop an edit to an old message
		// that the replay did not include.)
		maxSeq := *p.LastSeq
		replayed := make(map[relay.ID]int64, len(cu.Messages)+len(cu.Changed))
		for i := range cu.Messages {
			m := &cu.Messages[i]
			if err := c.Push(topic, app.EvMessageNew, m); err != nil {
				return
			}
			maxSeq, replayed[m.ID] = max(maxSeq, m.Seq), m.Change
		}
		for i := range cu.Changed {
			m := &cu.Changed[i]
			if err := c.Push(topic, app.EvMessageUpdated, m); err != nil {
				return
			}
			replayed[m.ID] = max(replayed[m.ID], m.Change)
		}
		if cu.Reset {
			sub.Release(nil)
			return
		}
		// skip also filters later live events (a bus may deliver an event
		// committed before the read after the release): keep it cheap.
		o := &ordered{c: c, topic: topic, next: maxSeq + 1}
		sub.Release(o.skip(func(ev relay.Event) bool {
			if ev.MessageID != 0 && ev.Change > 0 && ev.Seq == 0 {
				c, ok := replayed[ev.MessageID]
				return ok && ev.Change <= c
			}
			return false
		}))
	}
	return resp, after, nil
}

// joinWorkspace holds live presence diffs while the state is pushed, so the
// client sees the state, then every diff after it.
func (h *Handler) joinWorkspace(c *phoenix.Conn, topic string) (any, func(), error) {
	sub := h.hub.Subscribe(topic, c, true)
	after := func() {
		if err := c.Push(topic, "presence_state", h.presence.State(topic)); err != nil {
			return
		}
		sub.Release(nil)
		h.presence.Track(topic, st(c).actor.User.ID.String(), c, h.meta(c))
	}
	return nil, after, nil
}

// meta is this connection's presence meta.
func (h *Handler) meta(c *phoenix.Conn) map[string]any {
	s := st(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	status := s.status.Presence
	if status == "" || status == relay.PresenceOnline {
		status = relay.PresenceOnline
		if s.autoAway {
			status = relay.PresenceAway
		}
	}
	text, emoji := s.status.Text, s.status.Emoji
	if s.status.ExpiresAt != nil && !s.status.ExpiresAt.After(h.now()) {
		text, emoji = "", ""
	}
	return map[string]any{
		"user_id":        s.actor.User.ID,
		"display_name":   s.name,
		"avatar_url":     s.avatar,
		"status":         status,
		"text":           text,
		"emoji":          emoji,
		"online_at":      s.lastActive.UTC().Format(time.RFC3339),
		"last_active_at": s.lastActive.UTC().Format(time.RFC3339),
	}
}

func (s *state) touch(now time.Time) (wasAway bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastActive = now
	wasAway, s.autoAway = s.autoAway, false
	return wasAway
}

// track remembers the connection under its user, for revocation and status,
// and counts it in the live figures at its first join.
func (h *Handler) track(c *phoenix.Conn) {
	s := st(c)
	s.mu.Lock()
	first := !s.counted
	s.counted = true
	s.mu.Unlock()
	if first {
		h.live.SocketOpened(s.actor.Workspace.ID, s.actor.User.ID, policy.DeskActor(s.actor))
	}
	uid := s.actor.User.ID
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[uid] == nil {
		h.conns[uid] = map[*phoenix.Conn]struct{}{}
	}
	h.conns[uid][c] = struct{}{}
}

func (h *Handler) connsOf(uid relay.ID) []*phoenix.Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*phoenix.Conn, 0, len(h.conns[uid]))
	for c := range h.conns[uid] {
		out = append(out, c)
	}
	return out
}

// HandleIn handles client pushes.
func (h *Handler) HandleIn(ctx context.Context, c *phoenix.Conn, topic, event string, payload json.RawMessage) (any, error) {
	s := st(c)
	if s.touch(h.now()) {
		h.refreshPresence(s.actor.User.ID) // back from auto-away
	}
	kind, id, err := parseTopic(topic)
	if err != nil {
		return nil, err
	}
	switch {
	case kind == "channel" && event == "message:send":
		var in app.PostInput
		if err := strictDecode(payload, &in); err != nil {
			return nil, err
		}
		m, err := h.app.Messaging.PostMessage(ctx, s.actor, id, in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"message": m}, nil
	case kind == "channel" && event == "typing":
		var in struct {
			ParentID *relay.ID `json:"parent_id"`
		}
		if err := strictDecode(payload, &in); err != nil {
			return nil, err
		}
		return nil, h.typing(ctx, c, topic, id, in.ParentID)
	case kind == "channel" && event == "read":
		var in struct {
			Seq *int64 `json:"seq"`
		}
		if err := strictDecode(payload, &in); err != nil {
			return nil, err
		}
		if in.Seq == nil {
			return nil, relay.Errorf(relay.EINVALID, "seq is required.")
		}
		m, err := h.app.Messaging.MarkRead(ctx, s.actor, id, *in.Seq)
		if err != nil {
			return nil, err
		}
		return map[string]any{"membership": m}, nil
	case kind == "workspace" && event == "activity":
		return nil, nil
	case kind == "ticket":
		return h.ticketIn(ctx, c, topic, id, event, payload)
	}
	return nil, relay.Errorf(relay.EINVALID, "Unknown event %q on %s.", truncate(event, 40), kind)
}

// TypingEvent is the payload of typing notices.
type TypingEvent struct {
	ChannelID   relay.ID  `json:"channel_id"`
	UserID      relay.ID  `json:"user_id"`
	DisplayName string    `json:"display_name"`
	ParentID    *relay.ID `json:"parent_id"`
	ExpiresInMS int       `json:"expires_in_ms"`
}

func (h *Handler) typing(ctx context.Context, c *phoenix.Conn, topic string, channelID relay.ID, parent *relay.ID) error {
	s := st(c)
	now := h.now()
	s.mu.Lock()
	last := s.typing[topic]
	throttled := now.Sub(last) < TypingEvery
	if !throttled {
		s.typing[topic] = now
	}
	s.mu.Unlock()
	if throttled {
		return nil // accepted, but others were told recently enough
	}
	ch, err := h.app.Messaging.ChannelAccess(ctx, s.actor, channelID)
	if err != nil {
		return err
	}
	if !ch.IsMember || ch.Archived {
		return relay.Errorf(relay.EFORBIDDEN, "Join the channel to type in it.")
	}
	s.mu.Lock()
	name := s.name
	s.mu.Unlock()
	b, err := json.Marshal(TypingEvent{ChannelID: channelID, UserID: s.actor.User.ID, DisplayName: name,
		ParentID: parent, ExpiresInMS: int(TypingTTL / time.Millisecond)})
	if err != nil {
		return err
	}
	h.app.Messaging.Publish(ctx, relay.Event{Topic: topic, Name: app.EvTyping, Payload: b, WorkspaceID: s.actor.Workspace.ID, Exclude: c.ID()})
	return nil
}

// Leave is called when a topic is left; the hub and presence are already
// cleaned up (but for a ticket's staff stream: leaveTicket). A ticket room
// stops counting.
func (h *Handler) Leave(c *phoenix.Conn, topic string) {
	h.leaveTicket(c, topic)
	s, ok := c.State().(*state)
	if !ok {
		return
	}
	s.mu.Lock()
	was := s.rooms[topic]
	delete(s.rooms, topic)
	s.mu.Unlock()
	if was {
		h.live.TicketRoomLeft(s.actor.Workspace.ID)
	}
}

// Disconnect forgets the connection.
func (h *Handler) Disconnect(c *phoenix.Conn) {
	s, ok := c.State().(*state)
	if !ok {
		return
	}
	s.mu.Lock()
	counted := s.counted
	s.counted = false
	s.mu.Unlock()
	if counted {
		h.live.SocketClosed(s.actor.Workspace.ID, s.actor.User.ID, policy.DeskActor(s.actor))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns[s.actor.User.ID], c)
	if len(h.conns[s.actor.User.ID]) == 0 {
		delete(h.conns, s.actor.User.ID)
	}
}

// refreshPresence re-sends the presence metas of a user's connections.
func (h *Handler) refreshPresence(uid relay.ID) {
	for _, c := range h.connsOf(uid) {
		s := st(c)
		topic := relay.WorkspaceTopic(s.actor.Workspace.ID)
		if _, ok := c.Joined(topic); ok {
			h.presence.Update(topic, uid.String(), c, h.meta(c))
		}
	}
}

// strictDecode reads a push's payload into v: unknown fields, wrong types
// and a key named twice in one object (at any depth) are refused.
func strictDecode(payload json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload)) // no copy of the payload
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return relay.Errorf(relay.EINVALID, "The payload does not match this event: %s.", truncate(err.Error(), 120))
	}
	var dup *strictjson.DuplicateKeyError
	if errors.As(strictjson.CheckDuplicateKeys(payload), &dup) {
		where := ""
		if dup.Path != "" {
			where = " in " + truncate(dup.Path, 120)
		}
		return relay.Errorf(relay.EINVALID, "The payload names the key %s twice%s: each key may appear only once in an object.",
			truncate(strconv.Quote(dup.Key), 120), where)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ordered keeps one subscription's message:new events in seq order without
// gaps. One node publishes a channel's messages in order, but in a cluster
// two nodes posting to one channel publish independently, so a socket could
// see seq N+1 before N; a client that then dropped would rejoin past N and
// never get it. On a gap the subscription stops delivering and asks the
// client to rejoin (phx_error), which replays from the store in order.
// skip runs under the hub's topic lock, one event at a time.
type ordered struct {
	c      *phoenix.Conn
	topic  string
	next   int64 // the seq the client needs next
	broken bool
}

func (o *ordered) skip(also func(relay.Event) bool) func(relay.Event) bool {
	return func(ev relay.Event) bool {
		if o.broken {
			return true
		}
		if ev.Seq > 0 {
			switch {
			case ev.Seq < o.next:
				return true // already delivered or replayed
			case ev.Seq > o.next:
				o.broken = true
				go o.c.CloseChannel(o.topic, true)
				return true
			}
			o.next++
			return false
		}
		return also != nil && also(ev)
	}
}
