package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay/config"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/server"
)

// testConfig is the configuration of a server on a free loopback port with
// a fresh data folder.
func testConfig(t *testing.T) config.Config {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.ShutdownTimeout = 10 * time.Second
	return cfg
}

// running is a server whose Run goroutine is going.
type running struct {
	srv  *server.Server
	stop func() error // ends Run and returns its error
}

func run(t *testing.T, srv *server.Server) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var once bool
	var err error
	r := &running{srv: srv, stop: func() error {
		if !once {
			once = true
			cancel()
			err = <-done
			srv.Close()
		}
		return err
	}}
	t.Cleanup(func() { _ = r.stop() })
	return r
}

// get requests path on the server with Host host and returns the status
// and body.
func get(t *testing.T, addr, host, path string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// TestServeAndDrain builds the whole server from configuration (SQLite in
// the data folder, then PostgreSQL), serves a sign-up and a ready probe,
// and drains on cancel without error.
func TestServeAndDrain(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cfg := testConfig(t)
			if engine == "postgres" {
				cfg.DatabaseURL = testdb.PostgresURL(t)
			}
			srv, err := server.New(context.Background(), cfg, server.WithLogger(logging.New(io.Discard, "debug")),
				server.WithVersion("test"), server.WithPasswordParams(password.Params{Memory: 64, Time: 1, Threads: 1}))
			if err != nil {
				t.Fatal(err)
			}
			r := run(t, srv)
			if got := srv.DB().Engine(); string(got) != engine {
				t.Fatalf("engine = %s, want %s", got, engine)
			}
			_, port, _ := strings.Cut(srv.Addr(), ":")
			if want := "http://localhost:" + port; srv.BaseURL() != want {
				t.Errorf("BaseURL = %q, want %q (the port chosen for :0)", srv.BaseURL(), want)
			}
			if code, _, body := get(t, srv.Addr(), "localhost", "/readyz"); code != 200 {
				t.Fatalf("readyz: %d %s", code, body)
			}
			body := `{"workspace_name":"Acme","subdomain":"acme","email":"o@acme.example","password":"owner-password","display_name":"O"}`
			req, _ := http.NewRequest("POST", "http://"+srv.Addr()+"/api/v1/signup", strings.NewReader(body))
			req.Host = "localhost"
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("signup: %d", resp.StatusCode)
			}
			if code, _, body := get(t, srv.Addr(), "acme.localhost", "/api/v1/workspace"); code != 200 || !strings.Contains(body, `"acme"`) {
				t.Fatalf("workspace: %d %s", code, body)
			}
			if err := r.stop(); err != nil {
				t.Fatalf("Run after cancel: %v", err)
			}
		})
	}
}

// jsonStatus decodes {"status": …} or {"error": {"code": …}}.
func jsonStatus(t *testing.T, body string) string {
	t.Helper()
	var v struct {
		Status string `json:"status"`
		Error  struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("not JSON: %q", body)
	}
	if v.Status != "" {
		return v.Status
	}
	return v.Error.Code
}

// syncBuffer is a bytes.Buffer that Run may write while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestBanner: once ready, Run prints one human line with the address to
// open: the public URL, else the base domain with the listening port.
func TestBanner(t *testing.T) {
	for _, tt := range []struct {
		name, baseDomain, publicURL string
		want                        func(port string) string
	}{
		{"localhost", "localhost", "", func(p string) string { return "Relay is running: open http://localhost:" + p + "\n" }},
		{"own domain", "relay.example", "", func(p string) string { return "Relay is running: open http://relay.example:" + p + "\n" }},
		{"public URL", "relay.example", "https://chat.example.com/", func(string) string { return "Relay is running: open https://chat.example.com\n" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.BaseDomain, cfg.PublicURL = tt.baseDomain, tt.publicURL
			var out syncBuffer
			srv, err := server.New(context.Background(), cfg, server.WithLogger(logging.New(io.Discard, "debug")),
				server.WithBanner(&out))
			if err != nil {
				t.Fatal(err)
			}
			run(t, srv)
			_, port, _ := strings.Cut(srv.Addr(), ":")
			want := tt.want(port)
			testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
				if got := out.String(); got != want {
					return fmt.Errorf("banner = %q, want %q", got, want)
				}
				return nil
			})
		})
	}
}

// TestMetricsListeners: /metrics is served on the debug listener to anyone
// who reaches it, and on the main listener only with a metrics token
// configured and presented; with neither configured it is nowhere (404).
func TestMetricsListeners(t *testing.T) {
	const token = "scrape-token-0123456789"
	for _, tt := range []struct {
		name      string
		debug     bool
		token     string
		header    []string // sent to the main listener
		mainCode  int
		debugCode int // 0: no debug listener
	}{
		{"neither", false, "", nil, 404, 0},
		{"neither, a token sent", false, "", []string{"Authorization", "Bearer " + token}, 404, 0},
		{"debug listener only", true, "", []string{"Authorization", "Bearer " + token}, 404, 200},
		{"token, none sent", false, token, nil, 401, 0},
		{"token, sent", false, token, []string{"Authorization", "Bearer " + token}, 200, 0},
		{"both", true, token, []string{"Authorization", "Bearer " + token}, 200, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.MetricsToken = tt.token
			var logs syncBuffer
			if tt.debug {
				cfg.DebugAddr = "127.0.0.1:0"
			}
			srv, err := server.New(context.Background(), cfg, server.WithLogger(logging.New(&logs, "info")), server.WithVersion("test"))
			if err != nil {
				t.Fatal(err)
			}
			run(t, srv)
			code, _, body := get(t, srv.Addr(), "localhost", "/metrics", tt.header...)
			if code != tt.mainCode {
				t.Errorf("main listener /metrics: %d, want %d: %s", code, tt.mainCode, body)
			}
			if code == 200 && !strings.Contains(body, `relay_build_info{version="test"} 1`) {
				t.Errorf("main listener /metrics lacks relay_build_info: %s", body)
			}
			if tt.debugCode == 0 {
				return
			}
			var rec struct {
				Msg, Addr string
			}
			for _, line := range strings.Split(logs.String(), "\n") {
				if json.Unmarshal([]byte(line), &rec) == nil && strings.HasPrefix(rec.Msg, "debug listening") {
					break
				}
			}
			if rec.Addr == "" {
				t.Fatalf("no debug listener address in the log:\n%s", logs.String())
			}
			code, _, body = get(t, rec.Addr, "anything", "/metrics")
			if code != tt.debugCode || !strings.Contains(body, "go_sql_open_connections") {
				t.Errorf("debug listener /metrics: %d, want %d with pool metrics: %.300s", code, tt.debugCode, body)
			}
			if code, _, _ := get(t, rec.Addr, "anything", "/debug/pprof/"); code != 200 {
				t.Errorf("debug listener pprof: %d", code)
			}
		})
	}
}
