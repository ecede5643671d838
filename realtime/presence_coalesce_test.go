package realtime_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/realtime"
)

// jsPresence is a client's view, kept the way phoenix.js's Presence keeps it:
// key → metas (by phx_ref, in order).
type jsPresence struct {
	state  map[string][]jsMeta
	synced bool // a presence_state arrived
}

type jsMeta struct {
	Ref  string
	JSON string // the whole meta, to compare contents too
}

type presencePayload map[string]struct {
	Metas []json.RawMessage `json:"metas"`
}

func decodeMetas(t testing.TB, p presencePayload) map[string][]jsMeta {
	out := make(map[string][]jsMeta)
	for k, l := range p {
		for _, raw := range l.Metas {
			var m struct {
				Ref string `json:"phx_ref"`
			}
			if err := json.Unmarshal(raw, &m); err != nil || m.Ref == "" {
				t.Fatalf("meta %s: no phx_ref (%v)", raw, err)
			}
			out[k] = append(out[k], jsMeta{m.Ref, string(raw)})
		}
	}
	return out
}

// applyDiffParts is phoenix.js's syncDiff: joins first (new metas replace the
// ones with the same phx_ref, the others are kept first), then leaves remove
// by phx_ref, and a key left with no metas is deleted.
func (v *jsPresence) applyDiffParts(t testing.TB, joins, leaves presencePayload) {
	for k, newMetas := range decodeMetas(t, joins) {
		joined := map[string]bool{}
		for _, m := range newMetas {
			joined[m.Ref] = true
		}
		var cur []jsMeta
		for _, m := range v.state[k] {
			if !joined[m.Ref] {
				cur = append(cur, m)
			}
		}
		v.state[k] = append(cur, newMetas...)
	}
	for k, left := range decodeMetas(t, leaves) {
		cur, ok := v.state[k]
		if !ok {
			continue
		}
		gone := map[string]bool{}
		for _, m := range left {
			gone[m.Ref] = true
		}
		var keep []jsMeta
		for _, m := range cur {
			if !gone[m.Ref] {
				keep = append(keep, m)
			}
		}
		if len(keep) == 0 {
			delete(v.state, k)
		} else {
			v.state[k] = keep
		}
	}
}

// viewConn is a subscriber that applies what it receives to a jsPresence.
type viewConn struct {
	id string
	t  testing.TB

	mu       sync.Mutex
	view     jsPresence
	buffered [][2]json.RawMessage // diffs before the state: joins, leaves
}

func (c *viewConn) ID() string   { return c.id }
func (c *viewConn) Close(string) {}
func (c *viewConn) Send(frame []byte) error {
	var f testFrame
	if err := json.Unmarshal(frame, &f); err != nil {
		c.t.Errorf("frame %s: %v", frame, err)
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch f.Event {
	case "presence_diff":
		if !c.view.synced {
			var d struct{ Joins, Leaves json.RawMessage }
			_ = json.Unmarshal(f.Payload, &d)
			c.buffered = append(c.buffered, [2]json.RawMessage{d.Joins, d.Leaves})
			return nil
		}
		var d struct {
			Joins  presencePayload `json:"joins"`
			Leaves presencePayload `json:"leaves"`
		}
		if err := json.Unmarshal(f.Payload, &d); err != nil || d.Joins == nil || d.Leaves == nil {
			c.t.Errorf("presence_diff %s: want joins and leaves (%v)", f.Payload, err)
			return nil
		}
		c.view.applyDiffParts(c.t, d.Joins, d.Leaves)
	default:
		c.t.Errorf("unexpected event %q", f.Event)
	}
	return nil
}

// pushState is what the transport does with State(): queue it to the
// connection (here: apply it, then the diffs phoenix.js buffered).
func (c *viewConn) pushState(raw json.RawMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var p presencePayload
	if err := json.Unmarshal(raw, &p); err != nil {
		c.t.Fatalf("presence_state %s: %v", raw, err)
	}
	c.view.state = decodeMetas(c.t, p)
	c.view.synced = true
	for _, d := range c.buffered {
		var j, l presencePayload
		_ = json.Unmarshal(d[0], &j)
		_ = json.Unmarshal(d[1], &l)
		c.view.applyDiffParts(c.t, j, l)
	}
	c.buffered = nil
}

func (c *viewConn) snapshot() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return flatten(c.view.state)
}

// flatten gives key → sorted "meta JSON" list, order-insensitive.
func flatten(s map[string][]jsMeta) map[string][]string {
	out := make(map[string][]string, len(s))
	for k, ms := range s {
		for _, m := range ms {
			out[k] = append(out[k], m.JSON)
		}
		sort.Strings(out[k])
	}
	return out
}

func canonical(t testing.TB, raw json.RawMessage) map[string][]string {
	var p presencePayload
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	return flatten(decodeMetas(t, p))
}

func equalViews(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
	}
	return true
}

// TestPresenceCoalescedViewsConverge: random tracks, updates and untracks,
// interleaved with joiners that do what socket.joinWorkspace does (buffered
// subscribe, State pushed, Release, Track). Once the last diff is out, every
// joiner's view (state + diffs applied like phoenix.js) equals the true
// presence, with several windows (0 = immediate).
func TestPresenceCoalescedViewsConverge(t *testing.T) {
	for _, window := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 50 * time.Millisecond} {
		for seed := uint64(1); seed <= 12; seed++ {
			t.Run(fmt.Sprintf("window=%v/seed=%d", window, seed), func(t *testing.T) {
				t.Parallel()
				convergeRun(t, window, seed)
			})
		}
	}
}

