package server

import (
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/store"
	"github.com/relayhq/relay/web"
)

// An Option changes how New builds the server. Production passes a logger,
// a version and where to print the start line; everything else exists for
// tests (internal/testserver), which build the same server with faster or
// smaller settings instead of wiring a second copy of it.
type Option func(*options)

type options struct {
	log      *slog.Logger
	version  string
	banner   io.Writer
	listener net.Listener

	db      *store.DB                 // borrowed: not opened, migrated or closed by the server
	store   app.Store                 // what the app uses instead of the database (a fault injector)
	openDB  func() (*store.DB, error) // replaces store.Open + Migrate (tests of the start-up retry)
	backoff [2]time.Duration          // first and longest wait between tries to reach the database

	filesDir       string
	web            *web.App
	webSet         bool
	passwordParams password.Params
	connectors     *app.ConnectorsConfig
	natsSubject    string
	queueLen       int
	queueBytes     int
	noOutbox       bool
	lineRetryWait  time.Duration
	discordBackoff time.Duration
}

// WithLogger sets the logger of every part (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithVersion sets the version reported by logs, /metrics and the API
// (default "dev").
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// WithBanner makes Run print one human line to w once the server is ready:
// the address to open. `relay serve` passes its stdout.
func WithBanner(w io.Writer) Option { return func(o *options) { o.banner = w } }

// WithListener serves on ln instead of listening on Config.Addr. The server
// closes it.
func WithListener(ln net.Listener) Option { return func(o *options) { o.listener = ln } }

// WithDB uses an open, migrated database instead of opening one from the
// configuration. The server does not close it: several servers may share
// one database to act as the nodes of a cluster, or one after another to
// act as a restart.
func WithDB(db *store.DB) Option { return func(o *options) { o.db = db } }

// WithStore makes the app use st (a wrapper of the database that injects
// delays or faults) instead of the database itself; the database still
// decides the engine and the pool metrics.
func WithStore(st app.Store) Option { return func(o *options) { o.store = st } }

// WithDBOpener replaces opening and migrating the configured database:
// tests of the start-up retry pass an opener that fails a few times.
func WithDBOpener(open func() (*store.DB, error)) Option {
	return func(o *options) { o.openDB = open }
}

// WithRetryBackoff bounds the waits between tries to reach the database at
// start (defaults 500 ms, doubling up to 30 s).
func WithRetryBackoff(first, max time.Duration) Option {
	return func(o *options) { o.backoff = [2]time.Duration{first, max} }
}

// WithFilesDir stores files in dir instead of the data folder's files/.
func WithFilesDir(dir string) Option { return func(o *options) { o.filesDir = dir } }

// WithWeb serves app as the browser app; nil serves the page that says how
// to build it. Default: the app built into the binary (web.Build()).
func WithWeb(app *web.App) Option { return func(o *options) { o.web, o.webSet = app, true } }

// WithPasswordParams sets the password hashing cost (tests hash fast).
func WithPasswordParams(p password.Params) Option {
	return func(o *options) { o.passwordParams = p }
}

// WithConnectors replaces the connector and outbox settings derived from
// the configuration (tests shorten the outbox's retries). An empty BaseURL
// still becomes the server's own.
func WithConnectors(c app.ConnectorsConfig) Option {
	return func(o *options) { o.connectors = &c }
}

// WithNATSSubject publishes on subject instead of bus.DefaultSubject, so
// concurrent test clusters on one NATS server never mix.
func WithNATSSubject(subject string) Option { return func(o *options) { o.natsSubject = subject } }

// WithQueues bounds the hub's held events and each socket's outbound queue
// in frames (n) and the socket queue in bytes; zero keeps the defaults.
func WithQueues(n, bytes int) Option {
	return func(o *options) { o.queueLen, o.queueBytes = n, bytes }
}

// WithoutOutbox leaves the outbox workers stopped (tests that deliver by
// hand, or that simulate a crash before delivery).
func WithoutOutbox() Option { return func(o *options) { o.noOutbox = true } }

// WithLINERetryWait sets the LINE connector's first wait between tries of
// an event (default 200 ms).
func WithLINERetryWait(d time.Duration) Option { return func(o *options) { o.lineRetryWait = d } }

// WithDiscordBackoff sets the Discord gateway's first reconnect delay
// (default 1 s).
func WithDiscordBackoff(d time.Duration) Option { return func(o *options) { o.discordBackoff = d } }
