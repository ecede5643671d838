package realtime_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/realtime"
)

func event(topic string, seq int64) relay.Event {
	return relay.Event{Topic: topic, Name: "message:new", Seq: seq,
		Payload: json.RawMessage(`{"seq":` + strconv.FormatInt(seq, 10) + `}`)}
}

func seqOf(t testing.TB, f testFrame) int64 {
	t.Helper()
	var p struct{ Seq int64 }
	if err := json.Unmarshal(f.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", f.Payload, err)
	}
	return p.Seq
}

func seqs(t testing.TB, c *fakeConn) []int64 {
	t.Helper()
	var out []int64
	for _, f := range c.received(t) {
		out = append(out, seqOf(t, f))
	}
	return out
}

func TestDispatchFanOutEncodesOnce(t *testing.T) {
	h, enc := newHub(t, realtime.Options{})
	conns := make([]*fakeConn, 300)
	for i := range conns {
		conns[i] = newFakeConn("c" + strconv.Itoa(i))
		h.Subscribe("channel:1", conns[i], false)
	}
	other := newFakeConn("other")
	h.Subscribe("channel:2", other, false)

	const events = 20
	for i := int64(1); i <= events; i++ {
		h.Dispatch(event("channel:1", i))
	}
	h.Dispatch(event("channel:nobody", 1)) // no subscriber: not even encoded

	if got := enc.n.Load(); got != events {
		t.Errorf("encodes = %d, want %d (one per event with subscribers)", got, events)
	}
	for _, c := range conns {
		got := seqs(t, c)
		if len(got) != events {
			t.Fatalf("conn %s got %d events, want %d", c.id, len(got), events)
		}
		for i, s := range got {
			if s != int64(i+1) {
				t.Fatalf("conn %s event %d has seq %d, want %d (order)", c.id, i, s, i+1)
			}
		}
	}
	if got := other.count(); got != 0 {
		t.Errorf("subscriber of another topic got %d frames", got)
	}
	// The very same bytes go to every subscriber.
	if &conns[0].frames[0][0] != &conns[299].frames[0][0] {
		t.Error("subscribers got different frame buffers; want one shared encoding")
	}
	st := h.Stats()
	if st.Delivered != 300*events || st.Encoded != events || st.Topics != 2 || st.Subscriptions != 301 {
		t.Errorf("stats = %+v", st)
	}
}

func TestDispatchExclude(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	a, b := newFakeConn("a"), newFakeConn("b")
	h.Subscribe("t", a, false)
	h.Subscribe("t", b, false)
	ev := event("t", 1)
	ev.Exclude = "a"
	h.Dispatch(ev)
	if a.count() != 0 || b.count() != 1 {
		t.Errorf("a got %d, b got %d; want 0 and 1", a.count(), b.count())
	}
}

func TestUnsubscribe(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	a, b := newFakeConn("a"), newFakeConn("b")
	h.Subscribe("t1", a, false)
	h.Subscribe("t2", a, false)
	h.Subscribe("t1", b, false)
	if again := h.Subscribe("t1", a, false); again == nil || h.Subscribers("t1") != 2 {
		t.Fatalf("subscribing twice: subscribers = %d, want 2", h.Subscribers("t1"))
	}

	h.Unsubscribe("t1", a)
	h.Dispatch(event("t1", 1))
	if a.count() != 0 || b.count() != 1 {
		t.Fatalf("after Unsubscribe: a got %d, b got %d", a.count(), b.count())
	}
	h.Dispatch(event("t2", 2))
	if a.count() != 1 {
		t.Fatalf("a lost its other subscription: %d frames", a.count())
	}

	h.UnsubscribeAll(a)
	h.UnsubscribeAll(b)
	h.Unsubscribe("t1", b) // again: no-op
	if n := h.Subscribers("t1") + h.Subscribers("t2"); n != 0 {
		t.Errorf("subscribers left: %d", n)
	}
	if st := h.Stats(); st.Topics != 0 || st.Subscriptions != 0 {
		t.Errorf("stats after unsubscribing everyone = %+v, want no topics", st)
	}
	// A topic dropped when empty comes back on the next Subscribe.
	h.Subscribe("t1", a, false)
	h.Dispatch(event("t1", 3))
	if a.count() != 2 {
		t.Errorf("resubscribed conn has %d frames, want 2", a.count())
	}
}

