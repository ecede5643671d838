package phoenix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/realtime"
)

// ErrNotJoined is returned by Conn.Push for a topic the socket has not joined.
var ErrNotJoined = errors.New("phoenix: topic not joined")

var crashPayload = json.RawMessage(`{"reason":"channel_crash"}`)

// Conn is one socket. It implements realtime.Conn, so the hub can queue
// broadcast frames to it. Its methods are safe for concurrent use.
//
// Everything the socket sends goes through one bounded queue (replies,
// pushes, broadcasts, pongs), drained by a writer goroutine that exists only
// while frames are waiting; an idle socket has just its reader goroutine.
// A full queue closes the socket at once: the client reconnects, rejoins and
// catches up, and the rest of a fan-out is never held up.
type Conn struct {
	srv    *Server
	ws     *websocket.Conn
	nc     net.Conn
	id     string
	state  any
	ctx    context.Context
	cancel context.CancelFunc
	q      *realtime.Queue

	// writeDeadline (unix ns) is the write deadline last set by the queue's
	// writer; only the writer touches it (one at a time, ordered by the
	// queue's lock).
	writeDeadline int64

	mu     sync.Mutex
	chans  map[string]string // joined topic → join_ref
	closed bool

	// life serialises joins, leaves, channel stops and the final cleanup,
	// so Handler sees them one at a time and in order.
	life sync.Mutex
}

var _ realtime.Conn = (*Conn)(nil)

func newConn(s *Server, ws *websocket.Conn, state any, reqCtx context.Context) *Conn {
	// The request's context ends when ServeHTTP returns; keep its values
	// (whatever middleware put there), with our own cancellation.
	ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
	c := &Conn{srv: s, ws: ws, nc: ws.UnderlyingConn(), id: newID(), state: state, ctx: ctx, cancel: cancel}
	c.q = realtime.NewQueue((*connWriter)(c), s.QueueLen, s.QueueBytes)
	ws.SetReadLimit(s.MaxFrameBytes)
	ws.SetPingHandler(c.onPing)
	return c
}

// ID returns the connection's id, random and unique across the cluster
// (relay.Event.Exclude names it).
func (c *Conn) ID() string { return c.id }

// State returns what Handler.Connect returned.
func (c *Conn) State() any { return c.state }

// Context is cancelled when the socket closes. It carries the values of the
// upgrade request's context.
func (c *Conn) Context() context.Context { return c.ctx }

// Joined reports whether topic is joined, and its join_ref.
func (c *Conn) Joined(topic string) (joinRef string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	joinRef, ok = c.chans[topic]
	return joinRef, ok
}

// Push sends [join_ref, null, topic, event, payload] on a joined topic,
// ordered after everything queued before. payload must encode as a JSON
// object (nil → {}). It returns ErrNotJoined, realtime.ErrQueueFull (the
// socket is then closed) or realtime.ErrClosed.
func (c *Conn) Push(topic, event string, payload any) error {
	raw, err := marshalObject(payload)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	joinRef, ok := c.chans[topic]
	if !ok {
		if c.closed {
			return realtime.ErrClosed
		}
		return ErrNotJoined
	}
	return c.send(Message{JoinRef: joinRef, Topic: topic, Event: event, Payload: raw})
}

// Send queues a pre-encoded frame (realtime.Conn). It never blocks; when the
// queue is full it closes the socket and returns realtime.ErrQueueFull.
func (c *Conn) Send(frame []byte) error {
	err := c.q.Push(frame)
	if err == realtime.ErrQueueFull {
		c.srv.log.Info("phoenix: outbound queue full; closing socket (slow consumer)", "conn", c.id)
		_ = c.nc.Close() // not a close frame: there is no room for one
	}
	return err
}

// Close closes the socket with 1000 and reason once the frames already
// queued are written. It does not block.
func (c *Conn) Close(reason string) { c.closeWith(websocket.CloseNormalClosure, reason) }

