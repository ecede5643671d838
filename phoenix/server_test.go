package phoenix_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/realtime"
)

func TestHeartbeatWithoutChannelsAndSubprotocol(t *testing.T) {
	ts := newServer(t, nil)
	d := websocket.Dialer{Subprotocols: []string{"phoenix", "base64url.bearer.phx.dG9r"}}
	ws, resp, err := d.Dial(ts.url("vsn=2.0.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != "phoenix" {
		t.Errorf("subprotocol answered %q, want phoenix", got)
	}
	c := &client{t: t, ws: ws}
	defer c.close()
	c.heartbeat("1")
	c.heartbeat("2")
}

func TestJoinOkAndError(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)
	c.send("3", "3", "deny:1", "phx_join", `{}`)
	c.expect(`["3","3","deny:1","phx_reply",{"status":"error","response":{"reason":"You may not join deny:1.","code":"forbidden"}}]`)
	if n := ts.hub.Subscribers("deny:1"); n != 0 {
		t.Errorf("failed join left %d hub subscriptions", n)
	}
	// A failed join is not joined: a push to it is unmatched.
	c.send("3", "4", "deny:1", "echo", `{}`)
	c.expect(`[null,"4","deny:1","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]`)
}

// TestErrorReplyRetryAfter: an error that says how long to wait (a rate
// limit) carries retry_after in its reply.
func TestErrorReplyRetryAfter(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)
	c.send("1", "2", "room:1", "throttle", `{}`)
	c.expect(`["1","2","room:1","phx_reply",{"status":"error","response":{"reason":"Slow down.","code":"rate_limited","retry_after":3}}]`)
}

func TestPushAndReply(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)

	c.send("1", "2", "room:1", "echo", `{"a":[1,2]}`)
	c.expect(`["1","2","room:1","phx_reply",{"status":"ok","response":{"a":[1,2]}}]`)
	c.send("1", "3", "room:1", "fail", `{}`)
	c.expect(`["1","3","room:1","phx_reply",{"status":"error","response":{"reason":"That will not do.","code":"invalid"}}]`)
	c.send("1", "4", "room:1", "push", `{"x":1}`)
	c.expect(`["1",null,"room:1","pushed",{"x":1}]`)
	c.expect(`["1","4","room:1","phx_reply",{"status":"ok","response":{}}]`)
	c.send("", "5", "room:1", "other", `{}`) // null join_ref is accepted
	c.expect(`["1","5","room:1","phx_reply",{"status":"ok","response":{}}]`)
	c.send("1", "6", "room:1", "noreply", `{}`)
	c.send("1", "7", "room:1", "array", `{}`) // a reply that is not an object
	c.expect(`["1","7","room:1","phx_reply",{"status":"error","response":{"reason":"Internal error.","code":"internal"}}]`)
	c.heartbeat("8")
	if got, want := ts.handler.history(), "connect t1; join room:1; in room:1 echo; in room:1 fail; in room:1 push; in room:1 other; in room:1 noreply; in room:1 array"; got != want {
		t.Errorf("calls:\n got %s\nwant %s", got, want)
	}
	if err := ts.handler.lastConn().Push("room:2", "x", nil); !errors.Is(err, phoenix.ErrNotJoined) {
		t.Errorf("Push to an unjoined topic = %v, want ErrNotJoined", err)
	}
	if err := ts.handler.lastConn().Push("room:1", "x", []int{1}); err == nil {
		t.Error("Push of a non-object payload succeeded")
	}
}

func TestUnmatchedTopic(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.send("9", "1", "room:2", "echo", `{}`)
	c.expect(`[null,"1","room:2","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]`)
	c.send("", "2", "room:2", "phx_leave", `{}`) // leave of an unjoined topic: ok
	c.expect(`[null,"2","room:2","phx_reply",{"status":"ok","response":{}}]`)
}

