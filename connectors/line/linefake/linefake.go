// Package linefake is a LINE platform for tests: an HTTP server that speaks
// the Messaging API's wire format (push, reply, bot info, profiles, group
// summaries, message content) and records what it is sent, plus helpers that build
// webhook bodies and sign them exactly as LINE does. Test code only.
package linefake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// Call is one request the fake received.
type Call struct {
	Method, Path  string
	Authorization string // the whole header, "Bearer <token>"
	RetryKey      string // X-Line-Retry-Key
	Body          json.RawMessage
	Status        int // what the fake answered
}

// Token is the bearer token of the call ("" if not a bearer).
func (c Call) Token() string {
	t, ok := strings.CutPrefix(c.Authorization, "Bearer ")
	if !ok {
		return ""
	}
	return t
}

// Push is the decoded body of a push or reply.
type Push struct {
	To         string    `json:"to"`
	ReplyToken string    `json:"replyToken"`
	Messages   []Message `json:"messages"`
}

// Message is one message of a push or reply.
type Message struct {
	Type               string  `json:"type"`
	Text               string  `json:"text,omitempty"`
	OriginalContentURL string  `json:"originalContentUrl,omitempty"`
	PreviewImageURL    string  `json:"previewImageUrl,omitempty"`
	Sender             *Sender `json:"sender,omitempty"`
}

// Sender is a message's sender property.
type Sender struct {
	Name    string `json:"name,omitempty"`
	IconURL string `json:"iconUrl,omitempty"`
}

// Decode reads a recorded push or reply body.
func (c Call) Decode() Push {
	var p Push
	_ = json.Unmarshal(c.Body, &p)
	return p
}

type profile struct {
	DisplayName string `json:"displayName"`
	UserID      string `json:"userId"`
	PictureURL  string `json:"pictureUrl,omitempty"`
}

type group struct {
	GroupID    string `json:"groupId"`
	GroupName  string `json:"groupName"`
	PictureURL string `json:"pictureUrl,omitempty"`
}

// Bot is what GET /v2/bot/info answers for a token.
type Bot struct {
	UserID      string `json:"userId"`
	BasicID     string `json:"basicId"`
	DisplayName string `json:"displayName"`
	PictureURL  string `json:"pictureUrl,omitempty"`
	ChatMode    string `json:"chatMode"`
	MarkAsRead  string `json:"markAsReadMode"`
}

type content struct {
	contentType string
	data        []byte
}

type failure struct {
	status     int
	retryAfter string
	body       string
}

// Server is a fake LINE platform. Its URL serves both the API host and the
// content (data) host.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	calls    []Call
	tokens   map[string]bool // accepted tokens; empty: any bearer token
	profiles map[string]profile
	members  map[string]profile // "group|user" or "room|user"
	groups   map[string]group
	bots     map[string]Bot // by access token
	contents map[string]content
	fail     map[string][]failure // by operation: push, reply, profile, content
	accepted map[string]json.RawMessage
	nextID   int
}

// New starts a fake LINE platform, closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tokens: map[string]bool{}, profiles: map[string]profile{}, members: map[string]profile{},
		groups: map[string]group{}, bots: map[string]Bot{}, contents: map[string]content{}, fail: map[string][]failure{},
		accepted: map[string]json.RawMessage{}, nextID: 500000000000000}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// AcceptTokens makes the fake answer 401 to any other channel access token.
func (s *Server) AcceptTokens(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range tokens {
		s.tokens[t] = true
	}
}

// SetBot sets the bot a channel access token belongs to (GET /v2/bot/info)
// and accepts the token, as AcceptTokens does. A token accepted without a
// bot set answers a bot named "LINE bot".
func (s *Server) SetBot(token, name, basicID, picture string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
	s.bots[token] = Bot{UserID: fmt.Sprintf("Ub%031x", len(s.bots)+1), BasicID: basicID, DisplayName: name,
		PictureURL: picture, ChatMode: "bot", MarkAsRead: "auto"}
}

// SetProfile sets a user's profile (GET /v2/bot/profile/{userId}).
func (s *Server) SetProfile(userID, name, picture string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[userID] = profile{DisplayName: name, UserID: userID, PictureURL: picture}
}

// SetGroup sets a group's summary (GET /v2/bot/group/{groupId}/summary).
func (s *Server) SetGroup(groupID, name, picture string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[groupID] = group{GroupID: groupID, GroupName: name, PictureURL: picture}
}

