package socket_test

// A small Phoenix Channels v2 client over gorilla/websocket, and the
// helpers the socket tests share. The client dials 127.0.0.1 with the
// workspace in the Host header, reads every frame into an inbox on its own
// goroutine, and lets the test wait (never sleep) for the next frame, or the
// first frame matching a predicate, with a time limit.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay/internal/testenv"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/store"
)

// wait bounds anything a test waits for. Generous: the machines have two
// cores and the race detector slows everything down.
const wait = 30 * time.Second

// frame is one received Phoenix message; null refs are "".
type frame struct {
	JoinRef, Ref, Topic, Event string
	Payload                    json.RawMessage
}

func (f frame) String() string {
	p := string(f.Payload)
	if len(p) > 300 {
		p = p[:300] + "…"
	}
	return fmt.Sprintf("[%q %q %s %s %s]", f.JoinRef, f.Ref, f.Topic, f.Event, p)
}

// reply is the payload of a phx_reply.
type reply struct {
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response"`
}

func (r reply) String() string { return r.Status + " " + string(r.Response) }

// reason returns the error reply's reason and code.
func (r reply) reason() (reason, code string) {
	var e struct{ Reason, Code string }
	_ = json.Unmarshal(r.Response, &e)
	return e.Reason, e.Code
}

func decodeFrame(data []byte) (frame, error) {
	var elems [5]json.RawMessage
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || len(raw) != 5 {
		return frame{}, fmt.Errorf("not a Phoenix v2 frame: %s", data)
	}
	copy(elems[:], raw)
	var f frame
	var refs [2]*string
	for i := range refs {
		if err := json.Unmarshal(elems[i], &refs[i]); err != nil {
			return frame{}, fmt.Errorf("ref %d is not a string or null: %s", i, data)
		}
	}
	if refs[0] != nil {
		f.JoinRef = *refs[0]
	}
	if refs[1] != nil {
		f.Ref = *refs[1]
	}
	if json.Unmarshal(elems[2], &f.Topic) != nil || json.Unmarshal(elems[3], &f.Event) != nil {
		return frame{}, fmt.Errorf("topic or event is not a string: %s", data)
	}
	f.Payload = elems[4]
	if len(f.Payload) == 0 || f.Payload[0] != '{' {
		return frame{}, fmt.Errorf("payload is not an object: %s", data)
	}
	return f, nil
}

// client is a Phoenix socket as phoenix.js would drive it.
type client struct {
	t    testing.TB
	name string
	ws   *websocket.Conn
	refs atomic.Int64

	writeMu sync.Mutex

	mu      sync.Mutex
	inbox   []frame
	err     error             // why the reader stopped; set before done is closed
	joins   map[string]string // topic → join_ref of the current join
	paused  bool
	resumed chan struct{} // closed by resume
	notify  chan struct{} // a frame arrived or the reader stopped (capacity 1)
	done    chan struct{}
}

// dialOpt adjusts a dial.
type dialOpt func(*dialConfig)

type dialConfig struct {
	readBuffer int // SO_RCVBUF of the client's TCP socket; 0 keeps the default
	header     http.Header
}

// withReadBuffer shrinks the client's TCP receive buffer, so a client that
// stops reading makes the server's writes block soon.
func withReadBuffer(n int) dialOpt { return func(c *dialConfig) { c.readBuffer = n } }

func withHeader(k, v string) dialOpt { return func(c *dialConfig) { c.header.Set(k, v) } }

// tryDial opens a socket on st for the workspace sub with token. On a
// refused upgrade it returns the HTTP status.
func tryDial(t testing.TB, st *testserver.Stack, sub, token string, opts ...dialOpt) (*client, int, error) {
	t.Helper()
	cfg := dialConfig{header: http.Header{}}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.header.Set("Host", testserver.Host(sub))
	q := url.Values{"vsn": {"2.0.0"}}
	if token != "" {
		q.Set("token", token)
	}
	d := websocket.Dialer{
		HandshakeTimeout: wait,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil && cfg.readBuffer > 0 {
				err = nc.(*net.TCPConn).SetReadBuffer(cfg.readBuffer)
			}
			return nc, err
		},
	}
	ws, resp, err := d.Dial("ws://"+st.Addr+"/socket/websocket?"+q.Encode(), cfg.header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		return nil, status, err
	}
	c := &client{t: t, name: sub, ws: ws, joins: map[string]string{}, notify: make(chan struct{}, 1), done: make(chan struct{})}
	t.Cleanup(func() { _ = ws.Close() })
	go c.read()
	return c, http.StatusSwitchingProtocols, nil
}

