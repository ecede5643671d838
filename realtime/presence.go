package realtime

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultDiffWindow is how long a topic's presence changes are gathered
// into one presence_diff unless configured otherwise (DiffWindow).
const DefaultDiffWindow = 50 * time.Millisecond

// Presence tracks which connections are present on which topics, each with
// a key (a user) and a meta (a device or tab: any JSON object), in the
// format of phoenix.js's Presence: State answers presence_state, and changes
// are broadcast on the topic through the hub as presence_diff events with
// payload {"joins": {...}, "leaves": {...}}, both always present.
//
// Every tracked meta carries a unique "phx_ref"; Update gives it a new one
// plus "phx_ref_prev", and the diff holds the new meta in joins and the old
// one in leaves, as Phoenix.Tracker does.
//
// Coalescing: a topic's changes are gathered for a short window (DiffWindow,
// default DefaultDiffWindow) and broadcast as one presence_diff, so N
// sockets joining at once cost about one diff per window to each
// subscriber instead of N. A join and a leave of the same phx_ref within one
// window cancel out, unless State was read in between (a joiner may hold the
// meta in its state: the diff then carries the join and the leave, which
// phoenix.js applies joins first, so the meta ends absent everywhere).
//
// Consistency with State: State reflects every change, flushed or not, and
// changes still pending are delivered later to every subscriber, including
// one that subscribed before reading State. A joiner may thus receive, after
// its state, a join it already has (phoenix.js dedupes joins by phx_ref) or a
// leave of a ref it never had (ignored): harmless. It never misses a change
// made after its state, since that change is in a later diff. The joiner must
// subscribe before reading State (buffered, as socket.joinWorkspace does).
//
// Encoding: each meta is encoded to JSON once, when tracked or updated;
// presence_state and presence_diff payloads are concatenations of those
// encodings, and a topic's state is cached until its next change, so a
// joiner costs a copy, not an encode.
//
// Presence is node-local: State and the diffs cover only the connections of
// this process. Diffs are dispatched to the local hub, not published on the
// bus, so in a cluster a user sees only the presences on their own node.
// (A cluster-wide tracker would replicate entries per node and expire a
// node's entries when it vanishes; it is not built.)
//
// Diffs are dispatched while the topic's presence lock is held, so their
// order matches the order of the changes. Methods are safe for concurrent use.
type Presence struct {
	hub    *Hub
	window time.Duration
	// after runs f once d has passed (time.AfterFunc); tests replace it to
	// fire the window's end themselves (export_test.go).
	after  func(d time.Duration, f func())
	seed   maphash.Seed
	node   [4]byte // random, so refs from different processes differ
	seq    atomic.Uint64
	topics [shardCount]presenceShard
	conns  [shardCount]presenceConns
}

// PresenceOption configures NewPresence.
type PresenceOption func(*Presence)

// DiffWindow sets how long changes are gathered into one presence_diff; 0
// (or less) broadcasts one diff per change, at once.
func DiffWindow(d time.Duration) PresenceOption {
	return func(p *Presence) { p.window = max(d, 0) }
}

type presenceShard struct {
	mu sync.Mutex
	m  map[string]*presenceTopic
}

type presenceConns struct {
	mu sync.Mutex
	m  map[Conn][]string // topics where the connection tracks something
}

type presenceTopic struct {
	keys   map[string][]*presenceEntry // in track order
	byConn map[Conn][]*presenceEntry
	state  []byte // encoded state, cached; nil after a change

	// The diff being gathered (see flushLocked).
	epoch     uint64         // bumped by State while joins are pending
	joins     []pendingMeta  // in order; js nil once cancelled
	leaves    []pendingMeta  // in order
	joinIndex map[string]int // phx_ref → index in joins, for cancelling
	scheduled bool           // a flush timer is set
}

type pendingMeta struct {
	kjs   []byte // encoded key
	js    []byte // encoded meta
	epoch uint64 // of the topic when the join was gathered
}

