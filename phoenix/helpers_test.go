package phoenix_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/realtime"
)

const wait = 10 * time.Second // upper bound for anything a test waits for

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeHandler is the application in these tests. Topics decide behaviour:
// "deny:*" is refused, "panic:*" panics, anything else joins, subscribing
// buffered to the hub. Join params {"catchup": n} make after push n
// "catchup" events before releasing; {"live": true} dispatches a live
// "live" broadcast while the join is in progress; {"track": "key"} tracks
// presence and pushes presence_state.
type fakeHandler struct {
	hub      *realtime.Hub
	presence *realtime.Presence

	mu    sync.Mutex
	calls []string
	conns []*phoenix.Conn
}

func (h *fakeHandler) record(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, fmt.Sprintf(format, args...))
}

func (h *fakeHandler) history() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.calls, "; ")
}

func (h *fakeHandler) lastConn() *phoenix.Conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[len(h.conns)-1]
}

func (h *fakeHandler) Connect(r *http.Request) (any, error) {
	switch tok := r.URL.Query().Get("token"); tok {
	case "bad":
		return nil, relay.Errorf(relay.EUNAUTHORIZED, "Sign in first.")
	case "forbidden":
		return nil, relay.Errorf(relay.EFORBIDDEN, "Not allowed.")
	default:
		h.record("connect %s", tok)
		return tok, nil
	}
}

func (h *fakeHandler) Join(ctx context.Context, c *phoenix.Conn, topic string, params json.RawMessage) (any, func(), error) {
	h.record("join %s", topic)
	h.mu.Lock()
	h.conns = append(h.conns, c)
	h.mu.Unlock()
	switch {
	case strings.HasPrefix(topic, "deny:"):
		h.hub.Subscribe(topic, c, true) // left behind on purpose: the server cleans up
		return nil, nil, relay.Errorf(relay.EFORBIDDEN, "You may not join %s.", topic)
	case strings.HasPrefix(topic, "panic:"):
		panic("join exploded")
	}
	var p struct {
		Catchup int    `json:"catchup"`
		Live    bool   `json:"live"`
		Track   string `json:"track"`
	}
	_ = json.Unmarshal(params, &p)
	sub := h.hub.Subscribe(topic, c, true)
	if p.Live {
		h.hub.Broadcast(topic, "live", json.RawMessage(`{"n":1}`))
	}
	after := func() {
		for i := 1; i <= p.Catchup; i++ {
			if err := c.Push(topic, "catchup", map[string]int{"i": i}); err != nil {
				panic(err)
			}
		}
		if p.Track != "" {
			h.presence.Track(topic, p.Track, c, map[string]any{"state": c.State()})
			_ = c.Push(topic, "presence_state", h.presence.State(topic))
		}
		sub.Release(nil)
	}
	return map[string]string{"topic": topic}, after, nil
}

func (h *fakeHandler) HandleIn(ctx context.Context, c *phoenix.Conn, topic, event string, payload json.RawMessage) (any, error) {
	h.record("in %s %s", topic, event)
	switch event {
	case "echo":
		return payload, nil
	case "fail":
		return nil, relay.Errorf(relay.EINVALID, "That will not do.")
	case "throttle":
		return nil, &relay.Error{Code: relay.ERATELIMITED, Message: "Slow down.", RetryAfter: 3}
	case "noreply":
		return phoenix.NoReply, nil
	case "crash":
		panic("handle_in exploded")
	case "push":
		return nil, c.Push(topic, "pushed", payload)
	case "array":
		return []int{1}, nil
	}
	return nil, nil
}

func (h *fakeHandler) Leave(c *phoenix.Conn, topic string) { h.record("leave %s", topic) }
func (h *fakeHandler) Disconnect(c *phoenix.Conn)          { h.record("disconnect") }

type testServer struct {
	srv     *phoenix.Server
	hub     *realtime.Hub
	handler *fakeHandler
	http    *httptest.Server
}

