package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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

var _ = testenv.CheckFor
var _ = fmt.Sprint