func (c *Conn) closeWith(code int, reason string) {
	frame := closeFrame(code, reason)
	c.q.Close(func() {
		c.writeRaw(frame)
		_ = c.nc.Close()
	})
}

// closeNow drops what is queued, sends a close frame and closes the socket.
func (c *Conn) closeNow(code int, reason string) {
	c.q.Abort()
	c.writeRaw(closeFrame(code, reason))
	_ = c.nc.Close()
}

// CloseChannel stops a joined topic from the server side: phx_close (the
// client does not rejoin) or, with rejoin, phx_error (it rejoins with
// backoff). Hub, Presence and Handler.Leave are cleaned up first. It returns
// at once; the stop runs after any join or leave in progress.
func (c *Conn) CloseChannel(topic string, rejoin bool) {
	joinRef, ok := c.Joined(topic)
	if !ok {
		return
	}
	event, payload := "phx_close", emptyObject
	if rejoin {
		event, payload = "phx_error", crashPayload
	}
	go func() {
		c.life.Lock()
		defer c.life.Unlock()
		c.stopLocked(topic, joinRef, "", event, payload)
	}()
}

func (c *Conn) send(m Message) error { return c.Send(encodeText(m)) }

func (c *Conn) reply(joinRef, ref, topic, status string, response []byte) {
	if ref == "" {
		return // nothing to match a reply to
	}
	p := make([]byte, 0, len(response)+32)
	p = append(p, `{"status":`...)
	p = appendString(p, status)
	p = append(p, `,"response":`...)
	p = append(p, response...)
	p = append(p, '}')
	_ = c.send(Message{JoinRef: joinRef, Ref: ref, Topic: topic, Event: "phx_reply", Payload: p})
}

// reasonJSON returns `{"reason":"<reason>"` without the closing brace.
func reasonJSON(reason string) []byte { return appendString([]byte(`{"reason":`), reason) }

func reasonBody(reason string) []byte { return append(reasonJSON(reason), '}') }

// errorBody is the response of an error reply for a Handler error:
// {"reason": relay.ErrorMessage(err), "code": relay.ErrorCode(err)}, plus
// "retry_after" (seconds) when the error says how long to wait.
func errorBody(err error) []byte {
	b := reasonJSON(relay.ErrorMessage(err))
	b = append(b, `,"code":`...)
	b = appendString(b, relay.ErrorCode(err))
	if e := (*relay.Error)(nil); errors.As(err, &e) && e.RetryAfter > 0 {
		b = append(b, `,"retry_after":`...)
		b = strconv.AppendInt(b, int64(e.RetryAfter), 10)
	}
	return append(b, '}')
}

// logInternal logs a Handler error that is internal (the client sees only
// the generic message).
func (c *Conn) logInternal(op, topic string, err error) {
	if relay.ErrorCode(err) == relay.EINTERNAL {
		c.srv.log.Error("phoenix: "+op+" failed", "conn", c.id, "topic", topic, "err", err)
	}
}

// marshalObject encodes v, which must be a JSON object (nil → {}). A
// json.RawMessage holding an object is used as is, without the re-encoding
// (validation and compaction) json.Marshal would do: a pre-encoded payload
// such as realtime.Presence.State, sent to every joiner, costs a copy. It
// must be valid JSON; the bytes are only read.
func marshalObject(v any) ([]byte, error) {
	if v == nil {
		return emptyObject, nil
	}
	if raw, ok := v.(json.RawMessage); ok && len(raw) >= 2 && raw[0] == '{' && raw[len(raw)-1] == '}' {
		return raw, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("phoenix: payload: %w", err)
	}
	if string(b) == "null" {
		return emptyObject, nil
	}
	if !isObject(b) {
		return nil, fmt.Errorf("phoenix: payload %.40s is not a JSON object", b)
	}
	return b, nil
}

func (c *Conn) onPing(data string) error {
	if c.srv.IdleTimeout > 0 {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.IdleTimeout))
	}
	_ = c.Send(controlFrame(opPong, []byte(data)))
	return nil
}