// dial is tryDial that fails the test unless the socket opens.
func dial(t testing.TB, st *testserver.Stack, a testserver.Account, opts ...dialOpt) *client {
	t.Helper()
	c, status, err := tryDial(t, st, a.Sub, a.Token, opts...)
	if err != nil {
		t.Fatalf("dial %s as %s: status %d: %v", a.Sub, a.Name, status, err)
	}
	c.name = a.Name
	return c
}

func (c *client) read() {
	defer close(c.done)
	for {
		c.mu.Lock()
		for c.paused {
			ch := c.resumed
			c.mu.Unlock()
			<-ch
			c.mu.Lock()
		}
		c.mu.Unlock()
		typ, data, err := c.ws.ReadMessage()
		if err == nil && typ != websocket.TextMessage {
			err = fmt.Errorf("unexpected binary frame %x", data)
		}
		var f frame
		if err == nil {
			f, err = decodeFrame(data)
		}
		c.mu.Lock()
		if err != nil {
			c.err = err
		} else {
			c.inbox = append(c.inbox, f)
		}
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// pause stops reading (after the read in progress, if any) until resume:
// the server's writes pile up in the TCP buffers and then in its queue.
func (c *client) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused, c.resumed = true, make(chan struct{})
}

func (c *client) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused {
		c.paused = false
		close(c.resumed)
	}
}

// close drops the connection without a close frame, as a network failure
// or a closed laptop would.
func (c *client) close() {
	_ = c.ws.Close()
	<-c.done
}

func (c *client) ref() string { return strconv.FormatInt(c.refs.Add(1), 10) }

// send writes [join_ref, ref, topic, event, payload]; "" refs are null.
func (c *client) send(joinRef, ref, topic, event string, payload any) {
	c.t.Helper()
	if payload == nil {
		payload = json.RawMessage(`{}`)
	}
	raw, ok := payload.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(payload); err != nil {
			c.t.Fatal(err)
		}
	}
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	b, err := json.Marshal([]any{null(joinRef), null(ref), topic, event, raw})
	if err != nil {
		c.t.Fatal(err)
	}
	c.writeRaw(b)
}

// keepAlive sends a heartbeat without waiting for its reply, and ignores a
// closed connection: what a real client's timer does while its application
// is too busy to read, so the server's idle timeout never ends the socket.
func (c *client) keepAlive() {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(`[null,"`+c.ref()+`","phoenix","heartbeat",{}]`))
}

