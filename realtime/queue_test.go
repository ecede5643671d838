package realtime_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay/realtime"
)

// batchWriter records batches; each write waits for a token when gated.
type batchWriter struct {
	gate chan struct{}
	fail error

	mu      sync.Mutex
	batches [][]string
	finals  int
}

func (w *batchWriter) WriteFrames(frames [][]byte) error {
	if w.gate != nil {
		<-w.gate
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var b []string
	for _, f := range frames {
		b = append(b, string(f))
	}
	w.batches = append(w.batches, b)
	return w.fail
}

func (w *batchWriter) snapshot() (all []string, batches int, finals int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.batches {
		all = append(all, b...)
	}
	return all, len(w.batches), w.finals
}

func TestQueueOrderAndCoalescing(t *testing.T) {
	w := &batchWriter{gate: make(chan struct{})}
	q := realtime.NewQueue(w, 100, 0)
	for i := 0; i < 50; i++ {
		if err := q.Push([]byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	close(w.gate) // the writer took the first frame alone; the other 49 wait together
	checkFor(t, 5*time.Second, time.Millisecond, func() error {
		if all, _, _ := w.snapshot(); len(all) != 50 {
			return fmt.Errorf("%d frames written", len(all))
		}
		return nil
	})
	all, batches, _ := w.snapshot()
	for i, f := range all {
		if f != strconv.Itoa(i) {
			t.Fatalf("frame %d = %s (order)", i, f)
		}
	}
	if batches > 3 {
		t.Errorf("%d batches for 50 queued frames; want them coalesced", batches)
	}
}

func TestQueueCloseRunsFinalAfterDrain(t *testing.T) {
	w := &batchWriter{gate: make(chan struct{})}
	q := realtime.NewQueue(w, 10, 0)
	_ = q.Push([]byte("a"))
	_ = q.Push([]byte("b"))
	done := make(chan []string, 1)
	if !q.Close(func() { all, _, _ := w.snapshot(); done <- all }) {
		t.Fatal("Close reported already closed")
	}
	if err := q.Push([]byte("c")); err != realtime.ErrClosed {
		t.Errorf("push after Close = %v, want ErrClosed", err)
	}
	if q.Close(nil) {
		t.Error("second Close reported true")
	}
	close(w.gate)
	select {
	case all := <-done:
		if fmt.Sprint(all) != "[a b]" {
			t.Errorf("final ran after %v, want after [a b]", all)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("final never ran")
	}

	// On an idle queue, final runs at once (on its own goroutine).
	q2 := realtime.NewQueue(&batchWriter{}, 10, 0)
	ran := make(chan struct{})
	q2.Close(func() { close(ran) })
	<-ran
}

func TestQueueBounds(t *testing.T) {
	w := &batchWriter{gate: make(chan struct{})}
	defer close(w.gate)
	q := realtime.NewQueue(w, 3, 10)
	// The writer takes the first frame and blocks; then 3 more fit (frames bound).
	for i := 0; i < 4; i++ {
		if err := q.Push([]byte("x")); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if i == 0 {
			checkFor(t, 5*time.Second, time.Millisecond, func() error {
				if q.Len() != 0 {
					return errors.New("writer has not taken the first frame")
				}
				return nil
			})
		}
	}
	if err := q.Push([]byte("x")); err != realtime.ErrQueueFull {
		t.Fatalf("push over the frame bound = %v, want ErrQueueFull", err)
	}
	if !q.Closed() || q.Len() != 0 {
		t.Errorf("overflowed queue: closed=%v len=%d; want closed and emptied", q.Closed(), q.Len())
	}

	w2 := &batchWriter{gate: make(chan struct{})}
	defer close(w2.gate)
	q2 := realtime.NewQueue(w2, 100, 10)
	if err := q2.Push(make([]byte, 50)); err != nil { // one big frame into an empty queue is accepted
		t.Fatal(err)
	}
	checkFor(t, 5*time.Second, time.Millisecond, func() error {
		if q2.Len() != 0 {
			return errors.New("writer has not taken the big frame")
		}
		return nil
	})
	if err := q2.Push(make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	if err := q2.Push(make([]byte, 6)); err != realtime.ErrQueueFull {
		t.Errorf("push over the byte bound = %v, want ErrQueueFull", err)
	}
}

func TestQueueWriteErrorCloses(t *testing.T) {
	w := &batchWriter{fail: errors.New("broken pipe")}
	q := realtime.NewQueue(w, 10, 0)
	_ = q.Push([]byte("a"))
	checkFor(t, 5*time.Second, time.Millisecond, func() error {
		if !q.Closed() {
			return errors.New("queue still open after a write error")
		}
		return nil
	})
	if err := q.Push([]byte("b")); err != realtime.ErrClosed {
		t.Errorf("push after write error = %v, want ErrClosed", err)
	}
}

func TestQueueAbortDropsAndSkipsFinal(t *testing.T) {
	w := &batchWriter{gate: make(chan struct{})}
	q := realtime.NewQueue(w, 10, 0)
	_ = q.Push([]byte("a"))
	checkFor(t, 5*time.Second, time.Millisecond, func() error {
		if q.Len() != 0 {
			return errors.New("writer has not taken the first frame")
		}
		return nil
	})
	_ = q.Push([]byte("b"))
	q.Close(func() { t.Error("final ran after Abort") })
	q.Abort()
	close(w.gate)
	checkFor(t, 5*time.Second, time.Millisecond, func() error {
		if all, _, _ := w.snapshot(); fmt.Sprint(all) != "[a]" {
			return fmt.Errorf("written %v, want [a] (b dropped)", all)
		}
		return nil
	})
}