// serve is the reader goroutine: it reads, handles, and cleans up at the end.
func (c *Conn) serve() {
	defer c.srv.forget(c)
	defer c.cleanup()
	for {
		if c.srv.IdleTimeout > 0 {
			_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.IdleTimeout))
		}
		typ, r, err := c.ws.NextReader()
		if err != nil {
			c.readFailed(err)
			return
		}
		data, err := io.ReadAll(r)
		if err != nil {
			c.readFailed(err)
			return
		}
		var ok bool
		if typ == websocket.TextMessage {
			ok = c.handleText(data)
		} else {
			ok = c.handleBinary(data)
		}
		if !ok {
			return
		}
	}
}

func (c *Conn) readFailed(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla has sent close 1009 (message too big)
		c.srv.log.Debug("phoenix: frame over the read limit; closed 1009", "conn", c.id)
	case errors.As(err, &ne) && ne.Timeout():
		c.closeNow(websocket.CloseNormalClosure, "idle timeout")
	default:
		// closed by the client, by us, or the network; gorilla has answered a close frame
	}
}

// handleText answers one text frame and reports whether to keep reading.
//
// Policy for bad input: a frame that cannot be decoded but carries a
// readable ref gets an error reply with the reason (the socket stays open);
// one without a readable ref (invalid JSON, not an array, null ref) cannot be
// answered, so the socket is closed with 1007. Phoenix itself closes the
// socket on undecodable JSON; phoenix.js never sends such frames.
func (c *Conn) handleText(data []byte) bool {
	m, err := DecodeFrame(data)
	if err != nil {
		var fe *FrameError
		errors.As(err, &fe)
		if m.Ref == "" {
			c.closeNow(websocket.CloseInvalidFramePayloadData, fe.Reason)
			return false
		}
		topic := m.Topic
		if topic == "" {
			topic = "phoenix"
		}
		c.reply(m.JoinRef, m.Ref, topic, "error", reasonBody(fe.Reason))
		return true
	}
	switch {
	case m.Event == "heartbeat" && m.Topic == "phoenix":
		c.reply(m.JoinRef, m.Ref, "phoenix", "ok", emptyObject)
	case m.Event == "phx_join":
		return c.join(m)
	case m.Event == "phx_leave":
		c.leave(m)
	default:
		c.handleIn(m)
	}
	return true
}

// handleBinary rejects binary frames (kind 0 pushes, Supabase kind 3
// broadcasts) with an error reply when their header can be read, and closes
// the socket with 1003 otherwise.
func (c *Conn) handleBinary(data []byte) bool {
	joinRef, ref, topic, err := decodeBinaryHeader(data)
	if err != nil || ref == "" {
		c.closeNow(websocket.CloseUnsupportedData, ReasonBinary)
		return false
	}
	c.reply(joinRef, ref, topic, "error", reasonBody(ReasonBinary))
	return true
}

func (c *Conn) join(m Message) bool {
	joinRef, ref := m.JoinRef, m.Ref
	if joinRef == "" {
		joinRef = ref
	}
	if ref == "" {
		ref = joinRef
	}
	if joinRef == "" {
		c.closeNow(websocket.CloseInvalidFramePayloadData, ReasonMalformed)
		return false
	}
	c.life.Lock()
	defer c.life.Unlock()
	c.mu.Lock()
	old, joined := c.chans[m.Topic]
	n := len(c.chans)
	c.mu.Unlock()
	if joined {
		// Phoenix stops the old channel first: phx_close for the old join_ref.
		c.stopLocked(m.Topic, old, "", "phx_close", emptyObject)
	} else if n >= c.srv.MaxChannels {
		c.reply(joinRef, ref, m.Topic, "error", reasonBody(ReasonTooManyJoined))
		return true
	}

	resp, after, err := c.callJoin(m.Topic, m.Payload)
	var body []byte
	if err == nil {
		if body, err = marshalObject(resp); err != nil {
			c.srv.log.Error("phoenix: join response is not a JSON object", "conn", c.id, "topic", m.Topic, "err", err)
			err = relay.Errorf(relay.EINTERNAL, "join crashed")
		}
	}
	if err != nil {
		c.logInternal("join", m.Topic, err)
		c.forget(m.Topic) // whatever Join subscribed or tracked before failing
		c.reply(joinRef, ref, m.Topic, "error", errorBody(err))
		return true
	}
	c.mu.Lock()
	if c.chans == nil {
		c.chans = make(map[string]string, 1)
	}
	c.chans[m.Topic] = joinRef
	// Under c.mu, so no Push for this topic can get ahead of the reply.
	c.reply(joinRef, ref, m.Topic, "ok", body)
	c.mu.Unlock()
	if after != nil && !c.callAfter(after) {
		c.stopLocked(m.Topic, joinRef, "", "phx_error", crashPayload)
	}
	return true
}

