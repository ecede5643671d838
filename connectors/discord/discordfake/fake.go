// Package discordfake is a local Discord for tests: the REST API the
// Relay bot calls (gateway discovery, guild channels, webhooks, messages,
// the OAuth2 token exchange) and a gateway speaking the real protocol
// (HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeats and their ACKs,
// RESUME with the missed events replayed then RESUMED, op 7 and op 9,
// dispatches with sequence numbers). It can drop the connection mid-stream,
// inject REST failures (rate limits, 5xx), and records every request and
// gateway payload for assertions.
//
// Test code only; it imports nothing of Relay.
package discordfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Credentials of the fake application and its bot.
const (
	BotToken      = "fake-bot-token.0123456789abcdef"
	ApplicationID = "1100000000000000001"
	ClientSecret  = "fake-client-secret-0123456789"
	BotUserID     = "1100000000000000002"
)

// Request is one REST call as the fake received it.
type Request struct {
	Method string
	// Path is below the API base: "/channels/1/messages".
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Message is a message of a channel, as the fake keeps it.
type Message struct {
	ID, ChannelID, GuildID string
	Author                 discordgo.User
	// Nick is the author's server nickname (the member object), if any.
	Nick      string
	Content   string
	WebhookID string
	// AvatarURL is the avatar a webhook execution asked for.
	AvatarURL   string
	Attachments []discordgo.MessageAttachment
	Mentions    []discordgo.User
	Type        discordgo.MessageType
	Timestamp   time.Time
	EditedAt    *time.Time
	Deleted     bool
}

// Server is the fake Discord. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server
	up  websocket.Upgrader

	mu        sync.Mutex
	heartbeat time.Duration
	nextID    uint64
	guilds    []*guild
	channels  map[string]*discordgo.Channel
	webhooks  map[string]*discordgo.Webhook
	messages  map[string]*Message
	order     []string // message ids, oldest first
	codes     map[string]code
	denyHooks map[string]bool
	requests  []Request
	faults    []fault
	noContent bool // refuse the MESSAGE_CONTENT intent (4014)
	gw        gatewayState
}

type guild struct {
	id, name string
	joined   bool // the bot is a member
}

type code struct{ guild, redirect string }

type fault struct {
	method, prefix string
	status         int
	header         http.Header
	body           string
}

// New starts a fake Discord, closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	f := &Server{
		heartbeat: 41250 * time.Millisecond,
		nextID:    1200000000000000000,
		channels:  map[string]*discordgo.Channel{},
		webhooks:  map[string]*discordgo.Webhook{},
		messages:  map[string]*Message{},
		codes:     map[string]code{},
		denyHooks: map[string]bool{},
	}
	f.gw.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/", f.serveREST)
	mux.HandleFunc("/ws", f.serveGateway)
	mux.HandleFunc("/ws/", f.serveGateway)
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.Close)
	return f
}

// Close stops the fake and cuts every gateway connection.
func (f *Server) Close() {
	f.Drop()
	f.srv.CloseClientConnections()
	f.srv.Close()
}

// APIURL is the REST base (what RELAY_DISCORD_API_URL would be).
func (f *Server) APIURL() string { return f.srv.URL + "/api/v9" }

// GatewayURL is the gateway's address, as GET /gateway returns it.
func (f *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws" }

// SetHeartbeatInterval sets the interval HELLO announces (default 41.25 s).
func (f *Server) SetHeartbeatInterval(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heartbeat = d
}

// RefuseMessageContent makes IDENTIFY with the MESSAGE_CONTENT intent fail
// with close code 4014, as for a bot whose intent is not enabled.
func (f *Server) RefuseMessageContent() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.noContent = true
}

func (f *Server) newID() string {
	f.nextID++
	return strconv.FormatUint(f.nextID, 10)
}

// AddGuild creates a server; the bot is not in it until Authorize.
func (f *Server) AddGuild(name string) (guildID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := &guild{id: f.newID(), name: name}
	f.guilds = append(f.guilds, g)
	return g.id
}

// AddChannel creates a channel of a guild (type, name, position, parent
// category id); it returns the channel id.
func (f *Server) AddChannel(guildID string, typ discordgo.ChannelType, name string, position int, parentID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := &discordgo.Channel{ID: f.newID(), GuildID: guildID, Type: typ, Name: name, Position: position, ParentID: parentID}
	f.channels[ch.ID] = ch
	return ch.ID
}

