package bench_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/bench"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
)

// TestRunEndToEnd runs a tiny bench against a whole in-process server
// (SQLite): sign-up, invitation, channel, sockets, socket sends, then HTTP
// sends, and an idle socket, checking that every message is accepted and
// delivered to every subscriber.
func TestRunEndToEnd(t *testing.T) {
	srv := testserver.Start(t, testserver.Config{DB: testdb.SQLite(t)})
	base := func() bench.Config {
		cfg := bench.DefaultConfig()
		cfg.URL, cfg.BaseDomain = srv.URL, testserver.BaseDomain
		cfg.Users, cfg.Channels, cfg.Subscribers, cfg.Senders = 2, 1, 2, 1
		cfg.Duration = time.Second
		cfg.SetupTimeout, cfg.DrainTimeout, cfg.TeardownTimeout = 30*time.Second, 5*time.Second, 5*time.Second
		cfg.ServerPID = -1 // in process: no separate server to read RSS from
		return cfg
	}
	for _, via := range []string{"socket", "http"} {
		t.Run(via, func(t *testing.T) {
			cfg := base()
			cfg.Via = via
			cfg.Inflight = 2
			var log bytes.Buffer
			cfg.Log = &log
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep, err := bench.Run(ctx, cfg)
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, log.String())
			}
			if rep.Totals.Accepted == 0 || rep.Window.AcceptedPerSec <= 0 {
				t.Fatalf("nothing accepted: %+v", rep.Totals)
			}
			if rep.Totals.Unacked != 0 || rep.Totals.Accepted != rep.Totals.Sent {
				t.Errorf("sent %d, accepted %d, unacked %d", rep.Totals.Sent, rep.Totals.Accepted, rep.Totals.Unacked)
			}
			if want := 2 * rep.Totals.Accepted; rep.Totals.Deliveries != want || rep.Totals.MissingDeliveries != 0 {
				t.Errorf("deliveries = %d (missing %d), want %d (2 subscribers)", rep.Totals.Deliveries, rep.Totals.MissingDeliveries, want)
			}
			if rep.DeliveryLatency.Count == 0 || rep.DeliveryLatency.P99 <= 0 || rep.DeliveryLatency.P50 > rep.DeliveryLatency.P99 {
				t.Errorf("delivery latency %+v", rep.DeliveryLatency)
			}
			if rep.AckLatency.Count == 0 {
				t.Errorf("no ack latency samples")
			}
			if rep.Setup.MessageRateLimit != "off" || !strings.Contains(log.String(), "message rate limit off") {
				t.Errorf("the run did not turn the message rate limit off and say so: %q\n%s", rep.Setup.MessageRateLimit, log.String())
			}
			if len(rep.Errors) != 0 || rep.SocketDrops != 0 {
				t.Errorf("errors %v %v, drops %v %v", rep.Errors, rep.ErrorExamples, rep.Drops, rep.DropExamples)
			}
			var out bytes.Buffer
			rep.WriteText(&out)
			if !strings.Contains(out.String(), "accepted") {
				t.Errorf("summary:\n%s", out.String())
			}
			out.Reset()
			if err := rep.WriteJSON(&out); err != nil || !strings.Contains(out.String(), `"deliveries_per_sec"`) {
				t.Errorf("JSON (%v):\n%s", err, out.String())
			}
		})
	}
	t.Run("idle", func(t *testing.T) {
		cfg := base()
		cfg.Channels, cfg.Subscribers, cfg.Senders = 0, 0, 0
		cfg.Idle = 3
		cfg.Duration = 200 * time.Millisecond
		rep, err := bench.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Three sockets on the workspace topic: each sees its presence_state
		// and the diffs of those joining after it.
		if rep.Idle == nil || rep.Idle.Sockets != 3 || rep.Idle.FramesReceived < 3 {
			t.Errorf("idle report %+v", rep.Idle)
		}
		if rep.SocketDrops != 0 || len(rep.Errors) != 0 {
			t.Errorf("errors %v, drops %v", rep.Errors, rep.Drops)
		}
	})
}

func TestRefusesRemoteURL(t *testing.T) {
	cfg := bench.DefaultConfig()
	cfg.URL = "http://192.0.2.1:8080" // TEST-NET-1: never dialled
	_, err := bench.Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a refusal of the non-loopback URL", err)
	}
}