func TestBufferedRelease(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	c := newFakeConn("c")
	sub := h.Subscribe("t", c, true)
	for i := int64(1); i <= 5; i++ {
		h.Dispatch(event("t", i))
	}
	if c.count() != 0 {
		t.Fatalf("buffered subscription delivered %d frames before Release", c.count())
	}
	// Catch-up already sent 1..3 (it read the store after subscribing).
	for i := int64(1); i <= 3; i++ {
		b, _ := json.Marshal(testFrame{"t", "message:new", json.RawMessage(`{"seq":` + strconv.FormatInt(i, 10) + `}`)})
		c.push(b)
	}
	sub.Release(func(ev relay.Event) bool { return ev.Seq <= 3 })
	h.Dispatch(event("t", 6))
	h.Dispatch(event("t", 2)) // a late, in-flight duplicate: skip stays in force
	want := []int64{1, 2, 3, 4, 5, 6}
	if got := seqs(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("seqs = %v, want %v", got, want)
	}
	sub.Release(nil) // second Release: harmless
}

// TestReleaseNoGapNoDup is the property behind catch-up: whenever a
// subscriber joins during a stream of committed-then-dispatched events, its
// catch-up (read after Subscribe) plus Release gives every event exactly
// once, in order.
func TestReleaseNoGapNoDup(t *testing.T) {
	const (
		rounds      = 6
		events      = 1000
		subscribers = 24
	)
	for round := 0; round < rounds; round++ {
		h, _ := newHub(t, realtime.Options{QueueLen: events})
		var committed atomic.Int64
		conns := make([]*fakeConn, subscribers)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the publisher: commit, then publish
			defer wg.Done()
			for i := int64(1); i <= events; i++ {
				committed.Store(i)
				if i%7 == 0 {
					runtime.Gosched() // widen the commit→dispatch window
				}
				h.Dispatch(event("t", i))
			}
		}()
		for j := range conns {
			c := newFakeConn("c" + strconv.Itoa(j))
			conns[j] = c
			wg.Add(1)
			go func(start int64) {
				defer wg.Done()
				for committed.Load() < start {
					runtime.Gosched()
				}
				sub := h.Subscribe("t", c, true)
				upto := committed.Load() // the catch-up read
				for i := int64(1); i <= upto; i++ {
					b, _ := json.Marshal(testFrame{"t", "message:new", event("t", i).Payload})
					c.push(b)
				}
				if j%3 == 0 {
					runtime.Gosched()
				}
				sub.Release(func(ev relay.Event) bool { return ev.Seq <= upto })
			}(int64(j * events / subscribers))
		}
		wg.Wait()
		for _, c := range conns {
			got := seqs(t, c)
			if len(got) != events {
				t.Fatalf("round %d: conn %s got %d events, want %d", round, c.id, len(got), events)
			}
			for i, s := range got {
				if s != int64(i+1) {
					t.Fatalf("round %d: conn %s: position %d has seq %d (gap, duplicate or disorder)", round, c.id, i, s)
				}
			}
		}
	}
}

