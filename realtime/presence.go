package realtime

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// Presence tracks which connections are present on which topics, each with
// a key (a user) and a meta (a device or tab: any JSON object), in the
// format of phoenix.js's Presence: State answers presence_state, and every
// change is broadcast on the topic through the hub as a presence_diff event
// with payload {"joins": {...}, "leaves": {...}}, both always present.
//
// Every tracked meta carries a unique "phx_ref"; Update gives it a new one
// plus "phx_ref_prev" and broadcasts one diff holding the new meta in joins
// and the old one in leaves, as Phoenix.Tracker does.
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
	seed   maphash.Seed
	node   [4]byte // random, so refs from different processes differ
	seq    atomic.Uint64
	topics [shardCount]presenceShard
	conns  [shardCount]presenceConns
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
}

type presenceEntry struct {
	key  string
	conn Conn
	meta map[string]any // owned; includes phx_ref; never modified once shared
}

type metaList struct {
	Metas []map[string]any `json:"metas"`
}

type presenceDiff struct {
	Joins  map[string]*metaList `json:"joins"`
	Leaves map[string]*metaList `json:"leaves"`
}

// NewPresence returns a tracker that broadcasts through h.
func NewPresence(h *Hub) *Presence {
	p := &Presence{hub: h, seed: maphash.MakeSeed()}
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
		return p.updateLocked(topic, e, meta)
	}
	ref := p.newRef()
	e := &presenceEntry{key: key, conn: c, meta: withRefs(meta, ref, "")}
	pt.keys[key] = append(pt.keys[key], e)
	if len(pt.byConn[c]) == 0 {
		cs := p.connShard(c)
		cs.mu.Lock()
		cs.m[c] = append(cs.m[c], topic)
		cs.mu.Unlock()
	}
	pt.byConn[c] = append(pt.byConn[c], e)
	p.broadcast(topic, map[string]*metaList{key: {Metas: []map[string]any{e.meta}}}, nil)
	return ref
}

// Update replaces the meta of c under key on topic (tracking it if it is
// not tracked): the new meta gets a new phx_ref and phx_ref_prev, and one
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
	p.updateLocked(topic, e, meta)
	sh.mu.Unlock()
}

func (p *Presence) updateLocked(topic string, e *presenceEntry, meta map[string]any) string {
	old := e.meta
	prev, _ := old["phx_ref"].(string)
	ref := p.newRef()
	e.meta = withRefs(meta, ref, prev)
	p.broadcast(topic,
		map[string]*metaList{e.key: {Metas: []map[string]any{e.meta}}},
		map[string]*metaList{e.key: {Metas: []map[string]any{old}}})
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
	leaves := make(map[string]*metaList)
	for _, e := range pt.byConn[c] {
		l := leaves[e.key]
		if l == nil {
			l = &metaList{}
			leaves[e.key] = l
		}
		l.Metas = append(l.Metas, e.meta)
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
	if len(pt.keys) == 0 {
		delete(sh.m, topic)
	}
	p.broadcast(topic, nil, leaves)
	return true
}

func (p *Presence) broadcast(topic string, joins, leaves map[string]*metaList) {
	if joins == nil {
		joins = map[string]*metaList{}
	}
	if leaves == nil {
		leaves = map[string]*metaList{}
	}
	payload, err := json.Marshal(presenceDiff{Joins: joins, Leaves: leaves})
	if err != nil {
		p.hub.log.Error("realtime: presence meta is not JSON; diff not sent", "topic", topic, "err", err)
		return
	}
	p.hub.Broadcast(topic, "presence_diff", payload)
}

// State returns the topic's presences for presence_state:
// {"<key>": {"metas": [meta, …]}}, metas in track order. The metas are
// shared with the tracker: read them (or encode them), never modify them.
func (p *Presence) State(topic string) map[string]any {
	sh := p.shard(topic)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	state := make(map[string]any)
	pt := sh.m[topic]
	if pt == nil {
		return state
	}
	for key, entries := range pt.keys {
		metas := make([]map[string]any, len(entries))
		for i, e := range entries {
			metas[i] = e.meta
		}
		state[key] = map[string]any{"metas": metas}
	}
	return state
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