// SetMember sets a group or room member's profile
// (GET /v2/bot/group/{groupId}/member/{userId}, …/room/…).
func (s *Server) SetMember(groupOrRoomID, userID, name, picture string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[groupOrRoomID+"|"+userID] = profile{DisplayName: name, UserID: userID, PictureURL: picture}
}

// SetContent sets a message's content (GET /v2/bot/message/{id}/content).
func (s *Server) SetContent(messageID, contentType string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contents[messageID] = content{contentType: contentType, data: data}
}

// Fail makes the next n calls of an operation ("push", "reply", "info", "profile",
// "content") fail with status; retryAfter, if set, is sent as Retry-After.
func (s *Server) Fail(op string, n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fail[op] = append(s.fail[op], failure{status: status, retryAfter: retryAfter,
			body: fmt.Sprintf(`{"message":"fake failure %d"}`, status)})
	}
}

// Script sets how the next calls of an operation answer, one status per
// call in order: 0 answers normally, another status fails the call.
func (s *Server) Script(op string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range statuses {
		s.fail[op] = append(s.fail[op], failure{status: st, body: fmt.Sprintf(`{"message":"fake failure %d"}`, st)})
	}
}

// Calls returns every request received, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Pushes returns the accepted push calls (2xx), oldest first.
func (s *Server) Pushes() []Call { return s.accepted2xx("/v2/bot/message/push") }

// Replies returns the accepted reply calls (2xx), oldest first.
func (s *Server) Replies() []Call { return s.accepted2xx("/v2/bot/message/reply") }

func (s *Server) accepted2xx(path string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Path == path && c.Status/100 == 2 {
			out = append(out, c)
		}
	}
	return out
}

