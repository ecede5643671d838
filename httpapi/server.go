package httpapi

import (
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/web"
)

// Config configures a Server.
type Config struct {
	App        *app.App
	BaseDomain string // e.g. "localhost" or "relay.example"
	Logger     *slog.Logger
	Metrics    *Metrics // nil: metrics are not recorded
	// MetricsToken, when set, serves /metrics to requests with
	// "Authorization: Bearer <MetricsToken>"; empty: /metrics answers 404
	// here (the debug listener serves Metrics.Handler instead).
	MetricsToken string
	// TrustProxy makes the server believe X-Forwarded-For and
	// X-Forwarded-Proto, for deployments behind a reverse proxy.
	TrustProxy bool
	Version    string
	// Socket serves the realtime endpoint /socket/websocket (phoenix.Server);
	// nil leaves it out.
	Socket http.Handler
	// Web is the browser app served on every path the server does not own;
	// nil serves a page that says how to build it.
	Web *web.App
	// LINE serves LINE's webhooks (connectors/line); nil answers them 404.
	LINE LINEHooks
	// Discord serves the shared Discord bot's OAuth callback
	// (connectors/discord); nil answers it 404.
	Discord DiscordHooks
	// Incoming serves incoming webhooks, POST /hooks/in/{token}
	// (connectors/webhook.Receiver); nil answers them 404.
	Incoming IncomingHooks
}

// Server serves HTTP.
type Server struct {
	app        *app.App
	baseDomain string
	log        *slog.Logger
	metrics    *Metrics
	// metricsToken is the SHA-256 of Config.MetricsToken; nil: /metrics
	// is not served here.
	metricsToken []byte
	trustProxy   bool
	version      string
	cop          *http.CrossOriginProtection
	socket       http.Handler
	web          *web.App
	line         LINEHooks
	discord      DiscordHooks
	incoming     IncomingHooks
	handler      http.Handler
}