func (c *Conn) leave(m Message) {
	c.life.Lock()
	defer c.life.Unlock()
	joinRef, ok := c.Joined(m.Topic)
	if !ok {
		c.reply(m.JoinRef, m.Ref, m.Topic, "ok", emptyObject)
		return
	}
	if m.JoinRef != "" && m.JoinRef != joinRef {
		return // stale: a leave for an earlier join
	}
	c.stopLocked(m.Topic, joinRef, m.Ref, "phx_close", emptyObject)
}

// stopLocked ends the channel joined as joinRef on topic (if it still is):
// Hub, Presence, Handler.Leave, then the ok reply to replyRef (if any) and
// [join_ref, join_ref, topic, event, payload]. c.life must be held.
func (c *Conn) stopLocked(topic, joinRef, replyRef, event string, payload []byte) {
	c.mu.Lock()
	if cur, ok := c.chans[topic]; !ok || cur != joinRef {
		c.mu.Unlock()
		return
	}
	delete(c.chans, topic)
	c.mu.Unlock()
	c.forget(topic)
	c.callLeave(topic)
	c.reply(joinRef, replyRef, topic, "ok", emptyObject)
	_ = c.send(Message{JoinRef: joinRef, Ref: joinRef, Topic: topic, Event: event, Payload: payload})
}

func (c *Conn) forget(topic string) {
	if h := c.srv.Hub; h != nil {
		h.Unsubscribe(topic, c)
	}
	if p := c.srv.Presence; p != nil {
		p.Untrack(topic, c)
	}
}

func (c *Conn) handleIn(m Message) {
	joinRef, ok := c.Joined(m.Topic)
	if !ok {
		c.reply("", m.Ref, m.Topic, "error", reasonBody(ReasonUnmatched))
		return
	}
	if m.JoinRef != "" && m.JoinRef != joinRef {
		return // stale: for an earlier join of this topic
	}
	resp, err, crashed := c.callHandleIn(m)
	if crashed {
		c.reply(joinRef, m.Ref, m.Topic, "error", errorBody(err))
		c.life.Lock()
		c.stopLocked(m.Topic, joinRef, "", "phx_error", crashPayload)
		c.life.Unlock()
		return
	}
	if err != nil {
		c.logInternal("push "+m.Event, m.Topic, err)
		c.reply(joinRef, m.Ref, m.Topic, "error", errorBody(err))
		return
	}
	if resp == NoReply {
		return
	}
	body, err := marshalObject(resp)
	if err != nil {
		c.srv.log.Error("phoenix: reply is not a JSON object", "conn", c.id, "topic", m.Topic, "event", m.Event, "err", err)
		c.reply(joinRef, m.Ref, m.Topic, "error", errorBody(err))
		return
	}
	c.reply(joinRef, m.Ref, m.Topic, "ok", body)
}

