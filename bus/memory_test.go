package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/bus"
)

func ev(i int) relay.Event {
	return relay.Event{Topic: "channel:1", Name: "message:new", Seq: int64(i),
		Payload: json.RawMessage(`{"seq":` + strconv.Itoa(i) + `}`)}
}

// recorder collects the sequence numbers it receives.
type recorder struct {
	mu   sync.Mutex
	seqs []int64
	evs  []relay.Event
}

func (r *recorder) fn(e relay.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs = append(r.seqs, e.Seq)
	r.evs = append(r.evs, e)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seqs)
}

func (r *recorder) inOrder(t *testing.T, n int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seqs) != n {
		t.Fatalf("received %d events, want %d", len(r.seqs), n)
	}
	for i, s := range r.seqs {
		if s != int64(i+1) {
			t.Fatalf("event %d has seq %d: out of order", i, s)
		}
	}
}

func TestMemoryOrderAndSynchronous(t *testing.T) {
	ctx := context.Background()
	b := bus.NewMemory()
	var r1, r2 recorder
	if _, err := b.Subscribe(r1.fn); err != nil {
		t.Fatal(err)
	}
	unsub2, _ := b.Subscribe(r2.fn)
	const n = 1000
	for i := 1; i <= n; i++ {
		if err := b.Publish(ctx, ev(i)); err != nil {
			t.Fatal(err)
		}
		if r1.count() != i { // delivered before Publish returned
			t.Fatalf("after publish %d, subscriber has %d", i, r1.count())
		}
	}
	r1.inOrder(t, n)
	r2.inOrder(t, n)

	unsub2()
	unsub2() // twice is fine
	_ = b.Publish(ctx, ev(n+1))
	if r1.count() != n+1 || r2.count() != n {
		t.Errorf("after unsubscribe: r1 %d, r2 %d", r1.count(), r2.count())
	}

	// A subscriber may publish (re-entrancy does not deadlock).
	var nested atomic.Bool
	_, _ = b.Subscribe(func(e relay.Event) {
		if !nested.Swap(true) {
			_ = b.Publish(ctx, ev(0))
		}
	})
	_ = b.Publish(ctx, ev(n+2))
	if r1.count() != n+3 {
		t.Errorf("after a nested publish r1 has %d events, want %d", r1.count(), n+3)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Publish(cancelled, ev(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("publish with a cancelled context = %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, ev(1)); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("publish after Close = %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(r1.fn); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("subscribe after Close = %v, want ErrClosed", err)
	}
}

func TestMemoryConcurrentPublishers(t *testing.T) {
	b := bus.NewMemory()
	var mu sync.Mutex
	per := map[string][]int64{}
	_, _ = b.Subscribe(func(e relay.Event) {
		mu.Lock()
		per[e.Topic] = append(per[e.Topic], e.Seq)
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= 500; i++ {
				e := ev(i)
				e.Topic = "t" + strconv.Itoa(p)
				_ = b.Publish(context.Background(), e)
			}
		}()
	}
	wg.Wait()
	for topic, seqs := range per {
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Fatalf("%s: position %d has seq %d; each publisher's order must hold", topic, i, s)
			}
		}
	}
}
