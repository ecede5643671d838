package phoenix

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/realtime"
)

// Handler is the application behind the socket. Its methods are called from
// the connection's reader goroutine, one at a time per connection (Leave may
// also come from a CloseChannel goroutine, still one at a time), so a slow
// method delays only its own connection.
type Handler interface {
	// Connect authenticates the upgrade request. An error refuses it with a
	// non-101 status: 401 for relay.EUNAUTHORIZED, 503 (with Retry-After)
	// for relay.EUNAVAILABLE, 403 otherwise. The state is kept as
	// Conn.State.
	Connect(r *http.Request) (state any, err error)
	// Join handles phx_join on topic with the join params. An error is sent
	// as the error reply {"reason": relay.ErrorMessage(err), "code": …}.
	// On success the reply {"status":"ok","response":response} is queued
	// (nil → {}), then after (if not nil) runs on the reader goroutine before
	// the next frame is read: it pushes catch-up and presence_state and
	// releases the buffered subscription, so the client sees the reply, then
	// after's pushes, then live events. Subscribe buffered in Join for that.
	Join(ctx context.Context, c *Conn, topic string, params json.RawMessage) (response any, after func(), err error)
	// HandleIn handles a client push on a joined topic. An error is sent as
	// an error reply; otherwise reply is the ok reply's response (nil → {}),
	// or NoReply to send none.
	HandleIn(ctx context.Context, c *Conn, topic, event string, payload json.RawMessage) (reply any, err error)
	// Leave reports that topic was left: phx_leave, a duplicate join, a
	// CloseChannel, a crash, or the socket closing. The server has already
	// unsubscribed c from topic on the Hub and untracked it on Presence.
	Leave(c *Conn, topic string)
	// Disconnect reports that the socket is gone, after the Leave calls.
	Disconnect(c *Conn)
}

// NoReply, returned by HandleIn, sends no reply to the push.
var NoReply any = noReply{}

type noReply struct{}

// Defaults of the Server's limits.
const (
	DefaultMaxFrameBytes = 1 << 20
	DefaultMaxChannels   = 100
	DefaultQueueBytes    = 4 << 20
	DefaultIdleTimeout   = 60 * time.Second
	DefaultWriteTimeout  = 10 * time.Second
	DefaultDrainRate     = 5000 // sockets closed per second by Shutdown
	readBufferSize       = 1024
	writeBufferSize      = 32 << 10
)

// Server serves Phoenix Channels v2 over WebSocket. Mount it at
// /socket/websocket. Set the fields before the first request and do not
// change them after.
type Server struct {
	Handler  Handler
	Hub      *realtime.Hub      // optional: unsubscribed on leave and close
	Presence *realtime.Presence // optional: untracked on leave and close
	// CheckOrigin accepts the request's Origin; default: no Origin header,
	// or its host equals r.Host. Refusal is 403.
	CheckOrigin   func(r *http.Request) bool
	MaxFrameBytes int64         // inbound message limit; over it, close 1009 (default 1 MiB)
	MaxChannels   int           // joined topics per socket (default 100)
	QueueLen      int           // outbound queue bound in frames (default Hub.QueueLen(), else 1024)
	QueueBytes    int           // outbound queue bound in bytes (default 4 MiB)
	IdleTimeout   time.Duration // close after no inbound data (default 60s; negative: never)
	WriteTimeout  time.Duration // one batch write (default 10s)
	DrainRate     int           // sockets per second closed by Shutdown (default 5000)
	Logger        *slog.Logger  // default slog.Default()

	initOnce sync.Once
	upgrader websocket.Upgrader
	log      *slog.Logger

	mu       sync.Mutex
	conns    map[*Conn]struct{}
	shutdown bool
	wg       sync.WaitGroup
}

// writeBufPool holds the buffers writers coalesce frames into, shared by all
// connections: no connection keeps a write buffer while idle.
var writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, writeBufferSize); return &b }}

