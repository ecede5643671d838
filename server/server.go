package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/bus"
	"github.com/relayhq/relay/config"
	"github.com/relayhq/relay/connectors/discord"
	"github.com/relayhq/relay/connectors/line"
	"github.com/relayhq/relay/connectors/webhook"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/httpapi"
	"github.com/relayhq/relay/internal/secretbox"
	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/realtime"
	"github.com/relayhq/relay/socket"
	"github.com/relayhq/relay/store"
	"github.com/relayhq/relay/web"
)

// Server is one Relay process: every part, wired. New builds it and starts
// serving HTTP; Run starts the background work and blocks until its
// context ends, then drains; Close releases what is left.
type Server struct {
	cfg     config.Config
	o       options
	log     *slog.Logger
	baseURL string

	db       *store.DB
	bus      bus.Bus
	app      *app.App
	hub      *realtime.Hub
	presence *realtime.Presence
	sock     *socket.Handler
	phoenix  *phoenix.Server
	http     *httpapi.Server
	line     *line.Connector
	discord  *discord.Bot // nil unless a shared Discord bot is configured

	ln       net.Listener
	srv      *http.Server
	handler  swapHandler // httpapi.Starting until the database is reached, then the API
	serveErr chan error
	debug    *http.Server // nil unless Config.DebugAddr is set
	metrics  swapHandler  // the debug listener's /metrics

	closers   []func() // run in reverse order by Close
	closeOnce sync.Once
}

// New builds the whole server from cfg: database (opened and migrated
// unless WithDB), files, secret box, bus, realtime hub and presence, app,
// connectors (webhooks, LINE, the shared Discord bot), socket layer,
// Phoenix server and HTTP API, and starts serving HTTP on Config.Addr (or
// the WithListener listener). It serves as soon as it listens: until the
// database answers (New waits for PostgreSQL, retrying with backoff, until
// ctx ends) /healthz is 200 and everything else 503. Background work starts
// with Run. On error everything built so far is released.
func New(ctx context.Context, cfg config.Config, opts ...Option) (_ *Server, err error) {
	s := &Server{cfg: cfg, serveErr: make(chan error, 1)}
	s.o.version = "dev"
	s.o.backoff = [2]time.Duration{500 * time.Millisecond, 30 * time.Second}
	for _, opt := range opts {
		opt(&s.o)
	}
	if s.o.log == nil {
		s.o.log = slog.Default()
	}
	s.log = s.o.log
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	generated, err := s.cfg.EnsureSecretKey()
	if err != nil {
		return nil, err
	}
	if generated {
		s.log.Info("generated a new secret key in the data folder; back it up with the database", "data_dir", s.cfg.DataDir)
	}
	box, err := secretbox.New(s.cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	filesDir := s.o.filesDir
	if filesDir == "" {
		filesDir = s.cfg.FilesDir()
	}
	fs, err := files.NewDisk(filesDir)
	if err != nil {
		return nil, err
	}

	// The listener comes before the app: the app's base URL carries the
	// port, which may be chosen by the system (:0).
	if s.ln = s.o.listener; s.ln == nil {
		if s.ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
	}
	s.defer_(func() { _ = s.ln.Close() })
	withPort := s.cfg
	withPort.Addr = s.ln.Addr().String()
	s.baseURL = withPort.BaseURL()
	if err := s.startDebug(); err != nil {
		return nil, err
	}
	// Serve at once: while the database is out of reach, probes and
	// browsers get answers (/healthz 200, /readyz 503) instead of a refused
	// connection.
	s.handler.set(httpapi.Starting())
	s.serve(&s.handler)

	if err := s.openDB(ctx); err != nil {
		return nil, err
	}
	if err := s.wire(box, fs); err != nil {
		return nil, err
	}
	s.handler.set(s.http)
	return s, nil
}

// openDB opens and migrates the configured database, unless one was given.
// PostgreSQL that cannot be reached (down, not yet started, migrating
// elsewhere) is tried again with a growing wait, each failure logged, until
// it answers or ctx ends; SQLite's failures are local and final.
func (s *Server) openDB(ctx context.Context) error {
	if s.o.db != nil {
		s.db = s.o.db
		return nil
	}
	open, retry := s.o.openDB, true
	if open == nil {
		open = func() (*store.DB, error) { return OpenStore(ctx, s.cfg, s.log) }
		retry = s.cfg.DatabaseURL != ""
	}
	wait := s.o.backoff[0]
	for attempt := 1; ; attempt++ {
		db, err := open()
		if err == nil {
			s.db = db
			s.defer_(func() { _ = db.Close() })
			if attempt > 1 {
				s.log.Info("database reached", "attempts", attempt)
			}
			return nil
		}
		if !retry {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for the database: %w", ctx.Err())
		}
		s.log.Warn("database not reachable; retrying", "err", err, "attempt", attempt,
			"retry_in", wait.String(), "addr", s.Addr())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for the database: %w", ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, s.o.backoff[1])
	}
}

// swapHandler serves whichever handler was set last.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// OpenStore opens the configured database and applies its migrations
// (`relay migrate`, and `relay serve` at start).
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), Logger: log,
		SearchIndexDelay: cfg.SearchIndexDelay})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// wire builds everything above the database.
