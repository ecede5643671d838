package discordfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Identify is an IDENTIFY (op 2) as received.
type Identify struct {
	Token      string          `json:"token"`
	Intents    int             `json:"intents"`
	Compress   bool            `json:"compress"`
	Properties json.RawMessage `json:"properties"`
	Raw        json.RawMessage `json:"-"`
}

// Resume is a RESUME (op 6) as received.
type Resume struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
}

type frame struct {
	seq int64
	raw []byte // the whole payload
}

// session is a gateway session: what it was sent, for RESUME.
type session struct {
	id   string
	seq  int64
	log  []frame
	conn *gwConn
}

type gwConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex
	sess *session
}

func (c *gwConn) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.writeRaw(b)
}

func (c *gwConn) writeRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *gwConn) closeWith(code int, text string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

type gatewayState struct {
	sessions   map[string]*session
	conns      map[*gwConn]bool
	identifies []Identify
	resumes    []Resume
	heartbeats []int64
	accepted   int
	queries    []string
	dropAfter  int
}

func (g *gatewayState) init() {
	g.sessions = map[string]*session{}
	g.conns = map[*gwConn]bool{}
}

// Identifies lists the IDENTIFY payloads received.
func (f *Server) Identifies() []Identify {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Identify(nil), f.gw.identifies...)
}

// Resumes lists the RESUME payloads received.
func (f *Server) Resumes() []Resume {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Resume(nil), f.gw.resumes...)
}

// Heartbeats lists the sequence numbers heartbeats carried.
func (f *Server) Heartbeats() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.gw.heartbeats...)
}

// Connections is how many gateway connections were accepted so far, and
// how many are live (attached to a session).
func (f *Server) Connections() (accepted, live int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.gw.conns {
		if c.sess != nil {
			live++
		}
	}
	return f.gw.accepted, live
}

// Queries lists the query strings of the gateway connections (v, encoding).
func (f *Server) Queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.gw.queries...)
}

// Dispatch sends an event (op 0) to every session: written at once to a
// live connection, kept for a RESUME otherwise.
func (f *Server) Dispatch(t string, d any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dispatchLocked(t, d)
}

func (f *Server) dispatchLocked(t string, d any) {
	for _, s := range f.gw.sessions {
		f.sendLocked(s, t, d)
	}
}

func (f *Server) sendLocked(s *session, t string, d any) {
	s.seq++
	raw, _ := json.Marshal(map[string]any{"op": 0, "t": t, "s": s.seq, "d": d})
	s.log = append(s.log, frame{seq: s.seq, raw: raw})
	if s.conn == nil {
		return
	}
	if err := s.conn.writeRaw(raw); err != nil {
		f.detachLocked(s.conn)
		return
	}
	if f.gw.dropAfter > 0 {
		f.gw.dropAfter--
		if f.gw.dropAfter == 0 {
			f.cutLocked(s.conn)
		}
	}
}

// Drop cuts every gateway connection without a close frame, as a network
// failure does. Sessions stay: events dispatched meanwhile are replayed to
// a RESUME.
func (f *Server) Drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.gw.conns {
		f.cutLocked(c)
	}
}

// DropAfter cuts the connection right after the next n dispatches were
// written to it (a drop in the middle of a stream of events).
func (f *Server) DropAfter(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gw.dropAfter = n
}

// RequestReconnect sends op 7 (Reconnect) on every live connection.
func (f *Server) RequestReconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.gw.conns {
		_ = c.write(map[string]any{"op": 7, "d": nil})
	}
}

// ForgetSessions makes every session unresumable (a RESUME gets op 9
// "invalid session"), as when the gateway lost them.
func (f *Server) ForgetSessions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, s := range f.gw.sessions {
		if s.conn == nil {
			delete(f.gw.sessions, id)
		}
	}
}

func (f *Server) cutLocked(c *gwConn) {
	f.detachLocked(c)
	_ = c.ws.NetConn().Close()
}

func (f *Server) detachLocked(c *gwConn) {
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	c.sess = nil
	delete(f.gw.conns, c)
}

