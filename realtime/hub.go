package realtime

import (
	"encoding/json"
	"errors"
	"hash/maphash"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/relayhq/relay"
)

// DefaultQueueLen is the per-connection bound, in frames, used when
// Options.QueueLen is zero.
const DefaultQueueLen = 1024

// shardCount is the number of lock shards for topics and for connections.
const shardCount = 64

// Conn is what the hub needs of a connection. The transport implements it.
type Conn interface {
	// ID identifies the connection across the cluster; relay.Event.Exclude
	// names it.
	ID() string
	// Send queues an encoded frame for delivery after everything queued
	// before it. It must never block, because it is called with a topic lock
	// held during a fan-out, and must not call the Hub. frame is shared by
	// every subscriber and must not be modified. When the connection's queue
	// is full, Send returns ErrQueueFull and the connection disconnects itself
	// (slow consumer); ErrClosed means it is gone.
	Send(frame []byte) error
	// Close disconnects the connection, after the frames already queued. It
	// must not block.
	Close(reason string)
}

// EncodeFunc encodes a broadcast once, for all subscribers of its topic, in
// the transport's wire format (for Phoenix: a complete WebSocket text frame
// holding [null, null, topic, event, payload]). topic is the event's client
// topic (ClientTopic).
type EncodeFunc func(topic, event string, payload json.RawMessage) ([]byte, error)

// Options configure a Hub.
type Options struct {
	// Encode encodes broadcast frames; required (phoenix.EncodeBroadcast).
	Encode EncodeFunc
	// QueueLen bounds, in events, what a buffered subscription may hold
	// before Release (beyond it the connection is closed as a slow
	// consumer), and is the default per-connection queue bound for
	// transports (QueueLen()). Default DefaultQueueLen.
	QueueLen int
	// Logger receives encode failures and slow consumers. Default slog.Default().
	Logger *slog.Logger
	// OnSlowConsumer, if set, is called on a goroutine of its own for each
	// connection disconnected because it could not keep up.
	OnSlowConsumer func(c Conn)
	// OnDispatch, if set, is called after each event with a subscriber, with
	// the number of frames queued for it. No hub lock is held, but a Presence
	// lock may be (for presence diffs): it must be quick and must not call
	// Presence. Meant for metrics.
	OnDispatch func(ev relay.Event, delivered int)
}

// Stats are the hub's counters since NewHub.
type Stats struct {
	Topics        int   // topics with at least one subscriber
	Subscriptions int   // current subscriptions
	Dispatched    int64 // events passed to Dispatch
	Encoded       int64 // broadcast frames encoded (at most one per event)
	Delivered     int64 // frames queued to connections (including released ones)
	SlowConsumers int64 // connections disconnected for being too slow
}

// Hub routes events to the connections subscribed to their topics. Its
// topics and its connection index are sharded to limit lock contention.
// All methods are safe for concurrent use.
type Hub struct {
	opts     Options
	log      *slog.Logger
	queueLen int
	seed     maphash.Seed

	topics [shardCount]topicShard
	conns  [shardCount]connShard

	nTopics, nSubs                        atomic.Int64
	dispatched, encoded, delivered, slows atomic.Int64
}

type topicShard struct {
	mu sync.RWMutex
	m  map[string]*topic
}

type connShard struct {
	mu sync.Mutex
	m  map[Conn][]*Subscription
}

// topic is one topic's subscribers. Its mutex serialises fan-outs, so every
// subscriber sees the topic's events in the same order.
type topic struct {
	name string
	mu   sync.Mutex
	subs []*Subscription
	dead bool // removed from its shard; Subscribe must look again
}

type heldEvent struct {
	ev    relay.Event
	frame []byte
}

// Subscription is one connection's interest in one topic.
type Subscription struct {
	hub  *Hub
	t    *topic
	conn Conn
	id   string

	// guarded by t.mu
	idx       int // position in t.subs; -1 once removed
	buffering bool
	held      []heldEvent
	skip      func(relay.Event) bool
}

// NewHub returns a hub. It panics if opts.Encode is nil: the encoding belongs
// to the transport (use phoenix.EncodeBroadcast).
func NewHub(opts Options) *Hub {
	if opts.Encode == nil {
		panic("realtime: Options.Encode is nil; the transport provides it (phoenix.EncodeBroadcast)")
	}
	h := &Hub{opts: opts, log: opts.Logger, queueLen: opts.QueueLen, seed: maphash.MakeSeed()}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.queueLen <= 0 {
		h.queueLen = DefaultQueueLen
	}
	for i := range h.topics {
		h.topics[i].m = make(map[string]*topic)
		h.conns[i].m = make(map[Conn][]*Subscription)
	}
	return h
}

// QueueLen returns the per-connection queue bound transports should use
// unless configured otherwise.
func (h *Hub) QueueLen() int { return h.queueLen }