func (s *Server) wire(box *secretbox.Box, fs files.Store) error {
	cfg, log := s.cfg, s.log

	// The event path: the app publishes on the bus after commit; every
	// node's bus subscription hands events to the app (access cache), its
	// hub (fan-out to sockets) and the socket layer (access changes,
	// statuses).
	s.bus = bus.NewMemory()
	var nb *bus.NATS
	if cfg.NATSURL != "" {
		subject := s.o.natsSubject
		if subject == "" {
			subject = bus.DefaultSubject
		}
		var err error
		if nb, err = bus.NewNATS(cfg.NATSURL, subject, log); err != nil {
			return fmt.Errorf("nats: %w", err)
		}
		s.bus = nb
	}
	b := s.bus
	s.defer_(func() { _ = b.Close() })
	s.hub = realtime.NewHub(realtime.Options{Encode: phoenix.EncodeBroadcast, Logger: log, QueueLen: s.o.queueLen})
	s.presence = realtime.NewPresence(s.hub)

	conns := app.ConnectorsConfig{BaseURL: s.baseURL,
		LINESharedSecret: cfg.LINESharedSecret, LINESharedToken: cfg.LINESharedToken, LINESharedBotID: cfg.LINESharedBotID,
		DiscordBotToken: cfg.DiscordBotToken, DiscordApplicationID: cfg.DiscordAppID, DiscordClientSecret: cfg.DiscordClientSecret,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate, OutboxLease: cfg.OutboxLease}
	if s.o.connectors != nil {
		conns = *s.o.connectors
		if conns.BaseURL == "" {
			conns.BaseURL = s.baseURL
		}
	}
	shards := 1 // SQLite has one writer
	if s.db.Engine() == store.EnginePostgres {
		shards = 4
	}
	var st app.Store = s.db
	if s.o.store != nil {
		st = s.o.store
	}
	s.app = app.New(app.Config{Store: st, Files: fs, Logger: log, Secrets: box, Bus: b, PostShards: shards,
		PasswordParams: s.o.passwordParams, Connectors: conns})
	s.defer_(s.app.Close)

	s.app.Connectors.RegisterDeliverer(relay.ConnectorWebhook, webhook.NewDeliverer(webhook.Config{AllowPrivate: conns.WebhookAllowPrivate}))
	s.line = line.New(s.app.Connectors, line.Config{APIURL: cfg.LINEAPIURL, DataAPIURL: cfg.LINEDataAPIURL,
		SharedSecret: conns.LINESharedSecret, SharedToken: conns.LINESharedToken, Logger: log, RetryWait: s.o.lineRetryWait})
	s.line.Register(s.app.Connectors)
	if cfg.DiscordBotToken != "" {
		bot, err := discord.New(discord.Config{BotToken: cfg.DiscordBotToken, ApplicationID: cfg.DiscordAppID,
			ClientSecret: cfg.DiscordClientSecret, BaseURL: conns.BaseURL, APIURL: cfg.DiscordAPIURL,
			GatewayURL: cfg.DiscordGatewayURL, MinBackoff: s.o.discordBackoff, Logger: log}, s.app.Connectors)
		if err != nil {
			return fmt.Errorf("discord: %w", err)
		}
		s.discord = bot
		s.defer_(func() { _ = bot.Close() })
		s.app.Connectors.SetDiscordDirectory(bot)
		s.app.Connectors.RegisterDeliverer(relay.ConnectorDiscord, bot)
	}

	s.sock = socket.New(s.app, s.hub, s.presence, log)
	a, hub, sock := s.app, s.hub, s.sock
	unsubscribe, err := b.Subscribe(func(ev relay.Event) {
		a.Messaging.Observe(ev) // first: drop stale access answers before anyone acts on the event
		hub.Dispatch(ev)
		sock.Observe(ev)
	})
	if err != nil {
		return fmt.Errorf("bus subscribe: %w", err)
	}
	s.defer_(unsubscribe)
	if nb != nil {
		// NATS delivers at most once: after a gap, sockets rejoin and catch up.
		nb.OnGap(sock.Resync)
	}
	s.phoenix = &phoenix.Server{Handler: sock, Hub: hub, Presence: s.presence, Logger: log,
		QueueLen: s.o.queueLen, QueueBytes: s.o.queueBytes}

	webApp := s.o.web
	if !s.o.webSet {
		webApp = web.Build()
		if !webApp.Built() {
			log.Warn("the web app was not built into this binary; pages say how to build it (make run)")
		}
	}
	metrics := httpapi.NewMetrics(s.o.version, s.db.Pools())
	s.metrics.set(metrics.Handler())
	s.http = httpapi.New(httpapi.Config{App: s.app, BaseDomain: cfg.BaseDomain, Logger: log, Metrics: metrics,
		MetricsToken: cfg.MetricsToken, TrustProxy: cfg.TrustProxy, Version: s.o.version, Socket: s.phoenix, Web: webApp, LINE: s.line,
		Discord: discordHooks(s.discord), Incoming: webhook.NewReceiver(s.app.Webhooks)})
	return nil
}

