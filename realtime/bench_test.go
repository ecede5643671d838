package realtime_test

import (
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/realtime"
)

// countConn counts what it is sent, with no queue: the cost of the hub alone.
type countConn struct {
	id string
	n  atomic.Int64
}

func (c *countConn) ID() string              { return c.id }
func (c *countConn) Send(frame []byte) error { c.n.Add(1); return nil }
func (c *countConn) Close(string)            {}

// queueConn is what a transport does: a realtime.Queue with a writer goroutine
// started on demand; the writer only counts (no socket).
type queueConn struct {
	id string
	q  *realtime.Queue
	n  atomic.Int64
	wg *sync.WaitGroup
}

func (c *queueConn) ID() string              { return c.id }
func (c *queueConn) Send(frame []byte) error { return c.q.Push(frame) }
func (c *queueConn) Close(string)            {}
func (c *queueConn) WriteFrames(f [][]byte) error {
	c.n.Add(int64(len(f)))
	c.wg.Add(-len(f))
	return nil
}

// BenchmarkDispatch fans events out on 1 topic to 1,000 subscribers and
// reports deliveries/s and encodes per event (must be 1).
func BenchmarkDispatch(b *testing.B) {
	const subscribers = 1000
	payload := json.RawMessage(`{"id":"123456789","channel_id":"42","body":"hello, this is a typical chat message","seq":1}`)
	ev := relay.Event{Topic: "channel:1", Name: "message:new", Payload: payload}

	b.Run("hub-only", func(b *testing.B) {
		h, enc := newHub(b, realtime.Options{})
		for i := 0; i < subscribers; i++ {
			h.Subscribe("channel:1", &countConn{id: strconv.Itoa(i)}, false)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			h.Dispatch(ev)
		}
		b.StopTimer()
		report(b, enc)
	})

	b.Run("with-queues", func(b *testing.B) {
		h, enc := newHub(b, realtime.Options{})
		var wg sync.WaitGroup
		for i := 0; i < subscribers; i++ {
			c := &queueConn{id: strconv.Itoa(i), wg: &wg}
			c.q = realtime.NewQueue(c, 1<<20, 0)
			h.Subscribe("channel:1", c, false)
		}
		b.ReportAllocs()
		b.ResetTimer()
		wg.Add(b.N * subscribers)
		for i := 0; i < b.N; i++ {
			h.Dispatch(ev)
		}
		wg.Wait() // every frame handed to a writer
		b.StopTimer()
		report(b, enc)
	})
}

func report(b *testing.B, enc *encoder) {
	deliveries := float64(b.N) * 1000
	b.ReportMetric(deliveries/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(enc.n.Load())/float64(b.N), "encodes/event")
}
