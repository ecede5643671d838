package phoenix_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/realtime"
)

// memStats is what the server process reports about itself.
type memStats struct {
	RSS        int64 `json:"rss"`         // resident set, from /proc/self/status
	HeapInuse  int64 `json:"heap_inuse"`  // Go heap spans in use
	StackInuse int64 `json:"stack_inuse"` // goroutine stacks
	Goroutines int   `json:"goroutines"`
	Conns      int   `json:"conns"`
}

// BenchmarkIdleSocketMemory measures the server's memory per idle socket
// (RELAY_MEASURE_SOCKETS, default 10,000). Run it once:
//
//	go test -run '^$' -bench IdleSocketMemory -benchtime 1x -v ./phoenix/
//
// The server runs in a child process (this test binary again, started with
// RELAY_MEMORY_SERVER=1, see TestMain) so that the clients' memory is not
// counted. Each
// client connects, joins one topic (a buffered hub subscription, released
// after the reply) and sends one heartbeat; then all sit idle. The child
// reports, after a GC and returning freed memory to the OS, its RSS and
// Go heap and stack in use; the test logs the growth divided by the number
// of sockets.
func BenchmarkIdleSocketMemory(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("RELAY_MEASURE_SOCKETS"))
	if n <= 0 {
		n = 10000
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RELAY_MEMORY_SERVER=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	var addr string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		b.Fatal("server process did not report its address")
	}
	go func() {
		for sc.Scan() { // drain
		}
	}()
	stats := func() memStats {
		resp, err := http.Get("http://" + addr + "/stats")
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var s memStats
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
			b.Fatal(err)
		}
		return s
	}

	// Warm up with a few sockets, so one-time costs are in the baseline.
	dialIdle := func(i int) *websocket.Conn {
		ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://%s/socket/websocket?vsn=2.0.0", addr), nil)
		if err != nil {
			b.Errorf("dial %d: %v", i, err)
			return nil
		}
		topic := "room:" + strconv.Itoa(i%100)
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`["1","1","`+topic+`","phx_join",{}]`))
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`[null,"2","phoenix","heartbeat",{}]`))
		_ = ws.SetReadDeadline(time.Now().Add(time.Minute))
		for k := 0; k < 2; k++ { // the join reply, the heartbeat reply
			if _, _, err := ws.ReadMessage(); err != nil {
				b.Errorf("socket %d: %v", i, err)
			}
		}
		return ws
	}
	warm := make([]*websocket.Conn, 0, 100)
	for i := 0; i < 100; i++ {
		warm = append(warm, dialIdle(i))
	}
	before := stats()

	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	const dialers = 8
	for d := 0; d < dialers; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := d; i < n; i += dialers {
				conns[i] = dialIdle(i)
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	after := stats()
	per := func(a, b int64) string {
		return fmt.Sprintf("%.1f KiB", float64(a-b)/float64(n)/1024)
	}
	b.Logf("%d idle sockets (joined, one heartbeat), server process:", after.Conns-before.Conns)
	b.Logf("  RSS          %6.1f → %6.1f MiB: %s per socket", mib(before.RSS), mib(after.RSS), per(after.RSS, before.RSS))
	b.Logf("  heap in use  %6.1f → %6.1f MiB: %s per socket", mib(before.HeapInuse), mib(after.HeapInuse), per(after.HeapInuse, before.HeapInuse))
	b.Logf("  stacks       %6.1f → %6.1f MiB: %s per socket", mib(before.StackInuse), mib(after.StackInuse), per(after.StackInuse, before.StackInuse))
	b.Logf("  goroutines   %d → %d: %.2f per socket", before.Goroutines, after.Goroutines, float64(after.Goroutines-before.Goroutines)/float64(n))
	b.ReportMetric(float64(after.RSS-before.RSS)/float64(n)/1024, "RSS-KiB/socket")
	b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/float64(n)/1024, "heap-KiB/socket")
	b.ReportMetric(float64(after.StackInuse-before.StackInuse)/float64(n)/1024, "stack-KiB/socket")
	b.ReportMetric(float64(after.Goroutines-before.Goroutines)/float64(n), "goroutines/socket")
	for _, c := range append(conns, warm...) {
		if c != nil {
			c.Close()
		}
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// TestMain runs the memory server instead of the tests in
// BenchmarkIdleSocketMemory's child process.
func TestMain(m *testing.M) {
	if os.Getenv("RELAY_MEMORY_SERVER") == "1" {
		if err := memoryServer(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// memoryServer serves sockets and /stats until stdin is closed.
func memoryServer() error {
	hub := realtime.NewHub(realtime.Options{Encode: phoenix.EncodeBroadcast, Logger: discard})
	presence := realtime.NewPresence(hub)
	s := &phoenix.Server{Handler: &idleHandler{hub: hub}, Hub: hub, Presence: presence, Logger: discard}
	mux := http.NewServeMux()
	mux.Handle("/socket/websocket", s)
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = json.NewEncoder(w).Encode(memStats{
			RSS: rss(), HeapInuse: int64(ms.HeapInuse), StackInuse: int64(ms.StackInuse),
			Goroutines: runtime.NumGoroutine(), Conns: s.Conns(),
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("ADDR %s\n", ln.Addr())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = srv.Shutdown(ctx)
	return s.Shutdown(ctx)
}

// rss returns the process's resident set size in bytes.
func rss() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// idleHandler joins every topic with a buffered subscription released after
// the reply, as the application does.
type idleHandler struct{ hub *realtime.Hub }

func (h *idleHandler) Connect(*http.Request) (any, error) { return nil, nil }
func (h *idleHandler) Join(_ context.Context, c *phoenix.Conn, topic string, _ json.RawMessage) (any, func(), error) {
	sub := h.hub.Subscribe(topic, c, true)
	return nil, func() { sub.Release(nil) }, nil
}
func (h *idleHandler) HandleIn(context.Context, *phoenix.Conn, string, string, json.RawMessage) (any, error) {
	return nil, nil
}
func (h *idleHandler) Leave(*phoenix.Conn, string) {}
func (h *idleHandler) Disconnect(*phoenix.Conn)    {}