func TestStaleJoinRefIgnored(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("5", "room:1", `{}`)
	c.send("4", "6", "room:1", "echo", `{}`)      // from an earlier join
	c.send("4", "7", "room:1", "phx_leave", `{}`) // likewise
	c.heartbeat("8")                              // the next frame: nothing was answered
	c.send("5", "9", "room:1", "echo", `{}`)      // still joined
	c.expect(`["5","9","room:1","phx_reply",{"status":"ok","response":{}}]`)
}

func TestDuplicateJoinClosesOldRef(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)
	c.send("3", "3", "room:1", "phx_join", `{}`)
	c.expect(`["1","1","room:1","phx_close",{}]`)
	c.expect(`["3","3","room:1","phx_reply",{"status":"ok","response":{"topic":"room:1"}}]`)
	if got, want := ts.handler.history(), "connect t1; join room:1; leave room:1; join room:1"; got != want {
		t.Errorf("calls: got %s, want %s", got, want)
	}
	ts.hub.Broadcast("room:1", "hello", nil)
	c.expect(`[null,null,"room:1","hello",{}]`) // subscribed once, not twice
	c.heartbeat("4")
}

func TestLeave(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)
	c.send("1", "2", "room:1", "phx_leave", `{}`)
	c.expect(`["1","2","room:1","phx_reply",{"status":"ok","response":{}}]`)
	c.expect(`["1","1","room:1","phx_close",{}]`)
	if n := ts.hub.Subscribers("room:1"); n != 0 {
		t.Errorf("subscribers after leave = %d", n)
	}
	ts.hub.Broadcast("room:1", "hello", nil)
	c.send("1", "3", "room:1", "echo", `{}`)
	c.expect(`[null,"3","room:1","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]`)
}

func TestAfterPushesBetweenReplyAndLive(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	// The live event is dispatched during Join, before the reply is even
	// queued; it must still come after the reply and the catch-up.
	c.send("1", "1", "room:1", "phx_join", `{"catchup":3,"live":true}`)
	c.expect(`["1","1","room:1","phx_reply",{"status":"ok","response":{"topic":"room:1"}}]`)
	for i := 1; i <= 3; i++ {
		c.expect(fmt.Sprintf(`["1",null,"room:1","catchup",{"i":%d}]`, i))
	}
	c.expect(`[null,null,"room:1","live",{"n":1}]`)
	ts.hub.Broadcast("room:1", "later", json.RawMessage(`{"n":2}`))
	c.expect(`[null,null,"room:1","later",{"n":2}]`)
}

func TestPresenceStateAndCleanupOnDisconnect(t *testing.T) {
	ts := newServer(t, nil)
	watcher := ts.dial(t)
	defer watcher.close()
	watcher.join("1", "room:1", `{}`)

	c := ts.dial(t)
	c.send("1", "1", "room:1", "phx_join", `{"track":"u1"}`)
	c.expect(`["1","1","room:1","phx_reply",{"status":"ok","response":{"topic":"room:1"}}]`)
	state := c.read()
	if state.Event != "presence_state" || !strings.Contains(string(state.Payload), `"u1":{"metas":[{`) {
		t.Fatalf("want presence_state with u1, got %s %s", state.Event, state.Payload)
	}
	join := watcher.read()
	if join.Event != "presence_diff" || !strings.Contains(string(join.Payload), `"joins":{"u1"`) {
		t.Fatalf("watcher: want a join diff, got %s %s", join.Event, join.Payload)
	}

	c.close()
	leave := watcher.read()
	if leave.Event != "presence_diff" || !strings.Contains(string(leave.Payload), `"leaves":{"u1"`) {
		t.Fatalf("watcher: want a leave diff, got %s %s", leave.Event, leave.Payload)
	}
	checkFor(t, wait, time.Millisecond, func() error {
		if h := ts.handler.history(); !strings.HasSuffix(h, "leave room:1; disconnect") {
			return fmt.Errorf("calls: %s", h)
		}
		if n := ts.hub.Subscribers("room:1"); n != 1 {
			return fmt.Errorf("%d subscribers, want the watcher only", n)
		}
		if n := ts.srv.Conns(); n != 1 {
			return fmt.Errorf("%d conns open, want 1", n)
		}
		return nil
	})
}