func newServer(t testing.TB, configure func(*phoenix.Server)) *testServer {
	t.Helper()
	hub := realtime.NewHub(realtime.Options{Encode: phoenix.EncodeBroadcast, Logger: discard})
	presence := realtime.NewPresence(hub)
	h := &fakeHandler{hub: hub, presence: presence}
	s := &phoenix.Server{Handler: h, Hub: hub, Presence: presence, Logger: discard}
	if configure != nil {
		configure(s)
	}
	mux := http.NewServeMux()
	mux.Handle("/socket/websocket", s)
	ts := httptest.NewServer(mux) // 127.0.0.1:0
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		ts.Close()
	})
	return &testServer{srv: s, hub: hub, handler: h, http: ts}
}

func (ts *testServer) url(query string) string {
	return "ws" + strings.TrimPrefix(ts.http.URL, "http") + "/socket/websocket?" + query
}

type client struct {
	t  testing.TB
	ws *websocket.Conn
}

// dial connects with vsn=2.0.0 and fails the test if the upgrade fails.
func (ts *testServer) dial(t testing.TB) *client {
	t.Helper()
	c, resp, err := ts.tryDial("token=t1&vsn=2.0.0", nil)
	if err != nil {
		t.Fatalf("dial: %v (status %v)", err, status(resp))
	}
	c.t = t
	return c
}

func (ts *testServer) tryDial(query string, hdr http.Header) (*client, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: wait}
	ws, resp, err := d.Dial(ts.url(query), hdr)
	if err != nil {
		return nil, resp, err
	}
	return &client{ws: ws}, resp, nil
}

func status(resp *http.Response) any {
	if resp == nil {
		return "none"
	}
	return resp.StatusCode
}

func (c *client) sendText(text string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send writes [join_ref, ref, topic, event, payload]; "" refs are null.
func (c *client) send(joinRef, ref, topic, event, payload string) {
	c.t.Helper()
	c.sendText(string(phoenix.AppendFrame(nil, phoenix.Message{JoinRef: joinRef, Ref: ref, Topic: topic, Event: event, Payload: json.RawMessage(payload)})))
}

func (c *client) read() phoenix.Message {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	typ, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		c.t.Fatalf("got a frame of type %d, want text", typ)
	}
	m, err := phoenix.DecodeFrame(data)
	if err != nil {
		c.t.Fatalf("server sent %s: %v", data, err)
	}
	return m
}

// expect reads one frame and compares it with the wanted message written as
// JSON text (payload compared as JSON values).
func (c *client) expect(want string) phoenix.Message {
	c.t.Helper()
	got := c.read()
	w, err := phoenix.DecodeFrame([]byte(want))
	if err != nil {
		c.t.Fatalf("bad want %s: %v", want, err)
	}
	if got.JoinRef != w.JoinRef || got.Ref != w.Ref || got.Topic != w.Topic || got.Event != w.Event || !jsonEqual(got.Payload, w.Payload) {
		c.t.Fatalf("got  %s\nwant %s", phoenix.AppendFrame(nil, got), want)
	}
	return got
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// expectClose reads until the connection ends and checks the close code.
func (c *client) expectClose(code int) {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	for {
		_, data, err := c.ws.ReadMessage()
		if err == nil {
			continue // frames queued before the close
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("connection ended with %v, want close %d", err, code)
		}
		if ce.Code != code {
			c.t.Fatalf("close code %d (%q), want %d; last data %s", ce.Code, ce.Text, code, data)
		}
		return
	}
}

// join joins topic with join_ref = ref = joinRef and checks the ok reply.
func (c *client) join(joinRef, topic, params string) {
	c.t.Helper()
	c.send(joinRef, joinRef, topic, "phx_join", params)
	c.expect(fmt.Sprintf(`[%q,%q,%q,"phx_reply",{"status":"ok","response":{"topic":%q}}]`, joinRef, joinRef, topic, topic))
}

// heartbeat sends a heartbeat and expects its reply as the next frame, which
// proves nothing else was sent in between.
func (c *client) heartbeat(ref string) {
	c.t.Helper()
	c.send("", ref, "phoenix", "heartbeat", `{}`)
	c.expect(fmt.Sprintf(`[null,%q,"phoenix","phx_reply",{"status":"ok","response":{}}]`, ref))
}

func (c *client) close() { _ = c.ws.Close() }

func mustParse(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// checkFor polls instead of sleeping (internal/testenv).
var checkFor = testenv.CheckFor