// Authorize is the admin approving the invite on Discord: the bot joins
// the guild (GUILD_CREATE on live sessions) and an authorisation code is
// issued for the redirect URI, as Discord appends it to the redirect.
func (f *Server) Authorize(guildID, redirectURI string) (authCode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	authCode = "code-" + f.newID()
	f.codes[authCode] = code{guild: guildID, redirect: redirectURI}
	for _, g := range f.guilds {
		if g.id == guildID && !g.joined {
			g.joined = true
			f.dispatchLocked("GUILD_CREATE", f.guildJSON(g))
		}
	}
	return authCode
}

// DenyWebhooks makes webhook creation in a channel fail with 403 Missing
// Permissions (the bot lacks Manage Webhooks there).
func (f *Server) DenyWebhooks(channelID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denyHooks[channelID] = true
}

// DeleteWebhook removes a webhook, as someone doing it in Discord's UI.
func (f *Server) DeleteWebhook(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.webhooks, id)
}

// Webhooks lists a channel's webhooks.
func (f *Server) Webhooks(channelID string) []discordgo.Webhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []discordgo.Webhook
	for _, w := range f.webhooks {
		if w.ChannelID == channelID {
			out = append(out, *w)
		}
	}
	return out
}

// Messages lists a channel's messages (deleted ones included, marked),
// oldest first.
func (f *Server) Messages(channelID string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for _, id := range f.order {
		if m := f.messages[id]; m.ChannelID == channelID {
			out = append(out, *m)
		}
	}
	return out
}

// Requests lists the REST calls received whose method matches (""
// any) and whose path starts with prefix.
func (f *Server) Requests(method, prefix string) []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Request
	for _, r := range f.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// FailNext makes the next request matching method and path prefix answer
// status with body (JSON) and header instead of being served.
func (f *Server) FailNext(method, prefix string, status int, body string, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault{method: method, prefix: prefix, status: status, header: header, body: body})
}

// RateLimitNext makes the next matching request answer 429 the way
// Discord does: retry_after (seconds, fractional) in the body, Retry-After
// (whole seconds) and the X-RateLimit-* headers.
func (f *Server) RateLimitNext(method, prefix string, retryAfter time.Duration) {
	secs := retryAfter.Seconds()
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", "fakebucket")
	h.Set("X-RateLimit-Scope", "user")
	body := fmt.Sprintf(`{"message": "You are being rate limited.", "retry_after": %s, "global": false}`, strconv.FormatFloat(secs, 'f', 3, 64))
	f.FailNext(method, prefix, http.StatusTooManyRequests, body, h)
}

// Say posts a message from a person (or any author) in a channel and
// dispatches MESSAGE_CREATE; it returns the stored message.
func (f *Server) Say(channelID string, author discordgo.User, content string) Message {
	return f.Post(Message{ChannelID: channelID, Author: author, Content: content})
}

// Post stores m (its id, guild and time filled in when empty) and
// dispatches MESSAGE_CREATE.
func (f *Server) Post(m Message) Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.postLocked(&m)
}

func (f *Server) postLocked(m *Message) *Message {
	if m.ID == "" {
		m.ID = f.newID()
	}
	if ch := f.channels[m.ChannelID]; ch != nil && m.GuildID == "" {
		m.GuildID = ch.GuildID
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = time.Now().UTC().Truncate(time.Millisecond)
	}
	f.messages[m.ID] = m
	f.order = append(f.order, m.ID)
	f.dispatchLocked("MESSAGE_CREATE", messageJSON(m))
	return m
}

// Edit changes a message's content (an edit by its author) and dispatches
// MESSAGE_UPDATE.
func (f *Server) Edit(messageID, content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.messages[messageID]; m != nil {
		f.editLocked(m, content)
	}
}

func (f *Server) editLocked(m *Message, content string) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	m.Content, m.EditedAt = content, &now
	f.dispatchLocked("MESSAGE_UPDATE", messageJSON(m))
}

// Delete removes a message and dispatches MESSAGE_DELETE.
func (f *Server) Delete(messageID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.messages[messageID]; m != nil {
		f.deleteLocked(m)
	}
}

func (f *Server) deleteLocked(m *Message) {
	m.Deleted = true
	f.dispatchLocked("MESSAGE_DELETE", map[string]any{"id": m.ID, "channel_id": m.ChannelID, "guild_id": m.GuildID})
}

// userJSON is a user object as Discord sends it.
func userJSON(u discordgo.User) map[string]any {
	out := map[string]any{"id": u.ID, "username": u.Username, "discriminator": "0", "avatar": nil, "global_name": nil}
	if u.Discriminator != "" {
		out["discriminator"] = u.Discriminator
	}
	if u.Avatar != "" {
		out["avatar"] = u.Avatar
	}
	if u.GlobalName != "" {
		out["global_name"] = u.GlobalName
	}
	if u.Bot {
		out["bot"] = true
	}
	return out
}

