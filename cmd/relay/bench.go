package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/relayhq/relay/bench"
)

const benchUsage = `Usage: relay bench [flags]

Drives a RUNNING Relay server over its REST API and socket and measures it:
it signs up a fresh workspace, creates users, channels and sockets, sends
for --duration, then prints accepted messages/s, deliveries/s, latency,
errors, socket drops and the server's RSS. It talks only to loopback
addresses unless --allow-remote. See docs/perf.md for the scenarios.

Flags:
`

// runBench is `relay bench`: it returns the exit code (0: the run happened,
// whatever it measured; 1: setup failed; 2: bad flags).
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := bench.DefaultConfig()
	fs := flag.NewFlagSet("relay bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.URL, "url", cfg.URL, "the server's address")
	fs.StringVar(&cfg.BaseDomain, "base-domain", cfg.BaseDomain, "the server's base domain: workspace hosts are <subdomain>.<base-domain>")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a --url that is not a loopback address")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "the server's RELAY_METRICS_TOKEN, to report its memory from /metrics")
	fs.IntVar(&cfg.Users, "users", cfg.Users, "users to create (1–1000); sockets are spread over them")
	fs.IntVar(&cfg.Channels, "channels", cfg.Channels, "channels to create")
	fs.IntVar(&cfg.Subscribers, "subscribers", cfg.Subscribers, "sockets joined to each channel")
	fs.IntVar(&cfg.Senders, "senders", cfg.Senders, "senders, spread over the channels (0: no traffic)")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "messages per second per sender (0: as fast as acks allow)")
	fs.IntVar(&cfg.Inflight, "inflight", cfg.Inflight, "sends per sender awaiting their ack at once")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "the measured window")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "sending before the measured window")
	fs.IntVar(&cfg.Size, "size", cfg.Size, "message body bytes (40–16000)")
	fs.StringVar(&cfg.Via, "via", cfg.Via, "send path: socket (message:send) or http (POST, keep-alive)")
	fs.IntVar(&cfg.Idle, "idle", 0, "idle sockets to open first; reports the server's RSS per socket")
	fs.StringVar(&cfg.IdleTopic, "idle-topic", cfg.IdleTopic, "what idle sockets join: workspace (with presence), user or none")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "the server's pid, for RSS and CPU (default: the process listening on --url's port)")
	fs.DurationVar(&cfg.SetupTimeout, "setup-timeout", cfg.SetupTimeout, "time allowed for setup")
	fs.DurationVar(&cfg.DrainTimeout, "drain-timeout", cfg.DrainTimeout, "time allowed for outstanding acks and deliveries after sending stops")
	fs.DurationVar(&cfg.TeardownTimeout, "teardown-timeout", cfg.TeardownTimeout, "time allowed for closing everything")
	fs.IntVar(&cfg.SetupConcurrency, "setup-concurrency", cfg.SetupConcurrency, "parallel invitation accepts and channel creations")
	fs.IntVar(&cfg.DialConcurrency, "dial-concurrency", cfg.DialConcurrency, "sockets opened at once")
	fs.BoolVar(&cfg.SpreadSourceIPs, "spread-source-ips", cfg.SpreadSourceIPs, "send each sign-up and accept from its own 127/8 address (the server allows 20 an hour per IP)")
	fs.BoolVar(&cfg.DeleteWorkspace, "delete-workspace", false, "delete the workspace at the end")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "relay bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !*quiet {
		cfg.Log = stderr
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "relay bench: %v\n", err)
		return 1
	}
	if *asJSON {
		if err := rep.WriteJSON(stdout); err != nil {
			return 1
		}
	} else {
		rep.WriteText(stdout)
	}
	return 0
}