func TestOriginChecked(t *testing.T) {
	ts := newServer(t, nil)
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{ts.http.URL, true},
		{strings.ToUpper(ts.http.URL), true},
		{"http://evil.example", false},
		{"http://127.0.0.1:1", false},
		{"::bad", false},
	} {
		hdr := http.Header{}
		if tc.origin != "" {
			hdr.Set("Origin", tc.origin)
		}
		c, resp, err := ts.tryDial("vsn=2.0.0", hdr)
		if tc.ok {
			if err != nil {
				t.Errorf("origin %q refused: %v", tc.origin, err)
				continue
			}
			c.close()
		} else if err == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: err %v, status %v; want 403", tc.origin, err, status(resp))
		}
	}
}

func TestConnectRefusedAndVersion(t *testing.T) {
	ts := newServer(t, nil)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"token=bad&vsn=2.0.0", http.StatusUnauthorized},
		{"token=forbidden&vsn=2.0.0", http.StatusForbidden},
		{"token=t1", http.StatusForbidden},            // no vsn means 1.0.0
		{"token=t1&vsn=1.0.0", http.StatusForbidden},  // not supported
		{"token=t1&vsn=3.0.0", http.StatusForbidden},  // unknown
		{"token=bad&vsn=1.0.0", http.StatusForbidden}, // version checked before auth
	} {
		_, resp, err := ts.tryDial(tc.query, nil)
		if err == nil || resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s: err %v, status %v; want %d and no upgrade", tc.query, err, status(resp), tc.want)
		}
	}
	if h := ts.handler.history(); h != "" {
		t.Errorf("handler saw %s; refused sockets reach nothing", h)
	}
	resp, err := http.Get(ts.http.URL + "/socket/websocket?vsn=2.0.0") // not an upgrade
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET: status %d, want 400", resp.StatusCode)
	}
}

func TestReadLimitCloses1009(t *testing.T) {
	ts := newServer(t, func(s *phoenix.Server) { s.MaxFrameBytes = 1024 })
	c := ts.dial(t)
	defer c.close()
	c.heartbeat("1")
	c.send("", "2", "phoenix", "heartbeat", `{"pad":"`+strings.Repeat("x", 2000)+`"}`)
	c.expectClose(websocket.CloseMessageTooBig)
}

func TestMalformedFrames(t *testing.T) {
	ts := newServer(t, nil)
	replies := []struct{ in, want string }{
		{`["1","2","t","e"]`, `["1","2","t","phx_reply",{"status":"error","response":{"reason":"malformed message"}}]`},
		{`["1","3",5,"e",{}]`, `["1","3","phoenix","phx_reply",{"status":"error","response":{"reason":"malformed message"}}]`},
		{`["1","4","t","e",[1]]`, `["1","4","t","phx_reply",{"status":"error","response":{"reason":"payload must be an object"}}]`},
		{`[1,"5","t","e",{}]`, `[null,"5","t","phx_reply",{"status":"error","response":{"reason":"malformed message"}}]`},
		// A join with a join_ref but a null ref is answered on the join_ref.
		{`["8",null,"room:1","phx_join",{}]`, `["8","8","room:1","phx_reply",{"status":"ok","response":{"topic":"room:1"}}]`},
	}
	c := ts.dial(t)
	for _, r := range replies {
		c.sendText(r.in)
		c.expect(r.want)
	}
	// A binary push whose header can be read is answered; the socket stays.
	bin := append([]byte{0, 1, 1, 6, 2}, "1"+"6"+"room:1"+"ev"+"raw"...)
	if err := c.ws.WriteMessage(websocket.BinaryMessage, bin); err != nil {
		t.Fatal(err)
	}
	c.expect(`["1","6","room:1","phx_reply",{"status":"error","response":{"reason":"binary frames are not supported"}}]`)
	c.heartbeat("7")
	c.close()

	// Frames that cannot be answered close the socket.
	for _, tc := range []struct {
		in   string
		bin  bool
		code int
	}{
		{`not json`, false, websocket.CloseInvalidFramePayloadData},
		{`{"topic":"t"}`, false, websocket.CloseInvalidFramePayloadData},
		{`[null,null,"t","e"]`, false, websocket.CloseInvalidFramePayloadData},
		{`[null,null,"room:1","phx_join",{}]`, false, websocket.CloseInvalidFramePayloadData},
		{"\x07garbage", true, websocket.CloseUnsupportedData},
	} {
		c := ts.dial(t)
		typ := websocket.TextMessage
		if tc.bin {
			typ = websocket.BinaryMessage
		}
		if err := c.ws.WriteMessage(typ, []byte(tc.in)); err != nil {
			t.Fatal(err)
		}
		c.expectClose(tc.code)
		c.close()
	}
	// And the server is still fine.
	c = ts.dial(t)
	defer c.close()
	c.heartbeat("1")
}