func (c *client) writeRaw(b []byte) {
	c.t.Helper()
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// sendJoin sends phx_join without waiting for the reply; it returns the ref.
func (c *client) sendJoin(topic string, params any) string {
	c.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	ref := c.ref()
	c.mu.Lock()
	c.joins[topic] = ref
	c.mu.Unlock()
	c.send(ref, ref, topic, "phx_join", params)
	return ref
}

// join joins topic with params and returns the reply.
func (c *client) join(topic string, params any) reply {
	c.t.Helper()
	return c.awaitReply(topic, c.sendJoin(topic, params))
}

// mustJoin joins and fails unless the reply is ok; it decodes the response into out (if not nil).
func (c *client) mustJoin(topic string, params, out any) {
	c.t.Helper()
	r := c.join(topic, params)
	if r.Status != "ok" {
		c.t.Fatalf("%s: join %s: %s", c.name, topic, r)
	}
	if out != nil {
		if err := json.Unmarshal(r.Response, out); err != nil {
			c.t.Fatalf("%s: join %s: response %s: %v", c.name, topic, r.Response, err)
		}
	}
}

// joinRef returns the join_ref of the latest join of topic.
func (c *client) joinRef(topic string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.joins[topic]
}

// sendPush sends a push on a joined topic without waiting; it returns the ref.
func (c *client) sendPush(topic, event string, payload any) string {
	c.t.Helper()
	ref := c.ref()
	c.send(c.joinRef(topic), ref, topic, event, payload)
	return ref
}

// push sends event on topic and returns the reply.
func (c *client) push(topic, event string, payload any) reply {
	c.t.Helper()
	return c.awaitReply(topic, c.sendPush(topic, event, payload))
}

// leave sends phx_leave and waits for its reply. Frames received before the
// reply stay in the inbox, in order.
func (c *client) leave(topic string) reply {
	c.t.Helper()
	return c.awaitReply(topic, c.sendPush(topic, "phx_leave", nil))
}

func (c *client) awaitReply(topic, ref string) reply {
	c.t.Helper()
	f := c.expect("reply to ref "+ref+" on "+topic, func(f frame) bool {
		return f.Event == "phx_reply" && f.Ref == ref && f.Topic == topic
	})
	var r reply
	if err := json.Unmarshal(f.Payload, &r); err != nil {
		c.t.Fatalf("%s: bad reply %s: %v", c.name, f, err)
	}
	return r
}

// expect returns the first frame in the inbox matching pred, waiting for
// it; the frames before it stay in the inbox. It fails the test after wait
// or if the connection closes first.
func (c *client) expect(desc string, pred func(frame) bool) frame {
	c.t.Helper()
	f, err := c.tryExpect(pred)
	if err != nil {
		c.t.Fatalf("%s: waiting for %s: %v", c.name, desc, err)
	}
	return f
}

func (c *client) tryExpect(pred func(frame) bool) (frame, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		c.mu.Lock()
		for i, f := range c.inbox {
			if pred(f) {
				c.inbox = append(c.inbox[:i:i], c.inbox[i+1:]...)
				c.mu.Unlock()
				return f, nil
			}
		}
		err, pending := c.err, c.summary()
		c.mu.Unlock()
		if err != nil {
			return frame{}, fmt.Errorf("connection closed (%v); unmatched frames: %s", err, pending)
		}
		select {
		case <-c.notify:
		case <-c.done:
		case <-timer.C:
			return frame{}, fmt.Errorf("nothing after %v; unmatched frames: %s", wait, pending)
		}
	}
}