// gorillaPool is gorilla's WriteBufferPool. Data frames never go through
// gorilla's writer (they are pre-framed), but setting a pool stops Upgrade
// from keeping the hijacked 4 KiB write buffer for the connection's lifetime.
var gorillaPool sync.Pool

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.log = s.Logger
		if s.log == nil {
			s.log = slog.Default()
		}
		if s.MaxFrameBytes <= 0 {
			s.MaxFrameBytes = DefaultMaxFrameBytes
		}
		if s.MaxChannels <= 0 {
			s.MaxChannels = DefaultMaxChannels
		}
		if s.QueueLen <= 0 {
			s.QueueLen = realtime.DefaultQueueLen
			if s.Hub != nil {
				s.QueueLen = s.Hub.QueueLen()
			}
		}
		if s.QueueBytes <= 0 {
			s.QueueBytes = DefaultQueueBytes
		}
		if s.IdleTimeout == 0 {
			s.IdleTimeout = DefaultIdleTimeout
		}
		if s.WriteTimeout <= 0 {
			s.WriteTimeout = DefaultWriteTimeout
		}
		if s.DrainRate <= 0 {
			s.DrainRate = DefaultDrainRate
		}
		s.upgrader = websocket.Upgrader{
			HandshakeTimeout: 10 * time.Second,
			ReadBufferSize:   readBufferSize,
			WriteBufferPool:  &gorillaPool,
			Subprotocols:     []string{"phoenix"},
			CheckOrigin:      func(*http.Request) bool { return true }, // checked before Connect
		}
		s.conns = make(map[*Conn]struct{})
	})
}

// ServeHTTP upgrades the request to a Phoenix socket. In order: not a
// WebSocket upgrade → 400 (long-poll is not served); Origin refused → 403;
// vsn other than 2.0.0 (missing means 1.0.0) → 403; shutting down → 503;
// Connect error → 401/403. It answers the "phoenix" subprotocol when offered.
// The connection then lives on its own goroutine and ServeHTTP returns, so
// the HTTP server's per-request buffers are freed.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.init()
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "This endpoint takes a WebSocket upgrade (Phoenix vsn 2.0.0); long-poll is not supported.", http.StatusBadRequest)
		return
	}
	check := s.CheckOrigin
	if check == nil {
		check = SameOrigin
	}
	if !check(r) {
		http.Error(w, "Origin not allowed.", http.StatusForbidden)
		return
	}
	if vsn := r.URL.Query().Get("vsn"); vsn != "2.0.0" {
		http.Error(w, "Unsupported protocol version: use vsn=2.0.0.", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	down := s.shutdown
	s.mu.Unlock()
	if down {
		http.Error(w, "Shutting down.", http.StatusServiceUnavailable)
		return
	}
	state, err := s.Handler.Connect(r)
	if err != nil {
		status := http.StatusForbidden
		switch relay.ErrorCode(err) {
		case relay.EUNAUTHORIZED:
			status = http.StatusUnauthorized
		case relay.EUNAVAILABLE:
			// A dependency is down: the client should retry, not sign in
			// again.
			status = http.StatusServiceUnavailable
			var e *relay.Error
			if errors.As(err, &e) && e.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
			}
			s.log.Warn("phoenix: connect failed", "err", err)
		case relay.EINTERNAL:
			s.log.Error("phoenix: connect failed", "err", err)
		}
		http.Error(w, relay.ErrorMessage(err), status)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Debug("phoenix: upgrade failed", "err", err) // Upgrade has replied
		return
	}
	c := newConn(s, ws, state, r.Context())
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		_, _ = c.nc.Write(closeFrame(websocket.CloseGoingAway, "server shutting down"))
		_ = c.nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go c.serve()
}

func (s *Server) forget(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Conns returns the number of open sockets.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown refuses new sockets (503) and closes the open ones with 1001
// after their queued frames, DrainRate per second so that clients do not all
// reconnect at once, then waits for their Leave and Disconnect calls or for
// ctx. It is safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	s.shutdown = true
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	const tick = 10 * time.Millisecond
	batch := max(1, s.DrainRate/int(time.Second/tick))
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for i, c := range conns {
		if i > 0 && i%batch == 0 {
			select {
			case <-ticker.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c.closeWith(websocket.CloseGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SameOrigin is the default CheckOrigin: no Origin header, or an Origin
// whose host (with port) equals the request's Host, case-insensitively.
func SameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// bearerPrefix marks the token subprotocol phoenix.js offers with its
// authToken option.
const bearerPrefix = "base64url.bearer.phx."

// BearerToken returns the token phoenix.js sends in the
// "base64url.bearer.phx.<token>" subprotocol, if any. Despite the name the
// client encodes it with the standard alphabet (btoa) and strips padding;
// both alphabets are accepted, with or without padding.
func BearerToken(r *http.Request) (string, bool) {
	for _, p := range websocket.Subprotocols(r) {
		rest, ok := strings.CutPrefix(p, bearerPrefix)
		if !ok {
			continue
		}
		rest = strings.TrimRight(rest, "=")
		if b, err := base64.RawStdEncoding.DecodeString(rest); err == nil {
			return string(b), true
		}
		if b, err := base64.RawURLEncoding.DecodeString(rest); err == nil {
			return string(b), true
		}
		return "", false
	}
	return "", false
}

// newID returns a random connection id, unique across the cluster.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