func TestMaxChannels(t *testing.T) {
	ts := newServer(t, func(s *phoenix.Server) { s.MaxChannels = 2 })
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:a", `{}`)
	c.join("2", "room:b", `{}`)
	c.send("3", "3", "room:c", "phx_join", `{}`)
	c.expect(`["3","3","room:c","phx_reply",{"status":"error","response":{"reason":"too many channels joined"}}]`)
	c.send("4", "4", "room:a", "phx_join", `{}`) // rejoining a joined topic is not one more
	c.expect(`["1","1","room:a","phx_close",{}]`)
	c.expect(`["4","4","room:a","phx_reply",{"status":"ok","response":{"topic":"room:a"}}]`)
}

func TestHandlerPanicsAreContained(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.send("1", "1", "panic:1", "phx_join", `{}`)
	c.expect(`["1","1","panic:1","phx_reply",{"status":"error","response":{"reason":"join crashed","code":"internal"}}]`)
	c.join("2", "room:1", `{}`)
	c.send("2", "3", "room:1", "crash", `{}`)
	c.expect(`["2","3","room:1","phx_reply",{"status":"error","response":{"reason":"Internal error.","code":"internal"}}]`)
	c.expect(`["2","2","room:1","phx_error",{"reason":"channel_crash"}]`)
	c.heartbeat("4")
}

func TestServerClosesChannel(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)
	c.join("2", "room:2", `{}`)
	conn := ts.handler.lastConn()
	conn.CloseChannel("room:1", true)
	c.expect(`["1","1","room:1","phx_error",{"reason":"channel_crash"}]`)
	conn.CloseChannel("room:2", false)
	c.expect(`["2","2","room:2","phx_close",{}]`)
	conn.CloseChannel("room:3", false) // not joined: nothing
	c.heartbeat("3")
	if _, ok := conn.Joined("room:1"); ok {
		t.Error("room:1 still joined")
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := newServer(t, func(s *phoenix.Server) { s.IdleTimeout = 300 * time.Millisecond })
	c := ts.dial(t)
	defer c.close()
	c.heartbeat("1") // activity resets the timer; then silence
	c.expectClose(websocket.CloseNormalClosure)
}

func TestAppCloseFlushesFirst(t *testing.T) {
	ts := newServer(t, nil)
	c := ts.dial(t)
	defer c.close()
	c.join("1", "room:1", `{}`)
	conn := ts.handler.lastConn()
	_ = conn.Push("room:1", "bye", map[string]string{"why": "revoked"})
	conn.Close("session revoked")
	c.expect(`["1",null,"room:1","bye",{"why":"revoked"}]`)
	c.expectClose(websocket.CloseNormalClosure)
	checkFor(t, wait, time.Millisecond, func() error {
		if err := conn.Context().Err(); err == nil {
			return errors.New("conn context not cancelled")
		}
		return nil
	})
}