// messageJSON is a message object as the gateway and REST send it.
func messageJSON(m *Message) map[string]any {
	mentions := []any{}
	for _, u := range m.Mentions {
		mentions = append(mentions, userJSON(u))
	}
	atts := []any{}
	for _, a := range m.Attachments {
		atts = append(atts, map[string]any{"id": a.ID, "filename": a.Filename, "size": a.Size, "url": a.URL,
			"proxy_url": a.ProxyURL, "content_type": a.ContentType})
	}
	out := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "type": int(m.Type),
		"timestamp": m.Timestamp.Format("2006-01-02T15:04:05.000000-07:00"), "edited_timestamp": nil,
		"tts": false, "mention_everyone": false, "mentions": mentions, "mention_roles": []any{},
		"attachments": atts, "embeds": []any{}, "pinned": false, "flags": 0, "author": userJSON(m.Author),
		"components": []any{},
	}
	if m.GuildID != "" {
		out["guild_id"] = m.GuildID
	}
	if m.EditedAt != nil {
		out["edited_timestamp"] = m.EditedAt.Format("2006-01-02T15:04:05.000000-07:00")
	}
	if m.WebhookID != "" {
		out["webhook_id"] = m.WebhookID
	} else if m.GuildID != "" {
		member := map[string]any{"roles": []any{}, "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false}
		if m.Nick != "" {
			member["nick"] = m.Nick
		}
		out["member"] = member
	}
	return out
}

func channelJSON(c *discordgo.Channel) map[string]any {
	out := map[string]any{"id": c.ID, "type": int(c.Type), "guild_id": c.GuildID, "name": c.Name, "position": c.Position,
		"permission_overwrites": []any{}, "nsfw": false, "parent_id": nil}
	if c.ParentID != "" {
		out["parent_id"] = c.ParentID
	}
	if c.Type == discordgo.ChannelTypeGuildText || c.Type == discordgo.ChannelTypeGuildNews {
		out["topic"], out["last_message_id"], out["rate_limit_per_user"] = nil, nil, 0
	}
	return out
}

func (f *Server) guildJSON(g *guild) map[string]any {
	chs := []any{}
	for _, c := range f.channels {
		if c.GuildID == g.id {
			chs = append(chs, channelJSON(c))
		}
	}
	return map[string]any{"id": g.id, "name": g.name, "unavailable": false, "channels": chs, "threads": []any{},
		"members": []any{}, "roles": []any{}, "emojis": []any{}, "member_count": 2, "large": false,
		"joined_at": "2024-01-01T00:00:00.000000+00:00", "owner_id": "1", "features": []any{}}
}

func botUser() discordgo.User {
	return discordgo.User{ID: BotUserID, Username: "Relay", Bot: true}
}

// --- REST ---

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

