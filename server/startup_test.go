package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/server"
	"github.com/relayhq/relay/store"
)

// probe checks what the listener answers while the server waits for its
// database: /healthz 200, /readyz and the API 503 unavailable with
// Retry-After, a browser a page that says so.
func probeStarting(t *testing.T, addr string) {
	t.Helper()
	if code, _, body := get(t, addr, "localhost", "/healthz"); code != 200 || jsonStatus(t, body) != "ok" {
		t.Errorf("healthz while waiting: %d %s", code, body)
	}
	for _, path := range []string{"/readyz", "/api/v1/workspaces/acme"} {
		code, h, body := get(t, addr, "localhost", path)
		if code != http.StatusServiceUnavailable || jsonStatus(t, body) != "unavailable" || h.Get("Retry-After") == "" {
			t.Errorf("%s while waiting: %d Retry-After %q %s", path, code, h.Get("Retry-After"), body)
		}
	}
	code, h, body := get(t, addr, "localhost", "/", "Accept", "text/html")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "waiting for its database") {
		t.Errorf("a browser while waiting: %d %s %s", code, h.Get("Content-Type"), body)
	}
}

// TestStartWaitsForTheDatabase: a database that fails to open is tried
// again, each failure logged, while the listener answers probes; once it
// opens the server serves.
func TestStartWaitsForTheDatabase(t *testing.T) {
	cfg := testConfig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var logs syncBuffer
	var attempts atomic.Int32
	release := make(chan struct{})
	open := func() (*store.DB, error) {
		attempts.Add(1)
		select {
		case <-release:
			return server.OpenStore(context.Background(), cfg, nil)
		default:
			return nil, errors.New("dial tcp 127.0.0.1:5432: connection refused")
		}
	}
	type result struct {
		srv *server.Server
		err error
	}
	done := make(chan result, 1)
	go func() {
		srv, err := server.New(context.Background(), cfg, server.WithListener(ln), server.WithDBOpener(open),
			server.WithRetryBackoff(time.Millisecond, 20*time.Millisecond), server.WithLogger(logging.New(&logs, "info")))
		done <- result{srv, err}
	}()

	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if n := attempts.Load(); n < 3 {
			return fmt.Errorf("%d tries to open the database so far, want 3", n)
		}
		return nil
	})
	probeStarting(t, addr)
	if n := strings.Count(logs.String(), `"msg":"database not reachable; retrying"`); n < 2 {
		t.Errorf("%d retries logged, want one a failure:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the retries do not say why:\n%s", logs.String())
	}

	close(release)
	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("New did not return once the database opened")
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	run(t, res.srv)
	if code, _, body := get(t, addr, "localhost", "/readyz"); code != 200 || jsonStatus(t, body) != "ok" {
		t.Fatalf("readyz once the database is reached: %d %s", code, body)
	}
	if !strings.Contains(logs.String(), `"msg":"database reached"`) {
		t.Errorf("no \"database reached\" line:\n%s", logs.String())
	}
}

// TestStartWaitsForPostgreSQL: the real thing. The database URL names a
// port where nothing listens; the server retries until a forwarder to the
// test PostgreSQL opens on that port, then serves from it. A server
// cancelled while it waits returns the context's error.
func TestStartWaitsForPostgreSQL(t *testing.T) {
	real, err := url.Parse(testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	// A port nothing listens on (until the forwarder takes it).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pgAddr := l.Addr().String()
	l.Close()
	down := *real
	down.Host = pgAddr
	q := down.Query()
	q.Set("connect_timeout", "2")
	down.RawQuery = q.Encode()

	t.Run("cancelled while waiting", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.DatabaseURL = down.String()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var logs syncBuffer
		done := make(chan error, 1)
		go func() {
			srv, err := server.New(ctx, cfg, server.WithListener(ln), server.WithLogger(logging.New(&logs, "info")),
				server.WithRetryBackoff(time.Millisecond, 10*time.Millisecond))
			if srv != nil {
				srv.Close()
			}
			done <- err
		}()
		testenv.CheckFor(t, 20*time.Second, 5*time.Millisecond, func() error {
			if n := strings.Count(logs.String(), "database not reachable; retrying"); n < 2 {
				return fmt.Errorf("%d retries logged, want 2", n)
			}
			return nil
		})
		probeStarting(t, ln.Addr().String())
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("New after cancel: %v, want context.Canceled", err)
		}
		if p, ok := real.User.Password(); ok && strings.Contains(logs.String(), p) {
			t.Errorf("the database password reached the log")
		}
	})

	t.Run("database comes up", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.DatabaseURL = down.String()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var logs syncBuffer
		type result struct {
			srv *server.Server
			err error
		}
		done := make(chan result, 1)
		go func() {
			srv, err := server.New(context.Background(), cfg, server.WithListener(ln), server.WithLogger(logging.New(&logs, "info")),
				server.WithRetryBackoff(time.Millisecond, 10*time.Millisecond))
			done <- result{srv, err}
		}()
		testenv.CheckFor(t, 20*time.Second, 5*time.Millisecond, func() error {
			if n := strings.Count(logs.String(), "database not reachable; retrying"); n < 2 {
				return fmt.Errorf("%d retries logged, want 2", n)
			}
			return nil
		})
		probeStarting(t, ln.Addr().String())

		forward(t, pgAddr, real.Host)
		var res result
		select {
		case res = <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("New did not return once PostgreSQL answered; log:\n%s", logs.String())
		}
		if res.err != nil {
			t.Fatal(res.err)
		}
		run(t, res.srv)
		if code, _, body := get(t, ln.Addr().String(), "localhost", "/readyz"); code != 200 {
			t.Fatalf("readyz once PostgreSQL answers: %d %s", code, body)
		}
		if got := res.srv.DB().Engine(); got != store.EnginePostgres {
			t.Fatalf("engine %s", got)
		}
	})
}

// forward listens on from and copies every connection to and from to,
// until the test ends.
func forward(t *testing.T, from, to string) {
	t.Helper()
	ln, err := net.Listen("tcp", from)
	if err != nil {
		t.Fatalf("forwarder: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) { mu.Lock(); conns = append(conns, c); mu.Unlock() }
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", to)
			if err != nil {
				in.Close()
				continue
			}
			track(in)
			track(out)
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
}