func TestSlowConsumerClosedOthersUnaffected(t *testing.T) {
	ts := newServer(t, func(s *phoenix.Server) { s.QueueLen = 16; s.QueueBytes = 256 << 10 })
	fast := ts.dial(t)
	defer fast.close()
	fast.join("1", "room:1", `{}`)
	slow := ts.dial(t) // joins and then never reads
	defer slow.close()
	slow.join("1", "room:1", `{}`)

	recv := make(chan struct{}, 1)
	readerDone := make(chan error, 1)
	go func() { // the fast client reads everything
		for {
			if _, _, err := fast.ws.ReadMessage(); err != nil {
				readerDone <- err
				return
			}
			recv <- struct{}{}
		}
	}()
	// Broadcast in step with the fast reader, so only the slow client falls behind.
	payload := json.RawMessage(`{"pad":"` + strings.Repeat("x", 64<<10) + `"}`)
	var got int64
	broadcast := func() {
		t.Helper()
		ts.hub.Broadcast("room:1", "big", payload)
		select {
		case <-recv:
			got++
		case err := <-readerDone:
			t.Fatalf("fast client stopped after %d frames: %v", got, err)
		case <-time.After(wait):
			t.Fatalf("fast client got nothing for %v", wait)
		}
	}
	sent := 0
	for ; sent < 5000 && ts.hub.Stats().SlowConsumers == 0; sent++ {
		broadcast()
	}
	if ts.hub.Stats().SlowConsumers != 1 {
		t.Fatalf("no slow consumer after %d broadcasts", sent)
	}
	for i := 0; i < 10; i++ { // the fan-out goes on
		broadcast()
		sent++
	}
	if got != int64(sent) {
		t.Errorf("fast client got %d of %d", got, sent)
	}
	checkFor(t, wait, time.Millisecond, func() error {
		if ts.srv.Conns() != 1 {
			return fmt.Errorf("%d sockets open, want the fast one only", ts.srv.Conns())
		}
		return nil
	})
	t.Logf("slow consumer closed after %d broadcasts of 64 KiB; fast client got all %d", sent-10, got)
}

func TestShutdown(t *testing.T) {
	ts := newServer(t, nil)
	clients := []*client{ts.dial(t), ts.dial(t), ts.dial(t)}
	clients[0].join("1", "room:1", `{}`)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		c.expectClose(websocket.CloseGoingAway)
		c.close()
	}
	if n := ts.srv.Conns(); n != 0 {
		t.Errorf("%d conns after Shutdown", n)
	}
	_, resp, err := ts.tryDial("vsn=2.0.0", nil)
	if err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial after shutdown: %v, status %v; want 503", err, status(resp))
	}
}

func TestBearerToken(t *testing.T) {
	for _, tc := range []struct {
		protos []string
		want   string
		ok     bool
	}{
		{[]string{"phoenix", "base64url.bearer.phx." + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("a+b/c?")), "=")}, "a+b/c?", true},
		{[]string{"phoenix", "base64url.bearer.phx." + base64.URLEncoding.EncodeToString([]byte("tok>?"))}, "tok>?", true},
		{[]string{"phoenix"}, "", false},
		{[]string{"base64url.bearer.phx.!!!"}, "", false},
	} {
		r, _ := http.NewRequest("GET", "http://x/socket/websocket", nil)
		r.Header.Set("Sec-WebSocket-Protocol", strings.Join(tc.protos, ", "))
		got, ok := phoenix.BearerToken(r)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%v: got %q %v, want %q %v", tc.protos, got, ok, tc.want, tc.ok)
		}
	}
}

var _ realtime.Conn = (*phoenix.Conn)(nil)
