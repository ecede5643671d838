package realtime_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/relayhq/relay/realtime"
)

// byteConn counts the frames and bytes it is sent, with no queue.
type byteConn struct {
	id     string
	frames *atomic.Int64
	bytes  *atomic.Int64
}

func (c *byteConn) ID() string { return c.id }
func (c *byteConn) Send(frame []byte) error {
	c.frames.Add(1)
	c.bytes.Add(int64(len(frame)))
	return nil
}
func (c *byteConn) Close(string) {}

// statePayload is what phoenix.Conn.Push makes of State(): a pre-encoded
// json.RawMessage object is used as is, anything else is encoded.
func statePayload(v any) []byte {
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, _ := json.Marshal(v)
	return b
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPresenceJoin makes N connections join one topic the way
// socket.joinWorkspace does (buffered subscribe, presence_state pushed,
// Release, Track with a realistic meta), and reports the frames delivered,
// the bytes, and the process CPU time per run of N joins (including the
// final coalesced diff). "burst" joins back to back; "paced" waits 1 ms
// between joins, closer to sockets arriving over the network.
func BenchmarkPresenceJoin(b *testing.B) {
	for _, n := range []int{1000, 2000} {
		for _, pace := range []time.Duration{0, time.Millisecond} {
			name := fmt.Sprintf("N=%d/burst", n)
			if pace > 0 {
				name = fmt.Sprintf("N=%d/paced", n)
			}
			b.Run(name, func(b *testing.B) { benchPresenceJoin(b, n, pace) })
		}
	}
}

func benchPresenceJoin(b *testing.B, n int, pace time.Duration) {
	var frames, bytes atomic.Int64
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		h, _ := newHub(b, realtime.Options{QueueLen: 1 << 20})
		p := realtime.NewPresence(h)
		const topic = "workspace:1"
		conns := make([]*byteConn, n)
		for j := range conns {
			conns[j] = &byteConn{id: "c" + strconv.Itoa(j), frames: &frames, bytes: &bytes}
		}
		start := cpuTime()
		for j, c := range conns {
			sub := h.Subscribe(topic, c, true)
			st := statePayload(p.State(topic))
			frame := make([]byte, 0, len(st)+64)
			frame = append(frame, `[null,null,"workspace:1","presence_state",`...)
			frame = append(frame, st...)
			frame = append(frame, ']')
			_ = c.Send(frame)
			sub.Release(nil)
			now := time.Now().UTC().Format(time.RFC3339)
			p.Track(topic, "user-"+strconv.Itoa(j%100), c, map[string]any{
				"user_id": strconv.Itoa(1000000 + j%100), "display_name": "Bench User " + strconv.Itoa(j%100),
				"avatar_url": "", "status": "online", "text": "", "emoji": "",
				"online_at": now, "last_active_at": now,
			})
			if pace > 0 {
				time.Sleep(pace)
			}
		}
		// let the last coalesced diff go out (a no-op without coalescing)
		time.Sleep(150 * time.Millisecond)
		cpu += cpuTime() - start
	}
	b.ReportMetric(float64(frames.Load())/float64(b.N), "frames/op")
	b.ReportMetric(float64(bytes.Load())/float64(b.N)/1e6, "MB/op")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