var (
	uuidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	profileRE = regexp.MustCompile(`^/v2/bot/profile/([^/]+)$`)
	summaryRE = regexp.MustCompile(`^/v2/bot/group/([^/]+)/summary$`)
	memberRE  = regexp.MustCompile(`^/v2/bot/(group|room)/([^/]+)/member/([^/]+)$`)
	contentRE = regexp.MustCompile(`^/v2/bot/message/([^/]+)/content$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := Call{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"),
		RetryKey: r.Header.Get("X-Line-Retry-Key")}
	if json.Valid(body) {
		call.Body = json.RawMessage(body)
	}
	status := s.answer(w, r, body)
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

// answer writes the response and returns its status.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, body []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" || (len(s.tokens) > 0 && !s.tokens[tok]) {
		return reply(w, http.StatusUnauthorized, `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`)
	}
	p := r.URL.Path
	op := ""
	switch {
	case r.Method == "POST" && p == "/v2/bot/message/push":
		op = "push"
	case r.Method == "POST" && p == "/v2/bot/message/reply":
		op = "reply"
	case r.Method == "GET" && p == "/v2/bot/info":
		op = "info"
	case r.Method == "GET" && (profileRE.MatchString(p) || summaryRE.MatchString(p) || memberRE.MatchString(p)):
		op = "profile"
	case r.Method == "GET" && contentRE.MatchString(p):
		op = "content"
	default:
		return reply(w, http.StatusNotFound, `{"message":"Not found"}`)
	}
	if fs := s.fail[op]; len(fs) > 0 {
		f := fs[0]
		s.fail[op] = fs[1:]
		if f.status != 0 {
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			return reply(w, f.status, f.body)
		}
	}
	switch op {
	case "push", "reply":
		return s.send(w, r, op, body)
	case "info":
		b, ok := s.bots[tok]
		if !ok {
			b = Bot{UserID: "Ub00000000000000000000000000000000", BasicID: "@fakebot", DisplayName: "LINE bot", ChatMode: "bot", MarkAsRead: "auto"}
		}
		return replyJSON(w, b)
	case "profile":
		if m := profileRE.FindStringSubmatch(p); m != nil {
			if pr, ok := s.profiles[m[1]]; ok {
				return replyJSON(w, pr)
			}
		} else if m := summaryRE.FindStringSubmatch(p); m != nil {
			if g, ok := s.groups[m[1]]; ok {
				return replyJSON(w, g)
			}
		} else if m := memberRE.FindStringSubmatch(p); m != nil {
			if pr, ok := s.members[m[2]+"|"+m[3]]; ok {
				return replyJSON(w, pr)
			}
		}
		return reply(w, http.StatusNotFound, `{"message":"Not found"}`)
	default: // content
		c, ok := s.contents[contentRE.FindStringSubmatch(p)[1]]
		if !ok {
			return reply(w, http.StatusNotFound, `{"message":"Not found"}`)
		}
		w.Header().Set("Content-Type", c.contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(c.data)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(c.data)
		return http.StatusOK
	}
}

// send validates a push or reply as LINE does and records it.
func (s *Server) send(w http.ResponseWriter, r *http.Request, op string, body []byte) int {
	key := r.Header.Get("X-Line-Retry-Key")
	if key != "" {
		if op == "reply" || !uuidRE.MatchString(key) {
			return reply(w, http.StatusBadRequest, `{"message":"The value for the 'X-Line-Retry-Key' header is invalid"}`)
		}
		if sent, ok := s.accepted[key]; ok {
			w.Header().Set("X-Line-Accepted-Request-Id", "accepted-"+key[:8])
			return reply(w, http.StatusConflict, `{"message":"The retry key is already accepted","sentMessages":`+string(sent)+`}`)
		}
	}
	var p Push
	if err := json.Unmarshal(body, &p); err != nil {
		return reply(w, http.StatusBadRequest, `{"message":"The request body has 1 error(s)","details":[{"message":"malformed JSON"}]}`)
	}
	var details []string
	if op == "push" && p.To == "" {
		details = append(details, detail("to", "must be specified"))
	}
	if op == "reply" && p.ReplyToken == "" {
		details = append(details, detail("replyToken", "must be specified"))
	}
	if len(p.Messages) < 1 || len(p.Messages) > 5 {
		details = append(details, detail("messages", "size must be between 1 and 5"))
	}
	for i, m := range p.Messages {
		switch m.Type {
		case "text":
			if n := len(utf16.Encode([]rune(m.Text))); n == 0 || n > 5000 {
				details = append(details, detail(fmt.Sprintf("messages[%d].text", i), "Length must be between 1 and 5000"))
			}
		case "image":
			if !strings.HasPrefix(m.OriginalContentURL, "https://") || !strings.HasPrefix(m.PreviewImageURL, "https://") {
				details = append(details, detail(fmt.Sprintf("messages[%d].originalContentUrl", i), "must be https"))
			}
		default:
			details = append(details, detail(fmt.Sprintf("messages[%d].type", i), "unsupported by the fake"))
		}
		if m.Sender != nil && len([]rune(m.Sender.Name)) > 20 {
			details = append(details, detail(fmt.Sprintf("messages[%d].sender.name", i), "Length must be between 1 and 20"))
		}
	}
	if len(details) > 0 {
		return reply(w, http.StatusBadRequest, fmt.Sprintf(`{"message":"The request body has %d error(s)","details":[%s]}`,
			len(details), strings.Join(details, ",")))
	}
	var sent bytes.Buffer
	sent.WriteByte('[')
	for i := range p.Messages {
		if i > 0 {
			sent.WriteByte(',')
		}
		s.nextID++
		fmt.Fprintf(&sent, `{"id":"%d","quoteToken":"q%d"}`, s.nextID, s.nextID)
	}
	sent.WriteByte(']')
	if key != "" {
		s.accepted[key] = json.RawMessage(sent.Bytes())
	}
	return reply(w, http.StatusOK, `{"sentMessages":`+sent.String()+`}`)
}

func detail(property, msg string) string {
	b, _ := json.Marshal(map[string]string{"message": msg, "property": property})
	return string(b)
}

func reply(w http.ResponseWriter, status int, body string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
	return status
}

func replyJSON(w http.ResponseWriter, v any) int {
	b, _ := json.Marshal(v)
	return reply(w, http.StatusOK, string(b))
}

// Sign is the X-Line-Signature LINE sends with body: the base64 HMAC-SHA256
// of the raw body keyed with the channel secret.
func Sign(channelSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(channelSecret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// PostWebhook posts body to url signed with channelSecret, as LINE does.
func PostWebhook(client *http.Client, url, channelSecret string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Line-Signature", Sign(channelSecret, body))
	req.Header.Set("User-Agent", "LineBotWebhook/2.0")
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}
