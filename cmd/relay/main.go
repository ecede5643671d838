// Command relay is Relay's one binary: `relay serve` runs the server,
// `relay migrate` applies database migrations, `relay reindex` rebuilds
// the search index, `relay version` prints the
// build. It reads the configuration and hands it to package server, which
// wires the process; nothing imports this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // search dates in any IANA zone, on machines without zoneinfo

	"github.com/relayhq/relay/config"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/server"
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
  relay reindex [flags]   rebuild the search index from the messages and exit
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
	case "serve", "migrate", "reindex":
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
	switch cmd {
	case "migrate":
		err = migrate(ctx, cfg, log, stdout)
	case "reindex":
		err = reindex(ctx, cfg, log, stdout)
	default:
		err = serve(ctx, cfg, log, stdout)
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

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	db, err := server.OpenStore(ctx, cfg, log)
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

// reindex is `relay reindex`: it rebuilds the search index (the
// migration builds it for existing data; this is for repairs and after
// restoring a database by other means). Safe while the server runs.
func reindex(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	db, err := server.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Reindex(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "search index (%s) rebuilt in %s\n", db.Engine(), time.Since(start).Round(time.Millisecond))
	return nil
}

// serve is `relay serve`: the server package builds and runs everything.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	srv, err := server.New(ctx, cfg, server.WithLogger(log), server.WithVersion(Version()), server.WithBanner(stdout))
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		log.Info("stopped while waiting for the database")
		return nil // SIGTERM before the database was reached: nothing to drain
	} else if err != nil {
		return err
	}
	defer srv.Close()
	return srv.Run(ctx)
}
