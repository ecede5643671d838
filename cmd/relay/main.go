// Command relay is Relay's one binary: `relay serve` runs the server,
// `relay migrate` applies database migrations, `relay version` prints the
// build. Everything is wired here from configuration; nothing imports this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
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
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/secretbox"
	"github.com/relayhq/relay/phoenix"
	"github.com/relayhq/relay/realtime"
	"github.com/relayhq/relay/socket"
	"github.com/relayhq/relay/store"
	"github.com/relayhq/relay/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Relay — a multi-tenant conversation hub.

Usage:
  relay serve   [flags]   run the server (migrates the database first)
  relay migrate [flags]   apply database migrations and exit
  relay bench   [flags]   load-test a running server (see docs/perf.md)
  relay version           print the version

Run "relay serve -h" for the flags; each has a RELAY_* environment variable.
`

// Run is the whole program: it returns the exit code. ctx ending (SIGTERM,
// SIGINT) drains the server and returns 0.
func Run(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "relay", Version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "serve", "migrate":
	default:
		fmt.Fprintf(stderr, "relay: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	cfg, warnings, err := config.Load(cmd, rest, getenv, environ, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintf(stderr, "relay %s: %v\n", cmd, err)
		return 2
	}
	log := logging.New(stderr, cfg.LogLevel)
	for _, w := range warnings {
		log.Warn(w)
	}
	if cmd == "migrate" {
		err = migrate(ctx, cfg, log, stdout)
	} else {
		err = serve(ctx, cfg, log)
	}
	if err != nil {
		log.Error("relay "+cmd+" failed", "err", err)
		return 1
	}
	return 0
}

// Version returns the build's version: the -ldflags value, else the
// module version or VCS revision recorded by the Go toolchain, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database (%s) at migration version %d\n", db.Engine(), v)
	return nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	generated, err := cfg.EnsureSecretKey()
	if err != nil {
		return err
	}
	if generated {
		log.Info("generated a new secret key in the data folder; back it up with the database", "data_dir", cfg.DataDir)
	}
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	fs, err := files.NewDisk(cfg.FilesDir())
	if err != nil {
		return err
	}

	box, err := secretbox.New(cfg.SecretKey)
	if err != nil {
		return err
	}

	// The event path: app publishes on the bus after commit; every node's
	// bus subscription hands events to its hub (fan-out to sockets) and to
	// the socket layer (access changes, statuses).
	var b bus.Bus = bus.NewMemory()
	var nb *bus.NATS
	if cfg.NATSURL != "" {
		if nb, err = bus.NewNATS(cfg.NATSURL, bus.DefaultSubject, log); err != nil {
			return fmt.Errorf("nats: %w", err)
		}
		b = nb
	}
	defer b.Close()
	hub := realtime.NewHub(realtime.Options{Encode: phoenix.EncodeBroadcast, Logger: log})
	presence := realtime.NewPresence(hub)

	shards := 1 // SQLite has one writer
	if db.Engine() == store.EnginePostgres {
		shards = 4
	}
	a := app.New(app.Config{Store: db, Files: fs, Logger: log, Secrets: box, Bus: b, PostShards: shards,
		Connectors: app.ConnectorsConfig{BaseURL: cfg.BaseURL(),
			LINESharedSecret: cfg.LINESharedSecret, LINESharedToken: cfg.LINESharedToken, LINESharedBotID: cfg.LINESharedBotID,
			DiscordBotToken: cfg.DiscordBotToken, DiscordApplicationID: cfg.DiscordAppID, DiscordClientSecret: cfg.DiscordClientSecret,
			WebhookAllowPrivate: cfg.WebhookAllowPrivate, OutboxLease: cfg.OutboxLease}})
	defer a.Close()
	a.RegisterDeliverer(relay.ConnectorWebhook, webhook.NewDeliverer(webhook.Config{AllowPrivate: cfg.WebhookAllowPrivate}))
	lineConn := line.New(a, line.Config{APIURL: cfg.LINEAPIURL, DataAPIURL: cfg.LINEDataAPIURL,
		SharedSecret: cfg.LINESharedSecret, SharedToken: cfg.LINESharedToken, Logger: log})
	lineConn.Register(a)
	var discordBot *discord.Bot
	if cfg.DiscordBotToken != "" {
		if discordBot, err = discord.New(discord.Config{BotToken: cfg.DiscordBotToken, ApplicationID: cfg.DiscordAppID,
			ClientSecret: cfg.DiscordClientSecret, BaseURL: cfg.BaseURL(), APIURL: cfg.DiscordAPIURL,
			GatewayURL: cfg.DiscordGatewayURL, Logger: log}, a); err != nil {
			return fmt.Errorf("discord: %w", err)
		}
		defer discordBot.Close()
		a.SetDiscordDirectory(discordBot)
		a.RegisterDeliverer(relay.ConnectorDiscord, discordBot)
	}
	sock := socket.New(a, hub, presence, log)
	unsubscribe, err := b.Subscribe(func(ev relay.Event) {
		a.Observe(ev) // first: drop stale access answers before anyone acts on the event
		hub.Dispatch(ev)
		sock.Observe(ev)
	})
	if err != nil {
		return fmt.Errorf("bus subscribe: %w", err)
	}
	defer unsubscribe()
	if nb != nil {
		// NATS delivers at most once: after a gap, sockets rejoin and catch up.
		nb.OnGap(sock.Resync)
	}
	ps := &phoenix.Server{Handler: sock, Hub: hub, Presence: presence, Logger: log}

	webApp := web.Build()
	if !webApp.Built() {
		log.Warn("the web app was not built into this binary; pages say how to build it (make run)")
	}
	metrics := httpapi.NewMetrics(Version(), db.Pools())
	h := httpapi.New(httpapi.Config{App: a, BaseDomain: cfg.BaseDomain, Logger: log, Metrics: metrics,
		TrustProxy: cfg.TrustProxy, Version: Version(), Socket: ps, Web: webApp, LINE: lineConn, Discord: discordHooks(discordBot),
		Incoming: webhook.NewReceiver(a)})

	if cfg.DebugAddr != "" {
		dln, err := net.Listen("tcp", cfg.DebugAddr)
		if err != nil {
			return fmt.Errorf("debug listener: %w", err)
		}
		dsrv := &http.Server{Handler: debugMux(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = dsrv.Serve(dln) }()
		defer dsrv.Close()
		log.Info("pprof listening", "addr", dln.Addr().String())
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("relay listening", "addr", ln.Addr().String(), "base_domain", cfg.BaseDomain,
		"database", db.Engine(), "version", Version())

	jctx, stopJanitor := context.WithCancel(ctx)
	defer stopJanitor()
	go a.RunJanitor(jctx, time.Hour)
	go a.RunOutbox(jctx)
	if discordBot != nil {
		// The gateway listener: one per process. Several processes each
		// receive every Discord message; posts are idempotent by the
		// Discord message id, so each lands once.
		go func() {
			if err := discordBot.Run(jctx); err != nil && jctx.Err() == nil {
				log.Error("discord gateway stopped", "err", err)
			}
		}()
	}
	go sock.Run(jctx)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Sockets are hijacked connections that http.Server.Shutdown does not
	// see: close them (staggered), then drain HTTP.
	if err := ps.Shutdown(sctx); err != nil {
		log.Warn("closing sockets", "err", err)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// LINE events acknowledged but still queued are processed before exit.
	if err := lineConn.Close(sctx); err != nil {
		log.Warn("closing the LINE connector", "err", err)
	}
	log.Info("stopped")
	return nil
}

// discordHooks keeps a nil *discord.Bot from becoming a non-nil interface.
func discordHooks(b *discord.Bot) httpapi.DiscordHooks {
	if b == nil {
		return nil
	}
	return b
}