type presenceEntry struct {
	key  string
	kjs  []byte // key, encoded
	conn Conn
	ref  string
	meta map[string]any // owned; includes phx_ref; never modified once shared
	js   []byte         // meta, encoded; nil if meta is not JSON
}

// NewPresence returns a tracker that broadcasts through h.
func NewPresence(h *Hub, opts ...PresenceOption) *Presence {
	p := &Presence{hub: h, window: DefaultDiffWindow, seed: maphash.MakeSeed(),
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
	for _, o := range opts {
		o(p)
	}
	_, _ = rand.Read(p.node[:])
	for i := range p.topics {
		p.topics[i].m = make(map[string]*presenceTopic)
		p.conns[i].m = make(map[Conn][]string)
	}
	return p
}

func (p *Presence) shard(topic string) *presenceShard {
	return &p.topics[maphash.String(p.seed, topic)%shardCount]
}

func (p *Presence) connShard(c Conn) *presenceConns {
	return &p.conns[maphash.String(p.seed, c.ID())%shardCount]
}

// newRef returns a phx_ref: 12 bytes (node, counter) in URL-safe base64, as
// Phoenix makes them.
func (p *Presence) newRef() string {
	var b [12]byte
	copy(b[:4], p.node[:])
	binary.BigEndian.PutUint64(b[4:], p.seq.Add(1))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func withRefs(meta map[string]any, ref, prev string) map[string]any {
	m := make(map[string]any, len(meta)+2)
	for k, v := range meta {
		m[k] = v
	}
	delete(m, "phx_ref_prev")
	m["phx_ref"] = ref
	if prev != "" {
		m["phx_ref_prev"] = prev
	}
	return m
}

// setMeta gives e a new meta with refs, encoded once.
func (p *Presence) setMeta(topic string, e *presenceEntry, meta map[string]any, ref, prev string) {
	e.ref = ref
	e.meta = withRefs(meta, ref, prev)
	js, err := json.Marshal(e.meta)
	if err != nil {
		p.hub.log.Error("realtime: presence meta is not JSON; left out of state and diffs", "topic", topic, "err", err)
		js = nil
	}
	e.js = js
}

// Track marks c present on topic under key with meta (copied), broadcasts
// the join and returns the meta's phx_ref. Tracking the same (topic, key, c)
// again is an Update.
func (p *Presence) Track(topic, key string, c Conn, meta map[string]any) (phxRef string) {
	sh := p.shard(topic)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	pt := sh.m[topic]
	if pt == nil {
		pt = &presenceTopic{keys: make(map[string][]*presenceEntry), byConn: make(map[Conn][]*presenceEntry)}
		sh.m[topic] = pt
	}
	if e := pt.find(key, c); e != nil {
		return p.updateLocked(topic, pt, e, meta)
	}
	kjs, _ := json.Marshal(key) // a string always encodes
	e := &presenceEntry{key: key, kjs: kjs, conn: c}
	ref := p.newRef()
	p.setMeta(topic, e, meta, ref, "")
	pt.keys[key] = append(pt.keys[key], e)
	if len(pt.byConn[c]) == 0 {
		cs := p.connShard(c)
		cs.mu.Lock()
		cs.m[c] = append(cs.m[c], topic)
		cs.mu.Unlock()
	}
	pt.byConn[c] = append(pt.byConn[c], e)
	pt.addJoin(e)
	p.changedLocked(topic, sh, pt)
	return ref
}

// Update replaces the meta of c under key on topic (tracking it if it is
// not tracked): the new meta gets a new phx_ref and phx_ref_prev, and the
// diff carries it in joins and the old meta in leaves.
func (p *Presence) Update(topic, key string, c Conn, meta map[string]any) {
	sh := p.shard(topic)
	sh.mu.Lock()
	pt := sh.m[topic]
	var e *presenceEntry
	if pt != nil {
		e = pt.find(key, c)
	}
	if e == nil {
		sh.mu.Unlock()
		p.Track(topic, key, c, meta)
		return
	}
	p.updateLocked(topic, pt, e, meta)
	sh.mu.Unlock()
}

func (p *Presence) updateLocked(topic string, pt *presenceTopic, e *presenceEntry, meta map[string]any) string {
	sh := p.shard(topic)
	pt.addLeave(e)
	ref := p.newRef()
	p.setMeta(topic, e, meta, ref, e.ref)
	pt.addJoin(e)
	p.changedLocked(topic, sh, pt)
	return ref
}

func (pt *presenceTopic) find(key string, c Conn) *presenceEntry {
	for _, e := range pt.byConn[c] {
		if e.key == key {
			return e
		}
	}
	return nil
}

// addJoin gathers the join of e's current meta.
func (pt *presenceTopic) addJoin(e *presenceEntry) {
	if e.js == nil {
		return
	}
	if pt.joinIndex == nil {
		pt.joinIndex = make(map[string]int)
	}
	pt.joinIndex[e.ref] = len(pt.joins)
	pt.joins = append(pt.joins, pendingMeta{kjs: e.kjs, js: e.js, epoch: pt.epoch})
}

// addLeave gathers the leave of e's current meta. A pending join of the same
// ref is cancelled instead, unless State was read since it was gathered.
func (pt *presenceTopic) addLeave(e *presenceEntry) {
	if e.js == nil {
		return
	}
	if i, ok := pt.joinIndex[e.ref]; ok {
		delete(pt.joinIndex, e.ref)
		if pt.joins[i].epoch == pt.epoch {
			pt.joins[i].js = nil // nobody can have seen it
			return
		}
	}
	pt.leaves = append(pt.leaves, pendingMeta{kjs: e.kjs, js: e.js})
}

// changedLocked records that pt changed: the cached state is dropped and the
// diff is flushed now (no window) or when the window ends.
func (p *Presence) changedLocked(topic string, sh *presenceShard, pt *presenceTopic) {
	pt.state = nil
	if p.window <= 0 {
		p.flushLocked(topic, sh, pt)
		return
	}
	if !pt.scheduled {
		pt.scheduled = true
		p.after(p.window, func() {
			sh.mu.Lock()
			defer sh.mu.Unlock()
			pt.scheduled = false
			p.flushLocked(topic, sh, pt)
		})
	}
}

// flushLocked broadcasts the gathered diff, if not empty, and drops the
// topic once it has neither presences nor a diff to send.
func (p *Presence) flushLocked(topic string, sh *presenceShard, pt *presenceTopic) {
	joins, leaves := pt.joins, pt.leaves
	pt.joins, pt.leaves = pt.joins[:0], pt.leaves[:0]
	clear(pt.joinIndex)
	if cap(pt.joins) > 64 {
		pt.joins, pt.joinIndex = nil, nil
	}
	if cap(pt.leaves) > 64 {
		pt.leaves = nil
	}
	var payload []byte
	n := 32
	for _, m := range joins {
		n += len(m.kjs) + len(m.js) + 16
	}
	for _, m := range leaves {
		n += len(m.kjs) + len(m.js) + 16
	}
	payload = make([]byte, 0, n)
	payload = append(payload, `{"joins":`...)
	payload, nj := appendGrouped(payload, joins)
	payload = append(payload, `,"leaves":`...)
	payload, nl := appendGrouped(payload, leaves)
	payload = append(payload, '}')
	clear(joins)
	clear(leaves)
	if len(pt.keys) == 0 && !pt.scheduled && sh.m[topic] == pt {
		delete(sh.m, topic)
	}
	if nj+nl == 0 {
		return
	}
	p.hub.Broadcast(topic, "presence_diff", payload)
}

// appendGrouped appends {"<key>":{"metas":[…]},…} for ms (cancelled ones
// skipped), grouping metas by key in order of appearance, and returns how
// many metas it wrote.
func appendGrouped(b []byte, ms []pendingMeta) ([]byte, int) {
	b = append(b, '{')
	written := 0
	var order []string
	groups := make(map[string][]int)
	for i, m := range ms {
		if m.js == nil {
			continue
		}
		k := string(m.kjs)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for n, k := range order {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, k...)
		b = append(b, `:{"metas":[`...)
		for j, i := range groups[k] {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, ms[i].js...)
			written++
		}
		b = append(b, "]}"...)
	}
	return append(b, '}'), written
}

// Untrack removes everything c tracks on topic and broadcasts the leaves.
func (p *Presence) Untrack(topic string, c Conn) {
	if p.untrack(topic, c) {
		cs := p.connShard(c)
		cs.mu.Lock()
		topics := cs.m[c]
		for i, t := range topics {
			if t == topic {
				topics = append(topics[:i], topics[i+1:]...)
				break
			}
		}
		if len(topics) == 0 {
			delete(cs.m, c)
		} else {
			cs.m[c] = topics
		}
		cs.mu.Unlock()
	}
}

// UntrackAll removes everything c tracks, on every topic, broadcasting the
// leaves (a connection went away).
func (p *Presence) UntrackAll(c Conn) {
	cs := p.connShard(c)
	cs.mu.Lock()
	topics := cs.m[c]
	delete(cs.m, c)
	cs.mu.Unlock()
	for _, t := range topics {
		p.untrack(t, c)
	}
}

// untrack removes c's entries on topic and reports whether there were any.
func (p *Presence) untrack(topic string, c Conn) bool {
	sh := p.shard(topic)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	pt := sh.m[topic]
	if pt == nil || len(pt.byConn[c]) == 0 {
		return false
	}
	for _, e := range pt.byConn[c] {
		pt.addLeave(e)
		entries := pt.keys[e.key]
		for i, x := range entries {
			if x == e {
				entries = append(entries[:i], entries[i+1:]...)
				break
			}
		}
		if len(entries) == 0 {
			delete(pt.keys, e.key)
		} else {
			pt.keys[e.key] = entries
		}
	}
	delete(pt.byConn, c)
	p.changedLocked(topic, sh, pt)
	return true
}

// State returns the topic's presences for presence_state, encoded:
// {"<key>": {"metas": [meta, …]}, …}, metas in track order. It reflects
// every change so far, including those whose diff is still being gathered
// (see Presence). The bytes are shared (cached until the topic's next
// change): do not modify them.
func (p *Presence) State(topic string) json.RawMessage {
	sh := p.shard(topic)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	pt := sh.m[topic]
	if pt == nil {
		return json.RawMessage(`{}`)
	}
	if len(pt.joinIndex) > 0 {
		pt.epoch++ // the joins gathered so far may now be seen
	}
	if pt.state == nil {
		pt.state = pt.encodeState()
	}
	return pt.state
}

func (pt *presenceTopic) encodeState() []byte {
	n := 2
	for _, entries := range pt.keys {
		n += len(entries[0].kjs) + 14
		for _, e := range entries {
			n += len(e.js) + 1
		}
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	first := true
	for _, entries := range pt.keys {
		wrote := false
		for _, e := range entries {
			if e.js == nil {
				continue
			}
			if !wrote {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = append(b, e.kjs...)
				b = append(b, `:{"metas":[`...)
				wrote = true
			} else {
				b = append(b, ',')
			}
			b = append(b, e.js...)
		}
		if wrote {
			b = append(b, "]}"...)
		}
	}
	return append(b, '}')
}

// ForEach calls fn for every presence on topic, from a snapshot taken first,
// so fn may call Update (for instance to mark idle metas away). meta is the
// tracker's copy: do not modify it.
func (p *Presence) ForEach(topic string, fn func(key string, c Conn, meta map[string]any)) {
	sh := p.shard(topic)
	sh.mu.Lock()
	var snap []presenceEntry
	if pt := sh.m[topic]; pt != nil {
		for _, entries := range pt.keys {
			for _, e := range entries {
				snap = append(snap, *e)
			}
		}
	}
	sh.mu.Unlock()
	for _, e := range snap {
		fn(e.key, e.conn, e.meta)
	}
}
