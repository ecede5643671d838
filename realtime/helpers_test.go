package realtime_test

import (
	"encoding/json"
	"fmt"
	"github.com/relayhq/relay/internal/testenv"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay/realtime"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// testFrame is what testEncode produces: the event, readable by fakeConn.
type testFrame struct {
	Topic   string          `json:"topic"`
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// encoder counts how many frames it encodes.
type encoder struct{ n atomic.Int64 }

func (e *encoder) encode(topic, event string, payload json.RawMessage) ([]byte, error) {
	e.n.Add(1)
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	return json.Marshal(testFrame{topic, event, payload})
}

func newHub(t testing.TB, opts realtime.Options) (*realtime.Hub, *encoder) {
	t.Helper()
	enc := &encoder{}
	opts.Encode = enc.encode
	if opts.Logger == nil {
		opts.Logger = discard
	}
	return realtime.NewHub(opts), enc
}

// fakeConn records the frames sent to it, in order. With a queue it behaves
// like a transport: frames go through a realtime.Queue whose writer can be
// blocked, to make a slow consumer.
type fakeConn struct {
	id string

	mu     sync.Mutex
	frames [][]byte
	closed string // reason, once closed

	q     *realtime.Queue
	block chan struct{} // writer waits on it when not nil
}

func newFakeConn(id string) *fakeConn { return &fakeConn{id: id} }

// newQueuedConn returns a conn with a queue of n frames whose writer blocks
// until unblock is called, if blocked.
func newQueuedConn(id string, n int, blocked bool) *fakeConn {
	c := &fakeConn{id: id}
	if blocked {
		c.block = make(chan struct{})
	}
	c.q = realtime.NewQueue(c, n, 0)
	return c
}

func (c *fakeConn) ID() string { return c.id }

func (c *fakeConn) Send(frame []byte) error {
	if c.q != nil {
		err := c.q.Push(frame)
		if err == realtime.ErrQueueFull {
			c.Close("slow consumer")
		}
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed != "" {
		return realtime.ErrClosed
	}
	c.frames = append(c.frames, frame)
	return nil
}

func (c *fakeConn) WriteFrames(frames [][]byte) error {
	if c.block != nil {
		<-c.block
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range frames {
		c.frames = append(c.frames, f)
	}
	return nil
}

func (c *fakeConn) unblock() { close(c.block) }

func (c *fakeConn) Close(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed == "" {
		c.closed = reason
	}
}

func (c *fakeConn) closeReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// push records a frame that did not come from the hub (a catch-up push).
func (c *fakeConn) push(frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frames = append(c.frames, frame)
}

func (c *fakeConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.frames)
}

// received decodes the frames received so far.
func (c *fakeConn) received(t testing.TB) []testFrame {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]testFrame, len(c.frames))
	for i, f := range c.frames {
		if err := json.Unmarshal(f, &out[i]); err != nil {
			t.Fatalf("frame %d %q: %v", i, f, err)
		}
	}
	return out
}

func waitCount(t testing.TB, c *fakeConn, want int) {
	t.Helper()
	checkFor(t, 10*time.Second, time.Millisecond, func() error {
		if got := c.count(); got != want {
			return fmt.Errorf("conn %s has %d frames, want %d", c.id, got, want)
		}
		return nil
	})
}

// checkFor polls instead of sleeping (internal/testenv).
var checkFor = testenv.CheckFor