func (f *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{Method: r.Method, Path: path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	for i, ft := range f.faults {
		if (ft.method == "" || ft.method == r.Method) && strings.HasPrefix(path, ft.prefix) {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			for k, v := range ft.header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ft.status)
			_, _ = io.WriteString(w, ft.body)
			return
		}
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	bot := r.Header.Get("Authorization") == "Bot "+BotToken
	needBot := func() bool {
		if !bot {
			apiErr(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		}
		return bot
	}
	switch {
	case r.Method == "GET" && path == "/gateway":
		writeJSON(w, 200, map[string]any{"url": f.GatewayURL()})
	case r.Method == "GET" && path == "/gateway/bot":
		if needBot() {
			writeJSON(w, 200, map[string]any{"url": f.GatewayURL(), "shards": 1,
				"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
		}
	case r.Method == "GET" && path == "/users/@me":
		if needBot() {
			writeJSON(w, 200, userJSON(botUser()))
		}
	case r.Method == "POST" && path == "/oauth2/token":
		f.token(w, r, body)
	case len(seg) == 3 && seg[0] == "guilds" && seg[2] == "channels" && r.Method == "GET":
		if needBot() {
			f.guildChannels(w, seg[1])
		}
	case len(seg) == 2 && seg[0] == "channels" && r.Method == "GET":
		if needBot() {
			if ch := f.visibleChannel(seg[1]); ch != nil {
				writeJSON(w, 200, channelJSON(ch))
			} else {
				apiErr(w, 404, 10003, "Unknown Channel")
			}
		}
	case len(seg) == 3 && seg[0] == "channels" && seg[2] == "webhooks":
		if needBot() {
			f.channelWebhooks(w, r, seg[1], body)
		}
	case len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages" && r.Method == "POST":
		if needBot() {
			f.botPost(w, seg[1], body)
		}
	case len(seg) == 4 && seg[0] == "channels" && seg[2] == "messages" && (r.Method == "PATCH" || r.Method == "DELETE"):
		if needBot() {
			f.botChange(w, r.Method, seg[1], seg[3], body)
		}
	case len(seg) == 3 && seg[0] == "webhooks" && r.Method == "POST":
		f.execute(w, r, seg[1], seg[2], body)
	case len(seg) == 5 && seg[0] == "webhooks" && seg[3] == "messages" && (r.Method == "PATCH" || r.Method == "DELETE"):
		f.webhookChange(w, r.Method, seg[1], seg[2], seg[4], body)
	default:
		apiErr(w, 404, 0, "404: Not Found")
	}
}

func (f *Server) joined(guildID string) bool {
	for _, g := range f.guilds {
		if g.id == guildID {
			return g.joined
		}
	}
	return false
}

// visibleChannel is a channel of a guild the bot is in.
func (f *Server) visibleChannel(id string) *discordgo.Channel {
	ch := f.channels[id]
	if ch == nil || !f.joined(ch.GuildID) {
		return nil
	}
	return ch
}

func (f *Server) guildChannels(w http.ResponseWriter, guildID string) {
	known := false
	for _, g := range f.guilds {
		known = known || g.id == guildID
	}
	if !known {
		apiErr(w, 404, 10004, "Unknown Guild")
		return
	}
	if !f.joined(guildID) {
		apiErr(w, 403, 50001, "Missing Access")
		return
	}
	out := []any{}
	for _, id := range sortedKeys(f.channels) {
		if c := f.channels[id]; c.GuildID == guildID {
			out = append(out, channelJSON(c))
		}
	}
	writeJSON(w, 200, out)
}

func (f *Server) channelWebhooks(w http.ResponseWriter, r *http.Request, channelID string, body []byte) {
	ch := f.visibleChannel(channelID)
	if ch == nil {
		apiErr(w, 404, 10003, "Unknown Channel")
		return
	}
	if f.denyHooks[channelID] {
		apiErr(w, 403, 50013, "Missing Permissions")
		return
	}
	if r.Method == "GET" {
		out := []any{}
		for _, id := range sortedKeys(f.webhooks) {
			if wh := f.webhooks[id]; wh.ChannelID == channelID {
				out = append(out, wh)
			}
		}
		writeJSON(w, 200, out)
		return
	}
	if r.Method != "POST" {
		apiErr(w, 405, 0, "405: Method Not Allowed")
		return
	}
	var in struct {
		Name   string  `json:"name"`
		Avatar *string `json:"avatar"`
	}
	if json.Unmarshal(body, &in) != nil || in.Name == "" || len([]rune(in.Name)) > 80 || badWebhookName(in.Name) {
		invalidForm(w, "name")
		return
	}
	n := 0
	for _, wh := range f.webhooks {
		if wh.ChannelID == channelID {
			n++
		}
	}
	if n >= 15 {
		apiErr(w, 400, 30007, "Maximum number of webhooks reached (15)")
		return
	}
	bu := botUser()
	wh := &discordgo.Webhook{ID: f.newID(), Type: discordgo.WebhookTypeIncoming, GuildID: ch.GuildID, ChannelID: channelID,
		User: &bu, Name: in.Name, Token: "whtoken-" + f.newID(), ApplicationID: ApplicationID}
	f.webhooks[wh.ID] = wh
	writeJSON(w, 200, wh)
}

func badWebhookName(name string) bool {
	l := strings.ToLower(name)
	return strings.Contains(l, "discord") || strings.Contains(l, "clyde") || l == "everyone" || l == "here"
}

func invalidForm(w http.ResponseWriter, field string) {
	writeJSON(w, 400, map[string]any{"message": "Invalid Form Body", "code": 50035,
		"errors": map[string]any{field: map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_BAD", "message": "Invalid value."}}}}})
}

// validContent: 1–2000 characters as Discord counts them (UTF-16).
func validContent(s string) bool {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n > 0 && n <= 2000
}

type postBody struct {
	Content         *string `json:"content"`
	Username        string  `json:"username"`
	AvatarURL       string  `json:"avatar_url"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
}

func (f *Server) botPost(w http.ResponseWriter, channelID string, body []byte) {
	ch := f.visibleChannel(channelID)
	if ch == nil {
		apiErr(w, 404, 10003, "Unknown Channel")
		return
	}
	var in postBody
	if json.Unmarshal(body, &in) != nil || in.Content == nil || !validContent(*in.Content) {
		invalidForm(w, "content")
		return
	}
	m := f.postLocked(&Message{ChannelID: channelID, Author: botUser(), Content: *in.Content})
	writeJSON(w, 200, messageJSON(m))
}

func (f *Server) botChange(w http.ResponseWriter, method, channelID, messageID string, body []byte) {
	m := f.messages[messageID]
	if f.visibleChannel(channelID) == nil {
		apiErr(w, 404, 10003, "Unknown Channel")
		return
	}
	if m == nil || m.Deleted || m.ChannelID != channelID {
		apiErr(w, 404, 10008, "Unknown Message")
		return
	}
	if method == "DELETE" {
		if m.Author.ID != BotUserID {
			apiErr(w, 403, 50013, "Missing Permissions")
			return
		}
		f.deleteLocked(m)
		w.WriteHeader(204)
		return
	}
	if m.Author.ID != BotUserID || m.WebhookID != "" {
		apiErr(w, 403, 50005, "Cannot edit a message authored by another user")
		return
	}
	var in postBody
	if json.Unmarshal(body, &in) != nil || in.Content == nil || !validContent(*in.Content) {
		invalidForm(w, "content")
		return
	}
	f.editLocked(m, *in.Content)
	writeJSON(w, 200, messageJSON(m))
}

func (f *Server) webhookFor(w http.ResponseWriter, id, token string) *discordgo.Webhook {
	wh := f.webhooks[id]
	if wh == nil {
		apiErr(w, 404, 10015, "Unknown Webhook")
		return nil
	}
	if wh.Token != token {
		apiErr(w, 401, 50027, "Invalid Webhook Token")
		return nil
	}
	return wh
}

func (f *Server) execute(w http.ResponseWriter, r *http.Request, id, token string, body []byte) {
	wh := f.webhookFor(w, id, token)
	if wh == nil {
		return
	}
	var in postBody
	if json.Unmarshal(body, &in) != nil || in.Content == nil || !validContent(*in.Content) {
		invalidForm(w, "content")
		return
	}
	name := wh.Name
	if in.Username != "" {
		if len([]rune(in.Username)) > 80 || badWebhookName(in.Username) {
			invalidForm(w, "username")
			return
		}
		name = in.Username
	}
	m := f.postLocked(&Message{ChannelID: wh.ChannelID, GuildID: wh.GuildID, Author: discordgo.User{ID: wh.ID, Username: name, Bot: true, Discriminator: "0000"},
		Content: *in.Content, WebhookID: wh.ID, AvatarURL: in.AvatarURL})
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(204)
		return
	}
	writeJSON(w, 200, messageJSON(m))
}

func (f *Server) webhookChange(w http.ResponseWriter, method, id, token, messageID string, body []byte) {
	wh := f.webhookFor(w, id, token)
	if wh == nil {
		return
	}
	m := f.messages[messageID]
	if m == nil || m.Deleted || m.WebhookID != wh.ID {
		apiErr(w, 404, 10008, "Unknown Message")
		return
	}
	if method == "DELETE" {
		f.deleteLocked(m)
		w.WriteHeader(204)
		return
	}
	var in postBody
	if json.Unmarshal(body, &in) != nil || in.Content == nil || !validContent(*in.Content) {
		invalidForm(w, "content")
		return
	}
	f.editLocked(m, *in.Content)
	writeJSON(w, 200, messageJSON(m))
}

// token is the OAuth2 authorisation-code exchange; the client
// authenticates with HTTP Basic (or client_id/client_secret fields).
func (f *Server) token(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, 400, map[string]any{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id != ApplicationID || secret != ClientSecret {
		writeJSON(w, 401, map[string]any{"error": "invalid_client"})
		return
	}
	if form.Get("grant_type") != "authorization_code" {
		writeJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	c, ok := f.codes[form.Get("code")]
	if !ok || c.redirect != form.Get("redirect_uri") {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": `Invalid "code" in request.`})
		return
	}
	delete(f.codes, form.Get("code")) // single use
	var g *guild
	for _, x := range f.guilds {
		if x.id == c.guild {
			g = x
		}
	}
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "access_token": "access-" + f.newID(), "expires_in": 604800,
		"refresh_token": "refresh-" + f.newID(), "scope": "bot", "guild": map[string]any{"id": g.id, "name": g.name}})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Snowflakes sort by length, then lexically.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (len(keys[j]) < len(keys[j-1]) || (len(keys[j]) == len(keys[j-1]) && keys[j] < keys[j-1])); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
