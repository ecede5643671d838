package socket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/store"
)

// rest is one REST answer with its headers.
type rest struct {
	status int
	header http.Header
	code   string // error.code, if any
	body   string
}

func get(t *testing.T, st *testserver.Stack, sub, path, token string) rest {
	t.Helper()
	req, err := http.NewRequest("GET", st.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = st.Host(sub)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return rest{status: resp.StatusCode, header: resp.Header, code: e.Error.Code, body: string(b)}
}

// TestDatabaseOutage takes PostgreSQL away under a running stack and brings
// it back. While it is down, REST answers 503 unavailable with Retry-After,
// a socket push gets an unavailable error reply, a first join on an open
// socket gets one too (the socket is not closed as if access had changed),
// a new socket is refused 503, and no channel is closed under its client.
// Once it is back, the same calls succeed on the same sockets.
func TestDatabaseOutage(t *testing.T) {
	dbURL := testdb.PostgresURL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, testserver.Config{DB: db})
	messages := "/api/v1/channels/" + w.general.String() + "/messages"
	c := dial(t, w.st, w.bob)
	c.mustJoin(w.topic, nil, nil)
	idle := dial(t, w.st, w.owner) // open, nothing joined yet
	send(t, c, w.topic, map[string]any{"body": "before", "client_msg_id": "outage-0"})
	if r := get(t, w.st, "acme", messages, w.bob.Token); r.status != http.StatusOK {
		t.Fatalf("before the outage: %d %s", r.status, r.body)
	}

	restore := testdb.Outage(t, dbURL)

	// Caches may answer a little longer; the first failure must be 503.
	var down rest
	checkFor(t, wait, 10*time.Millisecond, func() error {
		if down = get(t, w.st, "acme", messages, w.bob.Token); down.status == http.StatusOK {
			return fmt.Errorf("still answered from cache")
		}
		return nil
	})
	if down.status != http.StatusServiceUnavailable || down.code != "unavailable" {
		t.Fatalf("during the outage: %d %s, want 503 unavailable", down.status, down.body)
	}
	if ra, err := strconv.Atoi(down.header.Get("Retry-After")); err != nil || ra <= 0 {
		t.Fatalf("Retry-After = %q, want a positive number of seconds", down.header.Get("Retry-After"))
	}

	r := c.push(w.topic, "message:send", map[string]any{"body": "during", "client_msg_id": "outage-1"})
	if reason, code := r.reason(); r.Status != "error" || code != "unavailable" || reason == "" {
		t.Fatalf("push during the outage: %s, want an unavailable error reply", r)
	}
	r = idle.join(w.topic, nil)
	if _, code := r.reason(); r.Status != "error" || code != "unavailable" {
		t.Fatalf("first join during the outage: %s, want an unavailable error reply", r)
	}
	if _, status, err := tryDial(t, w.st, "acme", w.bob.Token); err == nil || status != http.StatusServiceUnavailable {
		t.Fatalf("new socket during the outage: status %d (%v), want 503", status, err)
	}
	c.alive()
	idle.alive()
	for _, cl := range []*client{c, idle} {
		for _, f := range cl.drain() {
			if f.Event == "phx_error" || f.Event == "phx_close" {
				t.Fatalf("%s: a channel was closed during the outage: %s", cl.name, f)
			}
		}
	}

	restore()

	checkFor(t, wait, 10*time.Millisecond, func() error {
		if r := get(t, w.st, "acme", messages, w.bob.Token); r.status != http.StatusOK {
			return fmt.Errorf("after the outage: %d %s", r.status, r.body)
		}
		return nil
	})
	m := send(t, c, w.topic, map[string]any{"body": "after", "client_msg_id": "outage-2"})
	if m.Body != "after" {
		t.Fatalf("sent %+v", m)
	}
	idle.mustJoin(w.topic, nil, nil)
	dial(t, w.st, w.bob).mustJoin(w.topic, nil, nil)
	for _, f := range c.drain() {
		if f.Event == "phx_error" || f.Event == "phx_close" {
			t.Fatalf("a channel was closed: %s", f)
		}
	}
}