// summary describes the inbox; c.mu must be held.
func (c *client) summary() string {
	var b strings.Builder
	for i, f := range c.inbox {
		if i == 10 {
			fmt.Fprintf(&b, " … (%d in all)", len(c.inbox))
			break
		}
		b.WriteString(f.String())
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// next returns the next frame, whatever it is.
func (c *client) next() frame {
	c.t.Helper()
	return c.expect("any frame", func(frame) bool { return true })
}

// nextOn returns the next frame, failing unless it is event on topic.
func (c *client) nextOn(topic, event string) frame {
	c.t.Helper()
	f := c.next()
	if f.Topic != topic || f.Event != event {
		c.t.Fatalf("%s: next frame is %s, want %s on %s", c.name, f, event, topic)
	}
	return f
}

// until returns every frame up to and including the first matching pred.
func (c *client) until(desc string, pred func(frame) bool) []frame {
	c.t.Helper()
	var out []frame
	for {
		f := c.next()
		out = append(out, f)
		if pred(f) {
			return out
		}
		if len(out) > 100000 {
			c.t.Fatalf("%s: no %s in 100000 frames", c.name, desc)
		}
	}
}

// closed waits for the server to close the connection and returns the
// reader's error (a *websocket.CloseError when a close frame came).
func (c *client) closed() error {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(wait):
		c.mu.Lock()
		pending := c.summary()
		c.mu.Unlock()
		c.t.Fatalf("%s: the server did not close the socket within %v; inbox: %s", c.name, wait, pending)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// alive fails unless a heartbeat gets its reply.
func (c *client) alive() {
	c.t.Helper()
	ref := c.ref()
	c.send("", ref, "phoenix", "heartbeat", map[string]any{})
	r := c.awaitReply("phoenix", ref)
	if r.Status != "ok" {
		c.t.Fatalf("%s: heartbeat: %s", c.name, r)
	}
}

// drain empties the inbox and returns what was in it.
func (c *client) drain() []frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.inbox
	c.inbox = nil
	return out
}

// is matches event on topic.
func is(topic, event string) func(frame) bool {
	return func(f frame) bool { return f.Topic == topic && f.Event == event }
}

// isMsg matches message:new on topic for the message id.
func isMsg(topic string, id relay.ID) func(frame) bool {
	return func(f frame) bool {
		return f.Topic == topic && f.Event == "message:new" && msgOf(f).ID == id
	}
}

// msgOf decodes a frame's payload as a Message (without failing: a
// zero Message if it is not one).
func msgOf(f frame) relay.Message {
	var m relay.Message
	_ = json.Unmarshal(f.Payload, &m)
	return m
}

// joined is the reply to a channel join.
type joined struct {
	LastSeq    int64 `json:"last_seq"`
	LastChange int64 `json:"last_change"`
	Reset      bool  `json:"reset"`
}

// world is a stack with a workspace "acme": its owner, a member, and #general.
type world struct {
	st      *testserver.Stack
	owner   testserver.Account
	bob     testserver.Account
	general relay.ID
	topic   string // channel:<general>
}

func newWorld(t testing.TB, cfg testserver.Config) *world {
	t.Helper()
	st := testserver.Start(t, cfg)
	w := &world{st: st, owner: st.Signup(t, "acme")}
	w.bob = st.Invite(t, w.owner, "bob", relay.RoleMember)
	w.general = st.General(t, w.owner)
	w.topic = relay.ChannelTopic(w.general)
	return w
}

// engineWorld runs fn on a world over a fresh database of each engine
// (testdb.Engines).
func engineWorld(t *testing.T, cfg testserver.Config, fn func(t *testing.T, w *world)) {
	t.Helper()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		c := cfg
		c.DB = db
		fn(t, newWorld(t, c))
	})
}

// hookStore lets a test run code inside store calls, to hold the server at
// a chosen point: a slow database, deterministically.
type hookStore struct {
	*store.DB
	mu     sync.Mutex
	once   map[string]func()            // by method: run once by its next call
	access func(channel, user relay.ID) // run by every ChannelAccess read
}

// before runs fn in the next call of method ("MessagesAfter" or
// "ChangedSince": a join's catch-up reads), before the store is read.
func (s *hookStore) before(method string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.once == nil {
		s.once = map[string]func(){}
	}
	s.once[method] = fn
}

func (s *hookStore) run(method string) {
	s.mu.Lock()
	fn := s.once[method]
	delete(s.once, method)
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (s *hookStore) MessagesAfter(ctx context.Context, ws, ch relay.ID, after int64, limit int) ([]relay.Message, error) {
	s.run("MessagesAfter")
	return s.DB.MessagesAfter(ctx, ws, ch, after, limit)
}

func (s *hookStore) ChangedSince(ctx context.Context, ws, ch relay.ID, maxSeq, after int64, limit int) ([]relay.Message, error) {
	s.run("ChangedSince")
	return s.DB.ChangedSince(ctx, ws, ch, maxSeq, after, limit)
}

// holdAccess makes access checks of user on channel (ChannelAccess: joins,
// rechecks, typing) wait until release is called.
func (s *hookStore) holdAccess(t testing.TB, channel, user relay.ID) (release func()) {
	gate := make(chan struct{})
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.mu.Lock()
			s.access = nil
			s.mu.Unlock()
			close(gate)
		})
	}
	t.Cleanup(release) // never leave the server blocked
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = func(c, u relay.ID) {
		if c == channel && u == user {
			<-gate
		}
	}
	return release
}

func (s *hookStore) ChannelAccess(ctx context.Context, ws, channel, user relay.ID) (*relay.Channel, error) {
	s.mu.Lock()
	fn := s.access
	s.mu.Unlock()
	if fn != nil {
		fn(channel, user)
	}
	return s.DB.ChannelAccess(ctx, ws, channel, user)
}

// checkFor polls instead of sleeping (internal/testenv).
var checkFor = testenv.CheckFor