func (f *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := f.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	f.mu.Lock()
	f.gw.accepted++
	f.gw.conns[c] = true
	f.gw.queries = append(f.gw.queries, r.URL.RawQuery)
	interval := f.heartbeat
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.detachLocked(c)
		f.mu.Unlock()
		_ = ws.Close()
	}()
	if q := r.URL.Query(); (q.Get("v") != "9" && q.Get("v") != "10") || q.Get("encoding") != "json" {
		c.closeWith(4012, "Invalid API version")
		return
	}
	if err := c.write(map[string]any{"op": 10, "s": nil, "t": nil, "d": map[string]any{"heartbeat_interval": interval.Milliseconds()}}); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &p) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case 1:
			var seq *int64
			_ = json.Unmarshal(p.D, &seq)
			f.mu.Lock()
			s := int64(0)
			if seq != nil {
				s = *seq
			}
			f.gw.heartbeats = append(f.gw.heartbeats, s)
			f.mu.Unlock()
			if c.write(map[string]any{"op": 11, "d": nil}) != nil {
				return
			}
		case 2:
			if !f.identify(c, p.D) {
				return
			}
		case 6:
			if !f.resume(c, p.D) {
				return
			}
		case 3, 4, 8:
			// presence, voice, member requests: accepted, ignored
		default:
			c.closeWith(4001, "Unknown opcode.")
			return
		}
	}
}

func tokenOK(t string) bool { return t == BotToken || t == "Bot "+BotToken }

func (f *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var id Identify
	if json.Unmarshal(raw, &id) != nil {
		c.closeWith(4002, "Error while decoding payload.")
		return false
	}
	id.Raw = append(json.RawMessage(nil), raw...)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gw.identifies = append(f.gw.identifies, id)
	switch {
	case c.sess != nil:
		c.closeWith(4005, "Already authenticated.")
		return false
	case !tokenOK(id.Token):
		c.closeWith(4004, "Authentication failed.")
		return false
	case f.noContent && id.Intents&int(discordgo.IntentMessageContent) != 0:
		c.closeWith(4014, "Disallowed intent(s).")
		return false
	}
	if _, live := f.gw.conns[c]; !live {
		return false // cut meanwhile
	}
	for sid, s := range f.gw.sessions {
		if s.conn == nil {
			delete(f.gw.sessions, sid) // a client that identifies again gave up on it
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	s := &session{id: hex.EncodeToString(b), conn: c}
	c.sess = s
	f.gw.sessions[s.id] = s
	var guilds []any
	var joined []*guild
	for _, g := range f.guilds {
		if g.joined {
			guilds = append(guilds, map[string]any{"id": g.id, "unavailable": true})
			joined = append(joined, g)
		}
	}
	if guilds == nil {
		guilds = []any{}
	}
	f.sendLocked(s, "READY", map[string]any{"v": 9, "user": userJSON(botUser()), "guilds": guilds, "session_id": s.id,
		"resume_gateway_url": f.GatewayURL(), "private_channels": []any{}, "shard": []int{0, 1},
		"application": map[string]any{"id": ApplicationID, "flags": 0}})
	if id.Intents&int(discordgo.IntentsGuilds) != 0 {
		for _, g := range joined {
			if s.conn == nil {
				break
			}
			f.sendLocked(s, "GUILD_CREATE", f.guildJSON(g))
		}
	}
	return true
}

func (f *Server) resume(c *gwConn, raw json.RawMessage) bool {
	var rs Resume
	if json.Unmarshal(raw, &rs) != nil {
		c.closeWith(4002, "Error while decoding payload.")
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gw.resumes = append(f.gw.resumes, rs)
	if !tokenOK(rs.Token) {
		c.closeWith(4004, "Authentication failed.")
		return false
	}
	s := f.gw.sessions[rs.SessionID]
	if s == nil || s.conn != nil || rs.Seq > s.seq {
		// Unknown, taken or impossible: op 9, not resumable.
		_ = c.write(map[string]any{"op": 9, "d": false})
		return true
	}
	if _, live := f.gw.conns[c]; !live {
		return false
	}
	s.conn, c.sess = c, s
	// The missed events in order, then RESUMED.
	for _, fr := range s.log {
		if fr.seq <= rs.Seq {
			continue
		}
		if err := c.writeRaw(fr.raw); err != nil {
			f.detachLocked(c)
			return false
		}
	}
	f.sendLocked(s, "RESUMED", map[string]any{"_trace": []string{strings.Repeat("x", 4)}})
	return true
}