func TestSlowConsumerDisconnected(t *testing.T) {
	var hooked atomic.Int64
	h, _ := newHub(t, realtime.Options{OnSlowConsumer: func(realtime.Conn) { hooked.Add(1) }})
	const events = 200
	fast := make([]*fakeConn, 10)
	for i := range fast {
		fast[i] = newQueuedConn("fast"+strconv.Itoa(i), events, false)
		h.Subscribe("t", fast[i], false)
	}
	slow := newQueuedConn("slow", 8, true) // its writer never gets to write
	h.Subscribe("t", slow, false)

	for i := int64(1); i <= events; i++ {
		h.Dispatch(event("t", i))
	}
	for _, c := range fast {
		waitCount(t, c, events)
	}
	if got := slow.closeReason(); got != "slow consumer" {
		t.Errorf("slow conn close reason = %q, want slow consumer", got)
	}
	if h.Subscribers("t") != len(fast) {
		t.Errorf("subscribers = %d, want %d (slow one unsubscribed)", h.Subscribers("t"), len(fast))
	}
	if st := h.Stats(); st.SlowConsumers != 1 {
		t.Errorf("slow consumers = %d, want 1", st.SlowConsumers)
	}
	checkFor(t, 10*time.Second, time.Millisecond, func() error {
		if n := hooked.Load(); n != 1 {
			return fmt.Errorf("OnSlowConsumer called %d times, want 1", n)
		}
		return nil
	})
	slow.unblock()
	if err := slow.q.Push([]byte("x")); err != realtime.ErrClosed {
		t.Errorf("push to an overflowed queue = %v, want ErrClosed", err)
	}
}

func TestClosedConnUnsubscribed(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	a, b := newFakeConn("a"), newFakeConn("b")
	h.Subscribe("t", a, false)
	h.Subscribe("u", a, false)
	h.Subscribe("t", b, false)
	a.Close("gone") // Send now returns ErrClosed
	h.Dispatch(event("t", 1))
	if h.Subscribers("t") != 1 || h.Subscribers("u") != 0 {
		t.Errorf("subscribers t=%d u=%d; want the closed conn dropped everywhere", h.Subscribers("t"), h.Subscribers("u"))
	}
	if st := h.Stats(); st.SlowConsumers != 0 {
		t.Errorf("a closed conn counted as a slow consumer")
	}
}

func TestBufferedOverflowCloses(t *testing.T) {
	h, _ := newHub(t, realtime.Options{QueueLen: 5})
	c := newFakeConn("c")
	h.Subscribe("t", c, true) // never released
	for i := int64(1); i <= 6; i++ {
		h.Dispatch(event("t", i))
	}
	if got := c.closeReason(); got != "slow consumer" {
		t.Errorf("close reason = %q, want slow consumer", got)
	}
	if h.Subscribers("t") != 0 {
		t.Errorf("overflowed subscription still subscribed")
	}
}

func TestNewHubNeedsEncoder(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHub without Encode did not panic")
		}
	}()
	realtime.NewHub(realtime.Options{})
}

// TestAudienceTopic checks a hub topic "<kind>:<id>:<audience>" reaches its
// subscribers framed under the client topic "<kind>:<id>", encoded once,
// and only them: the ticket's staff-only events.
func TestAudienceTopic(t *testing.T) {
	for in, want := range map[string]string{
		"ticket:7:staff": "ticket:7", "ticket:7": "ticket:7", "channel:1": "channel:1", "phoenix": "phoenix", "a:b:c:d": "a:b",
	} {
		if got := realtime.ClientTopic(in); got != want {
			t.Errorf("ClientTopic(%q) = %q, want %q", in, got, want)
		}
	}
	h, enc := newHub(t, realtime.Options{})
	customer, staff1, staff2 := newFakeConn("customer"), newFakeConn("staff1"), newFakeConn("staff2")
	for _, c := range []*fakeConn{customer, staff1, staff2} {
		h.Subscribe("ticket:7", c, false)
	}
	h.Subscribe("ticket:7:staff", staff1, false)
	sub := h.Subscribe("ticket:7:staff", staff2, true) // held, then released
	h.Dispatch(event("ticket:7", 1))
	h.Dispatch(event("ticket:7:staff", 1))
	sub.Release(nil)
	if got := enc.n.Load(); got != 2 {
		t.Errorf("encodes = %d, want 2", got)
	}
	if got := customer.received(t); len(got) != 1 || got[0].Topic != "ticket:7" {
		t.Errorf("customer received %+v, want one frame on ticket:7", got)
	}
	for _, c := range []*fakeConn{staff1, staff2} {
		got := c.received(t)
		if len(got) != 2 || got[0].Topic != "ticket:7" || got[1].Topic != "ticket:7" {
			t.Errorf("%s received %+v, want two frames on ticket:7", c.id, got)
		}
	}
}