func convergeRun(t *testing.T, window time.Duration, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	h, _ := newHub(t, realtime.Options{QueueLen: 1 << 20})
	p := realtime.NewPresence(h, realtime.DiffWindow(window))
	const topic = "workspace:1"
	var joiners []*viewConn
	var tracked []*viewConn        // may be tracked (untracked ones are harmless)
	others := make([]*viewConn, 4) // tracked but never subscribed
	for i := range others {
		others[i] = &viewConn{id: "o" + strconv.Itoa(i), t: t}
	}
	key := func() string { return "u" + strconv.Itoa(rng.IntN(5)) }
	for step := 0; step < 300; step++ {
		switch r := rng.IntN(10); {
		case r < 3: // a joiner
			c := &viewConn{id: "j" + strconv.Itoa(step), t: t}
			sub := h.Subscribe(topic, c, true)
			c.pushState(p.State(topic))
			sub.Release(nil)
			if rng.IntN(2) == 0 {
				p.Track(topic, key(), c, map[string]any{"step": step})
				tracked = append(tracked, c)
			}
			joiners = append(joiners, c)
		case r < 5: // another connection tracks (or updates, if tracked)
			o := others[rng.IntN(len(others))]
			p.Track(topic, key(), o, map[string]any{"step": step, "o": true})
		case r < 7: // update of a tracked connection
			if len(tracked) > 0 {
				c := tracked[rng.IntN(len(tracked))]
				p.ForEach(topic, func(k string, cc realtime.Conn, _ map[string]any) {
					if cc == realtime.Conn(c) {
						p.Update(topic, k, c, map[string]any{"step": step, "updated": true})
					}
				})
			}
		case r < 8: // untrack
			if rng.IntN(2) == 0 && len(tracked) > 0 {
				p.Untrack(topic, tracked[rng.IntN(len(tracked))])
			} else {
				p.UntrackAll(others[rng.IntN(len(others))])
			}
		case r < 9: // a joiner leaves the topic entirely
			if len(joiners) > 0 {
				i := rng.IntN(len(joiners))
				c := joiners[i]
				h.Unsubscribe(topic, c)
				p.Untrack(topic, c)
				joiners = append(joiners[:i], joiners[i+1:]...)
			}
		default: // time passes (sometimes a window or more)
			if window > 0 && rng.IntN(4) == 0 {
				time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
			}
		}
	}
	want := canonical(t, p.State(topic))
	checkFor(t, 5*time.Second, time.Millisecond, func() error {
		for _, c := range joiners {
			if got := c.snapshot(); !equalViews(want, got) {
				return fmt.Errorf("joiner %s: view\n%v\nwant\n%v", c.id, got, want)
			}
		}
		return nil
	})
}

func TestPresenceDiffsCoalesce(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	timer := &testenv.ManualTimer{}
	p := realtime.NewPresence(h, realtime.DiffWindow(30*time.Millisecond), realtime.DiffTimer(timer.After))
	watcher := newFakeConn("watcher")
	h.Subscribe("room", watcher, false)
	a, b, c := newFakeConn("a"), newFakeConn("b"), newFakeConn("c")

	refA := p.Track("room", "u1", a, map[string]any{"d": "a"})
	refB := p.Track("room", "u1", b, map[string]any{"d": "b"})
	p.Untrack("room", a) // joined and left in one window: cancels out
	p.Update("room", "u1", b, map[string]any{"d": "b2"})
	var refB2 string
	p.ForEach("room", func(_ string, _ realtime.Conn, m map[string]any) { refB2 = m["phx_ref"].(string) })
	p.Track("room", "u2", c, nil)
	_ = p.State("room")  // a joiner may now hold c's meta…
	p.Untrack("room", c) // …so its leave is sent, with its join
	if n := timer.Pending(); n != 1 {
		t.Fatalf("%d windows scheduled for one topic, want 1", n)
	}
	if n := watcher.count(); n != 0 {
		t.Fatalf("%d frames before the window ended, want none", n)
	}
	timer.Fire() // the window ends: the diff is dispatched before fire returns
	// No window is pending any more, so nothing more may come.
	if n := timer.Pending(); n != 0 {
		t.Fatalf("%d windows still scheduled after the flush, want none", n)
	}
	d := diffs(t, watcher)
	if len(d) != 1 {
		t.Fatalf("got %d diffs, want 1: %v", len(d), d)
	}
	refs := func(side, key string) []string {
		var out []string
		l, _ := d[0][side].(map[string]any)[key].(map[string]any)
		if l == nil {
			return nil
		}
		for _, m := range l["metas"].([]any) {
			out = append(out, m.(map[string]any)["phx_ref"].(string))
		}
		return out
	}
	// b's first meta was joined and replaced in the window: only b2 joins.
	if got := refs("joins", "u1"); len(got) != 1 || got[0] != refB2 {
		t.Errorf("joins u1 = %v, want [%s] (a %s and b %s cancelled)", got, refB2, refA, refB)
	}
	if got := refs("leaves", "u1"); len(got) != 0 {
		t.Errorf("leaves u1 = %v, want none", got)
	}
	if len(refs("joins", "u2")) != 1 || len(refs("leaves", "u2")) != 1 {
		t.Errorf("u2: want its join and its leave, got %v", d[0])
	}
}
