// Package testserver runs Relay's whole server in process for tests: store
// (from testdb or any *store.DB), app, bus (in-memory or NATS), realtime hub
// and presence, the socket handler, the Phoenix server and the HTTP API, on a
// real loopback listener, built by package server exactly as `relay serve`
// builds them (with test options: fast password hashing, fakes of LINE and
// Discord, small queues). Several
// stacks may share one database (and one NATS subject) to act as the nodes
// of a cluster, and a stack can be stopped and another started on the same
// database to act as a restart.
//
// Requests choose their tenant by Host (<sub>.relay.test) while dialling
// 127.0.0.1, like a deployment behind DNS wildcards.
//
// This package is for tests only; production code must never import it.
package testserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/bus"
	"github.com/relayhq/relay/config"
	"github.com/relayhq/relay/connectors/discord"
	"github.com/relayhq/relay/connectors/line"
	"github.com/relayhq/relay/httpapi"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/realtime"
	"github.com/relayhq/relay/server"
	"github.com/relayhq/relay/socket"
	"github.com/relayhq/relay/store"
	"github.com/relayhq/relay/web"
)

// BaseDomain is the base domain a stack serves unless Config.BaseDomain
// says otherwise.
const BaseDomain = "relay.test"

// Config configures a Stack. DB is required.
type Config struct {
	DB *store.DB
	// FilesDir is where files go; empty: a temporary folder.
	FilesDir string
	// SecretKey, when set, keys the secret box (a restarted stack on the
	// same database must open what the first one sealed); empty: random.
	SecretKey string
	// Store, if set, is what the app uses instead of DB (a wrapper that
	// injects delays or faults); DB still decides the engine and metrics.
	Store app.Store
	// NATSURL selects the NATS bus on NATSSubject (both required together);
	// empty means a private in-memory bus, as `relay serve` without NATS.
	NATSURL, NATSSubject string
	// QueueLen bounds the hub's held events and each socket's outbound
	// queue, in frames; QueueBytes bounds the socket queue in bytes. Zero
	// keeps the production defaults.
	QueueLen, QueueBytes int
	// Log receives the server's debug-level JSON logs; nil discards them.
	Log io.Writer
	// Web is the browser app to serve (web.Build() for browser tests); nil
	// serves the "not built" page.
	Web *web.App
	// BaseDomain is the base domain to serve; empty means BaseDomain
	// ("relay.test"). Browser tests use "localhost", which Chromium
	// resolves (with every subdomain) to the loopback address.
	BaseDomain string
	// Connectors configures connectors and the outbox (shared bots, fast
	// retries). BaseURL, when empty, becomes http://<base-domain>:<port>
	// of the stack.
	Connectors app.ConnectorsConfig
	// LINEAPIURL and LINEDataAPIURL point the LINE connector at a fake
	// (connectors/line/linefake); empty: LINE's real hosts (never reached
	// unless a test sends LINE events).
	LINEAPIURL, LINEDataAPIURL string
	// DiscordAPIURL points the shared Discord bot at a fake
	// (connectors/discord/discordfake); the bot runs only when this and
	// Connectors.DiscordBotToken are set.
	DiscordAPIURL string
	// NoOutbox leaves the outbox workers stopped (tests that drive
	// App.DeliverDue themselves, or that simulate a crash before delivery).
	NoOutbox bool
}

// Stack is one running node.
type Stack struct {
	App      *app.App
	Hub      *realtime.Hub
	Presence *realtime.Presence
	Socket   *socket.Handler
	Phoenix  *phoenix.Server
	HTTP     *httpapi.Server
	LINE     *line.Connector
	Discord  *discord.Bot // nil unless configured
	Bus      bus.Bus
	DB       *store.DB

	URL  string // http://127.0.0.1:<port>
	Addr string // 127.0.0.1:<port>
	// BaseDomain is the base domain the stack serves (Config.BaseDomain or
	// the package's BaseDomain).
	BaseDomain string

	tb       testing.TB
	stopOnce sync.Once
	stop     func()
}