// discordHooks keeps a nil *discord.Bot from becoming a non-nil interface.
func discordHooks(b *discord.Bot) httpapi.DiscordHooks {
	if b == nil {
		return nil
	}
	return b
}

// serve starts the HTTP server on the listener.
func (s *Server) serve(h http.Handler) {
	s.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv, ln := s.srv, s.ln
	go func() { s.serveErr <- srv.Serve(ln) }()
}

// startDebug serves Go's profiles and the metrics on Config.DebugAddr, a
// listener of its own, never the public one.
func (s *Server) startDebug() error {
	if s.cfg.DebugAddr == "" {
		return nil
	}
	dln, err := net.Listen("tcp", s.cfg.DebugAddr)
	if err != nil {
		return fmt.Errorf("debug listener: %w", err)
	}
	s.metrics.set(httpapi.Starting()) // until the database, and so the pool metrics, are there
	s.debug = &http.Server{Handler: debugMux(&s.metrics), ReadHeaderTimeout: 10 * time.Second}
	dsrv := s.debug
	go func() { _ = dsrv.Serve(dln) }()
	s.log.Info("debug listening: pprof and metrics", "addr", dln.Addr().String())
	return nil
}

// Run starts the background work (outbox, janitor, the Discord gateway,
// the socket layer's watchers), says where the server answers, and blocks
// until ctx ends or the HTTP server fails. Then it drains as SIGTERM asks:
// sockets closed, in-flight requests finished (within
// Config.ShutdownTimeout), background work stopped, queued LINE events
// processed. Call Close afterwards.
func (s *Server) Run(ctx context.Context) error {
	wctx, stop := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	goBG := func(f func(context.Context)) {
		bg.Add(1)
		go func() { defer bg.Done(); f(wctx) }()
	}
	goBG(func(ctx context.Context) { s.app.RunJanitor(ctx, time.Hour) })
	if !s.o.noOutbox {
		goBG(s.app.Connectors.RunOutbox)
	}
	if s.discord != nil {
		// The gateway listener: one per process. Several processes each
		// receive every Discord message; posts are idempotent by the
		// Discord message id, so each lands once.
		goBG(func(ctx context.Context) {
			if err := s.discord.Run(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("discord gateway stopped", "err", err)
			}
		})
	}
	goBG(s.sock.Run)
	defer func() { stop(); bg.Wait() }()

	s.log.Info("relay listening", "addr", s.Addr(), "base_domain", s.cfg.BaseDomain,
		"database", s.db.Engine(), "version", s.o.version)
	if s.o.banner != nil {
		// Besides the JSON logs, one line a person reads.
		fmt.Fprintf(s.o.banner, "Relay is running: open %s\n", s.baseURL)
	}

	select {
	case err := <-s.serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: draining in-flight requests", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// Sockets are hijacked connections that http.Server.Shutdown does not
	// see: close them (staggered), then drain HTTP.
	var errs []error
	if err := s.phoenix.Shutdown(sctx); err != nil {
		s.log.Warn("closing sockets", "err", err)
		errs = append(errs, fmt.Errorf("closing sockets: %w", err))
	}
	if err := s.srv.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("shutdown: %w", err))
	}
	stop()
	bg.Wait()
	// LINE events acknowledged but still queued are processed before exit.
	if err := s.line.Close(sctx); err != nil {
		s.log.Warn("closing the LINE connector", "err", err)
	}
	s.log.Info("stopped")
	return errors.Join(errs...)
}

// Close releases everything New built, in reverse order: HTTP and debug
// listeners, bus subscription, Discord bot, app (the sequencer), bus and
// the database (unless it was given with WithDB). It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// First stop answering, so no request meets a closed part.
		if s.srv != nil {
			_ = s.srv.Close()
		}
		if s.debug != nil {
			_ = s.debug.Close()
		}
		for i := len(s.closers) - 1; i >= 0; i-- {
			s.closers[i]()
		}
	})
}

// defer_ registers fn to run on Close, before what was registered earlier.
func (s *Server) defer_(fn func()) { s.closers = append(s.closers, fn) }

// Addr is the address the server listens on (host:port).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// BaseURL is the apex's address: Config.PublicURL, or derived from the base
// domain and the listening port.
func (s *Server) BaseURL() string { return s.baseURL }

// The parts, for tests and tools that drive them directly.

func (s *Server) App() *app.App                { return s.app }
func (s *Server) Hub() *realtime.Hub           { return s.hub }
func (s *Server) Presence() *realtime.Presence { return s.presence }
func (s *Server) Socket() *socket.Handler      { return s.sock }
func (s *Server) Phoenix() *phoenix.Server     { return s.phoenix }
func (s *Server) HTTP() *httpapi.Server        { return s.http }
func (s *Server) LINE() *line.Connector        { return s.line }
func (s *Server) Discord() *discord.Bot        { return s.discord } // nil unless configured
func (s *Server) Bus() bus.Bus                 { return s.bus }
func (s *Server) DB() *store.DB                { return s.db }