// cleanup runs when the reader stops: the socket is closed, every joined
// topic is left, presence untracked, hub subscriptions ended, and Handler
// told.
func (c *Conn) cleanup() {
	c.q.Abort()
	_ = c.nc.Close()
	c.cancel()
	c.life.Lock()
	defer c.life.Unlock()
	c.mu.Lock()
	c.closed = true
	topics := make([]string, 0, len(c.chans))
	for t := range c.chans {
		topics = append(topics, t)
	}
	c.chans = nil
	c.mu.Unlock()
	for _, t := range topics {
		c.callLeave(t)
	}
	if p := c.srv.Presence; p != nil {
		p.UntrackAll(c)
	}
	if h := c.srv.Hub; h != nil {
		h.UnsubscribeAll(c)
	}
	c.guard("disconnect", func() { c.srv.Handler.Disconnect(c) })
}

// Handler calls, each guarded against panics: a panicking handler must not
// take the process down (this is not net/http's goroutine, which recovers).

func (c *Conn) guard(op string, fn func()) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			c.srv.log.Error("phoenix: handler panicked", "op", op, "conn", c.id, "panic", v, "stack", string(debug.Stack()))
			ok = false
		}
	}()
	fn()
	return true
}

func (c *Conn) callJoin(topic string, params json.RawMessage) (resp any, after func(), err error) {
	if !c.guard("join", func() { resp, after, err = c.srv.Handler.Join(c.ctx, c, topic, params) }) {
		return nil, nil, relay.Errorf(relay.EINTERNAL, "join crashed")
	}
	return resp, after, err
}

func (c *Conn) callAfter(after func()) bool { return c.guard("join after", after) }

func (c *Conn) callLeave(topic string) {
	c.guard("leave", func() { c.srv.Handler.Leave(c, topic) })
}

func (c *Conn) callHandleIn(m Message) (resp any, err error, crashed bool) {
	if !c.guard("push", func() { resp, err = c.srv.Handler.HandleIn(c.ctx, c, m.Topic, m.Event, m.Payload) }) {
		return nil, relay.Errorf(relay.EINTERNAL, "Internal error."), true
	}
	return resp, err, false
}

// writeRaw writes one frame directly, bypassing the queue (close frames).
func (c *Conn) writeRaw(frame []byte) {
	// Not recorded in writeDeadline: writeRaw is followed by closing the
	// socket, and may run beside the writer (closeNow).
	_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.nc.Write(frame)
}

// connWriter is the Conn as the queue's realtime.FrameWriter.
type connWriter Conn

// WriteFrames writes a batch of complete frames to the socket, copying small
// frames into one pooled buffer so a batch is one write system call. Each
// Write holds the socket's write lock for its whole buffer, so the close and
// pong frames gorilla writes itself never land inside a frame.
func (w *connWriter) WriteFrames(frames [][]byte) error {
	c := (*Conn)(w)
	// Setting a deadline re-arms a runtime timer: do it only when less than
	// half of WriteTimeout is left, so a busy socket sets it about once per
	// WriteTimeout/2 instead of on every write. A write still gets at least
	// half of WriteTimeout.
	if now := time.Now(); c.writeDeadline-now.UnixNano() < int64(c.srv.WriteTimeout/2) {
		d := now.Add(c.srv.WriteTimeout)
		c.writeDeadline = d.UnixNano()
		_ = c.nc.SetWriteDeadline(d)
	}
	var err error
	if len(frames) == 1 {
		_, err = c.nc.Write(frames[0])
	} else {
		bp := writeBufPool.Get().(*[]byte)
		buf := (*bp)[:0]
		for _, f := range frames {
			if len(buf) > 0 && len(buf)+len(f) > cap(buf) {
				if _, err = c.nc.Write(buf); err != nil {
					break
				}
				buf = buf[:0]
			}
			if len(f) >= cap(buf) {
				if _, err = c.nc.Write(f); err != nil {
					break
				}
				continue
			}
			buf = append(buf, f...)
		}
		if err == nil && len(buf) > 0 {
			_, err = c.nc.Write(buf)
		}
		*bp = buf[:0]
		writeBufPool.Put(bp)
	}
	if err != nil {
		_ = c.nc.Close() // the reader stops and cleans up
	}
	return err
}