// Start runs a stack and stops it when the test ends. It is the server
// package's New with the options tests need, so a stack is wired exactly as
// `relay serve` is.
func Start(tb testing.TB, cfg Config) *Stack {
	tb.Helper()
	if cfg.DB == nil {
		tb.Fatal("testserver: Config.DB is required")
	}
	w := cfg.Log
	if w == nil {
		w = io.Discard
	}
	s := &Stack{tb: tb, DB: cfg.DB, BaseDomain: cfg.BaseDomain}
	if s.BaseDomain == "" {
		s.BaseDomain = BaseDomain
	}
	tb.Cleanup(s.Stop)

	sc := config.Default()
	sc.Addr = "127.0.0.1:0"
	sc.DataDir = tb.TempDir()
	sc.BaseDomain = s.BaseDomain
	sc.LogLevel = "debug"
	sc.NATSURL = cfg.NATSURL
	sc.SecretKey = cfg.SecretKey
	if sc.SecretKey == "" {
		sc.SecretKey = rand.Text() + rand.Text()
	}
	sc.LINEAPIURL, sc.LINEDataAPIURL = cfg.LINEAPIURL, cfg.LINEDataAPIURL
	// The shared Discord bot runs only against a fake.
	if conns := cfg.Connectors; conns.DiscordBotToken != "" && cfg.DiscordAPIURL != "" {
		sc.DiscordBotToken, sc.DiscordAppID, sc.DiscordClientSecret = conns.DiscordBotToken, conns.DiscordApplicationID, conns.DiscordClientSecret
		sc.DiscordAPIURL = cfg.DiscordAPIURL
	}
	filesDir := cfg.FilesDir
	if filesDir == "" {
		filesDir = tb.TempDir()
	}
	opts := []server.Option{
		server.WithLogger(logging.New(w, "debug")),
		server.WithVersion("test"),
		server.WithDB(cfg.DB),
		server.WithFilesDir(filesDir),
		server.WithWeb(cfg.Web),
		server.WithPasswordParams(password.Params{Memory: 64, Time: 1, Threads: 1}), // fast hashing, for tests
		server.WithConnectors(cfg.Connectors),
		server.WithNATSSubject(cfg.NATSSubject),
		server.WithQueues(cfg.QueueLen, cfg.QueueBytes),
		server.WithLINERetryWait(10 * time.Millisecond),
		server.WithDiscordBackoff(10 * time.Millisecond),
	}
	if cfg.Store != nil {
		opts = append(opts, server.WithStore(cfg.Store))
	}
	if cfg.NoOutbox {
		opts = append(opts, server.WithoutOutbox())
	}
	srv, err := server.New(context.Background(), sc, opts...)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	s.App, s.Hub, s.Presence, s.Socket, s.Phoenix = srv.App(), srv.Hub(), srv.Presence(), srv.Socket(), srv.Phoenix()
	s.HTTP, s.LINE, s.Discord, s.Bus = srv.HTTP(), srv.LINE(), srv.Discord(), srv.Bus()
	s.Addr = srv.Addr()
	s.URL = "http://" + s.Addr

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	s.stop = func() {
		// As `relay serve` on SIGTERM: sockets closed, HTTP drained,
		// background work stopped; then everything released but the
		// database.
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("testserver: %v", err)
		}
		srv.Close()
	}
	return s
}

// Stop shuts the stack down as `relay serve` does on SIGTERM: sockets
// closed, HTTP drained, background work stopped, the sequencer and the bus
// closed. The database stays open. Stop is idempotent.
func (s *Stack) Stop() {
	s.stopOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
	})
}

// Subject returns a NATS subject of its own, so concurrent runs never mix.
func Subject() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "relay.test." + hex.EncodeToString(b[:])
}

// Response is an HTTP response read whole.
type Response struct {
	Status int
	Body   []byte
}

// Decode decodes the body into v.
func (r Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("testserver: decode %s: %v", r.Body, err)
	}
}

// Host returns the Host header of a workspace subdomain ("" for the apex)
// on the default BaseDomain.
func Host(sub string) string { return hostOn(BaseDomain, sub) }

// Host returns the Host header of a workspace subdomain ("" for the apex)
// on the stack's base domain.
func (s *Stack) Host(sub string) string { return hostOn(s.BaseDomain, sub) }

func hostOn(base, sub string) string {
	if sub == "" {
		return base
	}
	return sub + "." + base
}

// Do sends a request to the workspace sub ("" for the apex) with a bearer
// token (if any) and fails the test if it cannot be sent. body is nil or
// anything json.Marshal takes.
func (s *Stack) Do(tb testing.TB, method, sub, path, token string, body any) Response {
	tb.Helper()
	r, err := s.TryDo(method, sub, path, token, body)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	return r
}

// TryDo is Do for goroutines other than the test's: it returns the error.
func (s *Stack) TryDo(method, sub, path, token string, body any) (Response, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return Response{}, err
	}
	req.Host = s.Host(sub)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return Response{Status: resp.StatusCode, Body: b}, nil
}

// Must is Do that fails the test unless the status is want, and decodes the
// body into out (if not nil).
func (s *Stack) Must(tb testing.TB, want int, method, sub, path, token string, body, out any) {
	tb.Helper()
	r := s.Do(tb, method, sub, path, token, body)
	if r.Status != want {
		tb.Fatalf("%s %s: status %d, want %d; body: %s", method, path, r.Status, want, r.Body)
	}
	if out != nil {
		r.Decode(tb, out)
	}
}

// Account is one person signed in to one workspace.
type Account struct {
	Sub, Email, Password, Token string
	UserID, WorkspaceID         relay.ID
	Name                        string
}

