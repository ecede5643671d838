package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// role is what a socket is for; it decides what its frames count as.
type role int

const (
	roleSubscriber role = iota // joined to one channel; counts deliveries and latency
	roleSender                 // pushes message:send; counts acks (its own channels' events are echoes)
	roleIdle                   // joined to one topic, does nothing
)

// replyWait is a push waiting for its phx_reply.
type replyWait struct {
	sent   time.Duration // run clock
	ch     chan replyResult
	sender *sender
	chIdx  int // the sender's channel index, for acks
}

type replyResult struct {
	ok   bool
	kind string
}

// sock is one client socket. Its reader goroutine owns hist and ackHist;
// everything else is safe for concurrent use.
type sock struct {
	r    *runner
	role role
	ws   *websocket.Conn

	wmu sync.Mutex // one writer at a time (gorilla's rule)
	ref atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]replyWait

	frames     atomic.Int64 // every frame received
	deliveries atomic.Int64 // message:new of the tool's messages (subscribers)
	echoes     atomic.Int64 // the same, on sender sockets
	hist       Histogram    // send → receive (subscribers), owned by the reader
	ackHist    Histogram    // send → ack (senders), owned by the reader

	closing atomic.Bool
	done    chan struct{} // closed when the reader returns
}

var wsBufPool = &sync.Pool{}

// dial opens a socket on the workspace host with the user's token.
func (r *runner) dial(ctx context.Context, token string, rl role) (*sock, error) {
	u := *r.wsURL
	q := u.Query()
	q.Set("vsn", "2.0.0")
	q.Set("token", token)
	u.RawQuery = q.Encode()
	d := websocket.Dialer{
		HandshakeTimeout: 15 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferPool:  wsBufPool,
		NetDialContext:   (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	}
	h := http.Header{"Host": {r.api.host(r.sub)}}
	ws, resp, err := d.DialContext(ctx, u.String(), h)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("socket refused: HTTP %d", resp.StatusCode)
		}
		return nil, err
	}
	s := &sock{r: r, role: rl, ws: ws, pending: map[uint64]replyWait{}, done: make(chan struct{})}
	go s.read()
	return s, nil
}

func (s *sock) nextRef() uint64 { return s.ref.Add(1) }

func (s *sock) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return s.ws.WriteMessage(websocket.TextMessage, b)
}

// join joins topic and waits for the reply; it returns the join_ref.
func (s *sock) join(ctx context.Context, topic string, params string) (string, error) {
	ref := s.nextRef()
	joinRef := strconv.FormatUint(ref, 10)
	ch := make(chan replyResult, 1)
	s.mu.Lock()
	s.pending[ref] = replyWait{ch: ch}
	s.mu.Unlock()
	if err := s.write(appendPush(nil, joinRef, ref, topic, "phx_join", []byte(params))); err != nil {
		return "", fmt.Errorf("join %s: %w", topic, err)
	}
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case res := <-ch:
		if !res.ok {
			return "", fmt.Errorf("join %s refused: %s", topic, res.kind)
		}
		return joinRef, nil
	case <-s.done:
		return "", fmt.Errorf("join %s: socket closed", topic)
	case <-t.C:
		return "", fmt.Errorf("join %s: no reply in 30 s", topic)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// heartbeat sends the Phoenix heartbeat (the server drops sockets silent
// for 60 s); the reply is ignored.
func (s *sock) heartbeat() error {
	return s.write(appendPush(nil, "", s.nextRef(), "phoenix", "heartbeat", []byte("{}")))
}

// close sends a close frame and closes the connection; the reader then
// returns.
func (s *sock) close() {
	s.closing.Store(true)
	s.wmu.Lock()
	_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bench done"),
		time.Now().Add(time.Second))
	s.wmu.Unlock()
	_ = s.ws.Close()
}

// read is the reader goroutine: it reads every frame, as fast as it can,
// so that the server never sees the tool as a slow consumer.
func (s *sock) read() {
	defer close(s.done)
	buf := make([]byte, 0, 4096)
	for {
		_, rd, err := s.ws.NextReader()
		if err != nil {
			s.readFailed(err)
			return
		}
		buf, err = readAll(rd, buf[:0])
		if err != nil {
			s.readFailed(err)
			return
		}
		s.frames.Add(1)
		s.handle(buf)
		if cap(buf) > 1<<20 {
			buf = make([]byte, 0, 4096) // do not keep a presence_state-sized buffer
		}
	}
}

func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func (s *sock) readFailed(err error) {
	if s.closing.Load() {
		return
	}
	reason := "network: " + err.Error()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		reason = fmt.Sprintf("closed by server: %d %s", ce.Code, ce.Text)
	}
	s.r.drops.add(dropKind(err), reason)
}

func dropKind(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return "close_" + strconv.Itoa(ce.Code)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "eof"
	}
	return "network"
}

func (s *sock) handle(b []byte) {
	f, ok := parseFrame(b)
	if !ok {
		s.r.errs.add("bad_frame", string(b[:min(len(b), 200)]))
		return
	}
	switch string(f.event) {
	case "message:new":
		sent, ok := sentAt(f.payload)
		if !ok {
			return
		}
		now := s.r.now()
		if s.role == roleSender {
			s.echoes.Add(1)
			return
		}
		s.deliveries.Add(1)
		if sent >= time.Duration(s.r.measureFrom.Load()) {
			s.hist.Record(now - sent)
		}
	case "phx_reply":
		if f.ref == nil {
			return
		}
		ref, err := strconv.ParseUint(string(f.ref), 10, 64)
		if err != nil {
			return
		}
		s.mu.Lock()
		w, ok := s.pending[ref]
		if ok {
			delete(s.pending, ref)
		}
		s.mu.Unlock()
		if !ok {
			return // a heartbeat
		}
		good, kind := replyStatus(f.payload)
		if w.ch != nil {
			w.ch <- replyResult{ok: good, kind: kind}
			return
		}
		if w.sender != nil {
			now := s.r.now()
			if good && w.sent >= time.Duration(s.r.measureFrom.Load()) {
				s.ackHist.Record(now - w.sent)
			}
			w.sender.acked(w.chIdx, good, kind, "")
		}
	case "phx_error", "phx_close":
		s.r.errs.add("channel_"+string(f.event), string(f.topic))
	}
}

// pendingCount is the number of pushes waiting for a reply.
func (s *sock) pendingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}