// New returns a Server with every route registered.
func New(c Config) *Server {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	s := &Server{app: c.App, baseDomain: strings.ToLower(strings.TrimSuffix(c.BaseDomain, ".")), log: c.Logger,
		metrics: c.Metrics, trustProxy: c.TrustProxy, version: c.Version, cop: http.NewCrossOriginProtection(), socket: c.Socket, web: c.Web, line: c.LINE, discord: c.Discord,
		incoming: c.Incoming}
	if s.web == nil {
		s.web = web.None()
	}
	if c.MetricsToken != "" {
		sum := sha256.Sum256([]byte(c.MetricsToken))
		s.metricsToken = sum[:]
	}
	// Refusals go through the same JSON error path as everything else.
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errCrossOrigin)
	}))
	mux := http.NewServeMux()
	// paths knows every path regardless of method, so a known path with the
	// wrong method answers 405 with Allow, not 404.
	paths, allow := http.NewServeMux(), map[string][]string{}
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
		if allow[rt.path] == nil {
			paths.Handle(rt.path, http.NotFoundHandler())
		}
		allow[rt.path] = append(allow[rt.path], rt.method)
	}
	shell := s.wrap(route{host: onAny, auth: authNone, h: s.shell})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Every path the server does not own belongs to the web app, so a
		// reload on any deep link works.
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !serverPath(r.URL.Path) {
			if !s.web.ServeFile(w, r) {
				shell.ServeHTTP(w, r)
			}
			return
		}
		if _, pattern := paths.Handler(r); pattern != "" && allow[pattern] != nil {
			w.Header().Set("Allow", strings.Join(allow[pattern], ", "))
			s.writeError(w, r, relay.Errorf(relay.EMETHOD, "Method %s is not allowed here.", r.Method))
			return
		}
		s.writeError(w, r, errNoRoute)
	})
	s.handler = s.observe(mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Host kinds a route may be served on.
type hostKind int

const (
	onWorkspace hostKind = iota // <sub>.<base>: the tenant's API
	onApex                      // <base>: sign-up, landing
	onAny                       // anywhere: health, metrics, the OpenAPI file
)

// Authentication a route needs.
type authMode int

const (
	authRequired authMode = iota
	authNone
)

// Body limits.
const (
	maxJSONBody = 64 << 10
	maxLogoBody = app.MaxLogoBytes
	// A 16,000-character message escaped as JSON can pass 64 KiB.
	maxMessageBody = 256 << 10
)

// route is one entry of the routing table.
type route struct {
	method, path string
	host         hostKind
	auth         authMode
	maxBody      int64 // 0: maxJSONBody
	h            func(w http.ResponseWriter, r *http.Request) error
	// undocumented routes are not REST resources (the socket) and are
	// left out of openapi.json; docs/protocol.md describes them.
	undocumented bool
}

// routes is the one list of everything the server answers. The OpenAPI test
// checks openapi.json against it, both ways.
func (s *Server) routes() []route {
	rs := []route{
		{method: "GET", path: "/{$}", host: onAny, auth: authNone, h: s.shell},
		{method: "GET", path: "/assets/{file...}", host: onAny, auth: authNone, h: s.asset, undocumented: true},
		{method: "GET", path: "/healthz", host: onAny, auth: authNone, h: s.healthz},
		{method: "GET", path: "/readyz", host: onAny, auth: authNone, h: s.readyz},
		{method: "GET", path: "/metrics", host: onAny, auth: authNone, h: s.metricsHandler},
		{method: "GET", path: "/api/v1/openapi.json", host: onAny, auth: authNone, h: s.openapi},
		// The socket authenticates itself (token parameter or cookie) and
		// checks Origin; the route only resolves the workspace.
		{method: "GET", path: "/socket/websocket", host: onWorkspace, auth: authNone, h: s.serveSocket, undocumented: true},

		{method: "POST", path: "/api/v1/signup", host: onApex, auth: authNone, h: s.signup},
		{method: "GET", path: "/api/v1/workspaces/{subdomain}", host: onApex, auth: authNone, h: s.lookupWorkspace},

		{method: "POST", path: "/api/v1/auth/login", host: onWorkspace, auth: authNone, h: s.login},
		{method: "POST", path: "/api/v1/auth/signup", host: onWorkspace, auth: authNone, h: s.customerSignup},
		{method: "POST", path: "/api/v1/auth/handoff", host: onWorkspace, auth: authNone, h: s.handoff},
		{method: "POST", path: "/api/v1/auth/logout", host: onWorkspace, h: s.logout},
		{method: "GET", path: "/api/v1/auth/me", host: onWorkspace, h: s.me},

		{method: "GET", path: "/api/v1/workspace", host: onWorkspace, auth: authNone, h: s.getWorkspace},
		{method: "PATCH", path: "/api/v1/workspace", host: onWorkspace, h: s.patchWorkspace},
		{method: "DELETE", path: "/api/v1/workspace", host: onWorkspace, h: s.deleteWorkspace},
		{method: "POST", path: "/api/v1/workspace/transfer", host: onWorkspace, h: s.transferOwnership},
		{method: "GET", path: "/api/v1/workspace/logo", host: onWorkspace, auth: authNone, h: s.getLogo},
		{method: "PUT", path: "/api/v1/workspace/logo", host: onWorkspace, maxBody: maxLogoBody, h: s.putLogo},
		{method: "DELETE", path: "/api/v1/workspace/logo", host: onWorkspace, h: s.deleteLogo},

		{method: "POST", path: "/api/v1/invites", host: onWorkspace, h: s.createInvite},
		{method: "GET", path: "/api/v1/invites", host: onWorkspace, h: s.listInvites},
		{method: "GET", path: "/api/v1/invites/{id}", host: onWorkspace, auth: authNone, h: s.previewInvite},
		{method: "DELETE", path: "/api/v1/invites/{id}", host: onWorkspace, h: s.revokeInvite},
		{method: "POST", path: "/api/v1/invites/{token}/accept", host: onWorkspace, auth: authNone, h: s.acceptInvite},

		{method: "GET", path: "/api/v1/members", host: onWorkspace, h: s.listMembers},
		{method: "PATCH", path: "/api/v1/members/{user_id}", host: onWorkspace, h: s.changeRole},
		{method: "DELETE", path: "/api/v1/members/{user_id}", host: onWorkspace, h: s.removeMember},

		{method: "POST", path: "/api/v1/tokens", host: onWorkspace, h: s.createToken},
		{method: "GET", path: "/api/v1/tokens", host: onWorkspace, h: s.listTokens},
		{method: "DELETE", path: "/api/v1/tokens/{id}", host: onWorkspace, h: s.revokeToken},

		{method: "GET", path: "/api/v1/search", host: onWorkspace, h: s.search},
		{method: "GET", path: "/api/v1/channels", host: onWorkspace, h: s.listChannels},
		{method: "POST", path: "/api/v1/channels", host: onWorkspace, h: s.createChannel},
		{method: "GET", path: "/api/v1/channels/{id}", host: onWorkspace, h: s.getChannel},
		{method: "PATCH", path: "/api/v1/channels/{id}", host: onWorkspace, h: s.patchChannel},
		{method: "POST", path: "/api/v1/channels/{id}/archive", host: onWorkspace, h: s.archiveChannel(true)},
		{method: "POST", path: "/api/v1/channels/{id}/unarchive", host: onWorkspace, h: s.archiveChannel(false)},
		{method: "POST", path: "/api/v1/channels/{id}/join", host: onWorkspace, h: s.joinChannel},
		{method: "POST", path: "/api/v1/channels/{id}/leave", host: onWorkspace, h: s.leaveChannel},
		{method: "GET", path: "/api/v1/channels/{id}/members", host: onWorkspace, h: s.listChannelMembers},
		{method: "POST", path: "/api/v1/channels/{id}/members", host: onWorkspace, h: s.addChannelMembers},
		{method: "DELETE", path: "/api/v1/channels/{id}/members/{user_id}", host: onWorkspace, h: s.removeChannelMember},
		{method: "POST", path: "/api/v1/channels/{id}/read", host: onWorkspace, h: s.markRead},
		{method: "GET", path: "/api/v1/channels/{id}/messages", host: onWorkspace, h: s.listMessages},
		{method: "POST", path: "/api/v1/channels/{id}/messages", host: onWorkspace, maxBody: maxMessageBody, h: s.postMessage},
		{method: "POST", path: "/api/v1/dms", host: onWorkspace, h: s.openDM},
		{method: "PATCH", path: "/api/v1/messages/{id}", host: onWorkspace, maxBody: maxMessageBody, h: s.patchMessage},
		{method: "DELETE", path: "/api/v1/messages/{id}", host: onWorkspace, h: s.deleteMessage},
		{method: "GET", path: "/api/v1/messages/{id}/replies", host: onWorkspace, h: s.listReplies},
		{method: "PUT", path: "/api/v1/messages/{id}/reactions/{emoji}", host: onWorkspace, h: s.react(true)},
		{method: "DELETE", path: "/api/v1/messages/{id}/reactions/{emoji}", host: onWorkspace, h: s.react(false)},
		{method: "PUT", path: "/api/v1/users/me/status", host: onWorkspace, h: s.setStatus},
		{method: "PATCH", path: "/api/v1/users/me", host: onWorkspace, h: s.patchMe},
		{method: "PUT", path: "/api/v1/users/me/avatar", host: onWorkspace, maxBody: maxLogoBody, h: s.putAvatar},
		{method: "DELETE", path: "/api/v1/users/me/avatar", host: onWorkspace, h: s.deleteAvatar},
		{method: "GET", path: "/api/v1/users/{id}/avatar", host: onWorkspace, h: s.getAvatar},

		{method: "POST", path: "/api/v1/tickets", host: onWorkspace, h: s.createTicket},
		{method: "GET", path: "/api/v1/tickets", host: onWorkspace, h: s.listTickets},
		{method: "GET", path: "/api/v1/tickets/{id}", host: onWorkspace, h: s.getTicket},
		{method: "PATCH", path: "/api/v1/tickets/{id}", host: onWorkspace, h: s.patchTicket},
		{method: "PATCH", path: "/api/v1/tickets/{id}/status", host: onWorkspace, h: s.setTicketStatus},
		{method: "PATCH", path: "/api/v1/tickets/{id}/assign", host: onWorkspace, h: s.assignTicket},
		{method: "GET", path: "/api/v1/tickets/{id}/messages", host: onWorkspace, h: s.listTicketMessages},
		{method: "POST", path: "/api/v1/tickets/{id}/messages", host: onWorkspace, maxBody: maxMessageBody, h: s.postTicketMessage},
		{method: "GET", path: "/api/v1/tickets/{id}/events", host: onWorkspace, h: s.listTicketEvents},
		{method: "POST", path: "/api/v1/tickets/{id}/read", host: onWorkspace, h: s.markTicketRead},

		{method: "GET", path: "/api/v1/audit", host: onWorkspace, h: s.listAudit},
		{method: "GET", path: "/api/v1/admin/stats", host: onWorkspace, h: s.deskStats},
	}
	// Connectors (docs/connectors.md): each part lists its own routes.
	for _, part := range [][]route{s.connectorRoutes(), s.lineRoutes(), s.discordRoutes(), s.webhookRoutes()} {
		rs = append(rs, part...)
	}
	return rs
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) error {
	if s.socket == nil {
		return errNoRoute
	}
	s.socket.ServeHTTP(w, r)
	return nil
}