func (h *Hub) topicShard(name string) *topicShard {
	return &h.topics[maphash.String(h.seed, name)%shardCount]
}

func (h *Hub) connShard(c Conn) *connShard {
	return &h.conns[maphash.String(h.seed, c.ID())%shardCount]
}

// lookup returns the live topic named name, creating it if create is set.
func (h *Hub) lookup(name string, create bool) *topic {
	s := h.topicShard(name)
	s.mu.RLock()
	t := s.m[name]
	s.mu.RUnlock()
	if t != nil || !create {
		return t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t = s.m[name]; t == nil {
		t = &topic{name: name}
		s.m[name] = t
		h.nTopics.Add(1)
	}
	return t
}

// Subscribe subscribes c to topic and returns the subscription. With buffered
// set, live events are held, in order, until Release. Subscribing a
// connection that is already subscribed returns the existing subscription;
// with buffered set it starts holding events again (until the next Release).
func (h *Hub) Subscribe(topic string, c Conn, buffered bool) *Subscription {
	cs := h.connShard(c)
	for {
		t := h.lookup(topic, true)
		t.mu.Lock()
		if t.dead {
			t.mu.Unlock()
			continue
		}
		cs.mu.Lock()
		for _, s := range cs.m[c] {
			if s.t == t {
				if buffered && !s.buffering {
					s.buffering, s.skip = true, nil
				}
				cs.mu.Unlock()
				t.mu.Unlock()
				return s
			}
		}
		s := &Subscription{hub: h, t: t, conn: c, id: c.ID(), idx: len(t.subs), buffering: buffered}
		t.subs = append(t.subs, s)
		cs.m[c] = append(cs.m[c], s)
		cs.mu.Unlock()
		t.mu.Unlock()
		h.nSubs.Add(1)
		return s
	}
}

// Unsubscribe ends c's subscription to topic, if any. Held events are dropped.
func (h *Hub) Unsubscribe(topic string, c Conn) {
	cs := h.connShard(c)
	var found *Subscription
	cs.mu.Lock()
	subs := cs.m[c]
	for i, s := range subs {
		if s.t.name == topic {
			found = s
			subs[i] = subs[len(subs)-1]
			subs[len(subs)-1] = nil
			subs = subs[:len(subs)-1]
			break
		}
	}
	if len(subs) == 0 {
		delete(cs.m, c)
	} else {
		cs.m[c] = subs
	}
	cs.mu.Unlock()
	if found != nil {
		h.remove(found)
	}
}

// UnsubscribeAll ends every subscription of c.
func (h *Hub) UnsubscribeAll(c Conn) {
	cs := h.connShard(c)
	cs.mu.Lock()
	subs := cs.m[c]
	delete(cs.m, c)
	cs.mu.Unlock()
	for _, s := range subs {
		h.remove(s)
	}
}

// remove takes s out of its topic, dropping the topic when it empties.
func (h *Hub) remove(s *Subscription) {
	t := s.t
	t.mu.Lock()
	if s.idx < 0 {
		t.mu.Unlock()
		return
	}
	last := len(t.subs) - 1
	moved := t.subs[last]
	t.subs[s.idx], moved.idx = moved, s.idx
	t.subs[last] = nil
	t.subs = t.subs[:last]
	s.idx, s.buffering, s.held, s.skip = -1, false, nil, nil
	if cap(t.subs) > 64 && len(t.subs) < cap(t.subs)/4 {
		t.subs = append([]*Subscription(nil), t.subs...) // give back a big topic's memory
	}
	empty := len(t.subs) == 0
	t.mu.Unlock()
	h.nSubs.Add(-1)
	if !empty {
		return
	}
	sh := h.topicShard(t.name)
	sh.mu.Lock()
	t.mu.Lock()
	if len(t.subs) == 0 && !t.dead && sh.m[t.name] == t {
		t.dead = true
		delete(sh.m, t.name)
		h.nTopics.Add(-1)
	}
	t.mu.Unlock()
	sh.mu.Unlock()
}

// Subscribers returns the number of connections subscribed to topic.
func (h *Hub) Subscribers(topic string) int {
	t := h.lookup(topic, false)
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}

// ClientTopic is the topic name clients see for the events of a hub topic.
// A hub topic of three parts, "<kind>:<id>:<audience>", is a narrower
// audience of the client topic "<kind>:<id>" (a ticket's staff-only events
// are on "ticket:<id>:staff"): the socket layer subscribes the connections
// of that audience to it when they join "<kind>:<id>", and its frames carry
// that name. Any other topic is its own client topic.
func ClientTopic(topic string) string {
	i := strings.IndexByte(topic, ':')
	if i < 0 {
		return topic
	}
	j := strings.IndexByte(topic[i+1:], ':')
	if j < 0 {
		return topic
	}
	return topic[:i+1+j]
}

// Broadcast dispatches an event built from its arguments (presence diffs,
// events that do not come from the bus).
func (h *Hub) Broadcast(topic, event string, payload json.RawMessage) {
	h.Dispatch(relay.Event{Topic: topic, Name: event, Payload: payload})
}

// Dispatch delivers ev to every subscriber of ev.Topic except the connection
// named by ev.Exclude. The frame is encoded once, only if there is a
// subscriber, and the same bytes are queued to all. Subscribers see a topic's
// events in one order. Dispatch never blocks on a connection: one whose queue
// is full is disconnected (slow consumer) and unsubscribed, and the others are
// unaffected.
func (h *Hub) Dispatch(ev relay.Event) {
	h.dispatched.Add(1)
	t := h.lookup(ev.Topic, false)
	if t == nil {
		return
	}
	var slow, overflowed, gone []Conn
	t.mu.Lock()
	if len(t.subs) == 0 {
		t.mu.Unlock()
		return
	}
	frame, err := h.opts.Encode(ClientTopic(ev.Topic), ev.Name, ev.Payload)
	if err != nil {
		t.mu.Unlock()
		h.log.Error("realtime: cannot encode event; dropped", "topic", ev.Topic, "event", ev.Name, "err", err)
		return
	}
	h.encoded.Add(1)
	delivered := 0
	for _, s := range t.subs {
		if ev.Exclude != "" && s.id == ev.Exclude {
			continue
		}
		if s.buffering {
			if len(s.held) >= h.queueLen {
				s.buffering, s.held = false, nil
				overflowed = append(overflowed, s.conn)
				continue
			}
			s.held = append(s.held, heldEvent{ev: ev, frame: frame})
			continue
		}
		if s.skip != nil && s.skip(ev) {
			continue
		}
		if err := s.conn.Send(frame); err != nil {
			if errors.Is(err, ErrQueueFull) {
				slow = append(slow, s.conn)
			} else {
				gone = append(gone, s.conn) // closed: its subscriptions are stale
			}
			continue
		}
		delivered++
	}
	t.mu.Unlock()
	h.delivered.Add(int64(delivered))
	for _, c := range overflowed {
		c.Close("slow consumer")
	}
	for _, c := range gone {
		h.UnsubscribeAll(c)
	}
	h.slowConsumers(slow, overflowed)
	if h.opts.OnDispatch != nil {
		h.opts.OnDispatch(ev, delivered)
	}
}

func (h *Hub) slowConsumers(lists ...[]Conn) {
	for _, l := range lists {
		for _, c := range l {
			h.slows.Add(1)
			h.log.Warn("realtime: slow consumer disconnected", "conn", c.ID())
			h.UnsubscribeAll(c)
			if fn := h.opts.OnSlowConsumer; fn != nil {
				go fn(c) // we may be under a Presence lock; the hook may not know
			}
		}
	}
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	return Stats{
		Topics:        int(h.nTopics.Load()),
		Subscriptions: int(h.nSubs.Load()),
		Dispatched:    h.dispatched.Load(),
		Encoded:       h.encoded.Load(),
		Delivered:     h.delivered.Load(),
		SlowConsumers: h.slows.Load(),
	}
}

// Topic returns the subscription's topic.
func (s *Subscription) Topic() string { return s.t.name }

// Conn returns the subscribed connection.
func (s *Subscription) Conn() Conn { return s.conn }

// Release ends the buffering of a subscription made with buffered=true: it
// queues the held events, in order, except those for which skip returns true
// (already sent as catch-up), then switches to live delivery. Dispatch cannot
// run in between, so no event is lost or duplicated across the switch.
//
// skip (may be nil) stays in force for live events too, so an event that was
// committed before the catch-up read but was still in flight on the bus when
// Release returned is not delivered twice; with the per-channel Seq or Change
// counters that is a single comparison. skip runs with the topic's lock held:
// it must be fast and must not call the Hub or Presence.
//
// Release on a live or ended subscription only installs skip.
func (s *Subscription) Release(skip func(relay.Event) bool) {
	t := s.t
	var slow []Conn
	delivered := 0
	t.mu.Lock()
	if s.idx >= 0 {
		s.skip = skip
	}
	if s.idx < 0 || !s.buffering {
		t.mu.Unlock()
		return
	}
	held := s.held
	s.held, s.buffering = nil, false
	for _, e := range held {
		if skip != nil && skip(e.ev) {
			continue
		}
		if err := s.conn.Send(e.frame); err != nil {
			if errors.Is(err, ErrQueueFull) {
				slow = append(slow, s.conn)
			}
			break
		}
		delivered++
	}
	t.mu.Unlock()
	s.hub.delivered.Add(int64(delivered))
	s.hub.slowConsumers(slow)
}