type authResult struct {
	Token     string           `json:"token"`
	User      *relay.User      `json:"user"`
	Workspace *relay.Workspace `json:"workspace"`
}

// Signup creates the workspace sub and returns its owner.
func (s *Stack) Signup(tb testing.TB, sub string) Account {
	tb.Helper()
	a := Account{Sub: sub, Email: "owner@" + sub + ".example", Password: "owner-password", Name: "Owner of " + sub}
	var res authResult
	s.Must(tb, http.StatusCreated, "POST", "", "/api/v1/signup", "", map[string]string{
		"workspace_name": "Workspace " + sub, "subdomain": sub, "email": a.Email, "password": a.Password,
		"display_name": a.Name}, &res)
	a.Token, a.UserID, a.WorkspaceID = res.Token, res.User.ID, res.Workspace.ID
	return a
}

// Invite adds a person with role to by's workspace (invitation and accept)
// and returns them signed in.
func (s *Stack) Invite(tb testing.TB, by Account, name string, role relay.Role) Account {
	tb.Helper()
	a := Account{Sub: by.Sub, Email: name + "@" + by.Sub + ".example", Password: name + "-password", Name: name}
	var inv struct {
		Token string `json:"token"`
	}
	s.Must(tb, http.StatusCreated, "POST", by.Sub, "/api/v1/invites", by.Token,
		map[string]string{"email": a.Email, "role": string(role)}, &inv)
	var res authResult
	s.Must(tb, http.StatusCreated, "POST", by.Sub, "/api/v1/invites/"+inv.Token+"/accept", "",
		map[string]string{"display_name": name, "password": a.Password}, &res)
	a.Token, a.UserID, a.WorkspaceID = res.Token, res.User.ID, by.WorkspaceID
	return a
}

// Login opens another session for a and returns it.
func (s *Stack) Login(tb testing.TB, a Account) Account {
	tb.Helper()
	var res authResult
	s.Must(tb, http.StatusOK, "POST", a.Sub, "/api/v1/auth/login", "",
		map[string]string{"email": a.Email, "password": a.Password}, &res)
	a.Token = res.Token
	return a
}

// General returns the id of the workspace's #general channel.
func (s *Stack) General(tb testing.TB, a Account) relay.ID {
	tb.Helper()
	var res struct {
		Channels []relay.Channel `json:"channels"`
	}
	s.Must(tb, http.StatusOK, "GET", a.Sub, "/api/v1/channels", a.Token, nil, &res)
	for _, c := range res.Channels {
		if c.Name == "general" {
			return c.ID
		}
	}
	tb.Fatalf("testserver: no #general in %s", a.Sub)
	return 0
}

// CreateChannel creates a channel of kind with the given members besides a.
func (s *Stack) CreateChannel(tb testing.TB, a Account, name string, kind relay.ChannelKind, members ...relay.ID) relay.ID {
	tb.Helper()
	var c relay.Channel
	s.Must(tb, http.StatusCreated, "POST", a.Sub, "/api/v1/channels", a.Token,
		map[string]any{"name": name, "kind": kind, "user_ids": members}, &c)
	return c.ID
}

// SetMessageRate sets the per-user message rate limit of a's workspace (a
// must be its owner); 0 turns it off. Tests that post faster than people
// do (load, floods, seeding) turn it off, as the load tool does.
func (s *Stack) SetMessageRate(tb testing.TB, a Account, rate, burst int) {
	tb.Helper()
	s.Must(tb, http.StatusOK, "PATCH", a.Sub, "/api/v1/workspace", a.Token,
		map[string]int{"message_rate": rate, "message_burst": burst}, nil)
}

// Post sends a message over HTTP and returns it as stored.
func (s *Stack) Post(tb testing.TB, a Account, channel relay.ID, body string) relay.Message {
	tb.Helper()
	return s.PostInput(tb, a, channel, app.PostInput{Body: body})
}

// PostInput sends a message with every option over HTTP.
func (s *Stack) PostInput(tb testing.TB, a Account, channel relay.ID, in app.PostInput) relay.Message {
	tb.Helper()
	var m relay.Message
	s.Must(tb, http.StatusCreated, "POST", a.Sub, "/api/v1/channels/"+channel.String()+"/messages", a.Token, in, &m)
	return m
}

// Channel returns the channel as a sees it.
func (s *Stack) Channel(tb testing.TB, a Account, id relay.ID) relay.Channel {
	tb.Helper()
	var c relay.Channel
	s.Must(tb, http.StatusOK, "GET", a.Sub, "/api/v1/channels/"+id.String(), a.Token, nil, &c)
	return c
}

// NATSURL is the test NATS server (internal/testenv).
func NATSURL(tb testing.TB) string { tb.Helper(); return testenv.NATSURL(tb) }
