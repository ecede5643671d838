package phoenix_test

import (
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay/phoenix"
)

// BenchmarkBroadcast measures end-to-end fan-out over real loopback sockets:
// 1 topic, 1,000 joined gorilla clients in this same process (they share the
// 2 cores with the server), broadcasts of a ~100-byte chat event. It reports
// deliveries/s (frames read by the clients) and encodes per event.
//
//   - burst: b.N events as fast as the hub takes them; writers coalesce
//     what piles up into one write per wake-up.
//   - paced: each event waits until all 1,000 clients have read the
//     previous one, so there is nothing to coalesce: one write per frame.
func BenchmarkBroadcast(b *testing.B) {
	b.Run("burst", func(b *testing.B) { benchBroadcast(b, false) })
	b.Run("paced", func(b *testing.B) { benchBroadcast(b, true) })
}

func benchBroadcast(b *testing.B, paced bool) {
	const subscribers = 1000
	ts := newServer(b, func(s *phoenix.Server) {
		// A burst benchmark queues b.N events at once; real traffic does not.
		s.QueueLen = 1 << 20
		s.QueueBytes = 1 << 30
		s.IdleTimeout = -1 // the clients send no heartbeats
	})
	clients := make([]*client, subscribers)
	for i := range clients {
		c := ts.dial(b)
		c.join("1", "room:bench", `{}`)
		clients[i] = c
	}
	var read sync.WaitGroup // one Done per frame read
	var exited sync.WaitGroup
	failed := make(chan error, subscribers)
	exited.Add(subscribers)
	if !paced {
		read.Add(b.N * subscribers)
	}
	for _, c := range clients {
		_ = c.ws.SetReadDeadline(time.Time{}) // join() left one
		go func() {
			defer exited.Done()
			for n := 0; n < b.N; n++ {
				_, r, err := c.ws.NextReader()
				if err != nil {
					failed <- err
					return
				}
				_, _ = io.Copy(io.Discard, r)
				read.Done()
			}
		}()
	}
	payload := json.RawMessage(`{"id":"123456789","channel_id":"42","author":"7","body":"hello, this is a typical chat message","seq":1}`)
	before := ts.hub.Stats()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if paced {
			read.Add(subscribers)
		}
		ts.hub.Broadcast("room:bench", "message:new", payload)
		if paced {
			waitRead(b, &read, failed)
		}
	}
	waitRead(b, &read, failed)
	b.StopTimer()
	exited.Wait()
	after := ts.hub.Stats()
	b.ReportMetric(float64(b.N)*subscribers/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(after.Encoded-before.Encoded)/float64(b.N), "encodes/event")
	if after.SlowConsumers != 0 {
		b.Errorf("%d slow consumers", after.SlowConsumers)
	}
	for _, c := range clients {
		c.close()
	}
}

// waitRead waits for the clients to read what was sent, or fails the
// benchmark if one of them cannot.
func waitRead(b *testing.B, read *sync.WaitGroup, failed <-chan error) {
	done := make(chan struct{})
	go func() { read.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-failed:
		b.Fatalf("a client stopped reading: %v", err)
	}
}
