package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Report is what a run measured. Rates are over the measured window (after
// warm-up, before the drain); totals include the warm-up and the drain.
type Report struct {
	Config    Config `json:"config"`
	Workspace string `json:"workspace"`
	ServerPID int    `json:"-"`

	Setup struct {
		Users    int     `json:"users"`
		Channels int     `json:"channels"`
		Sockets  int     `json:"sockets"` // subscriber and sender sockets
		Seconds  float64 `json:"seconds"`
		// MessageRateLimit is the workspace's per-user message rate limit
		// during the run: "off", which set-up makes it.
		MessageRateLimit string `json:"message_rate_limit"`
	} `json:"setup"`

	Idle *IdleReport `json:"idle,omitempty"`

	Window struct {
		Seconds          float64 `json:"seconds"`
		Sent             int64   `json:"sent"`
		Accepted         int64   `json:"accepted"`
		AcceptedPerSec   float64 `json:"accepted_per_sec"`
		Deliveries       int64   `json:"deliveries"` // message:new received by subscriber sockets
		DeliveriesPerSec float64 `json:"deliveries_per_sec"`
		Echoes           int64   `json:"echoes"` // message:new received by sender sockets
		EchoesPerSec     float64 `json:"echoes_per_sec"`
	} `json:"window"`

	Drain struct {
		Seconds float64 `json:"seconds"`
	} `json:"drain"`

	Totals struct {
		Sent               int64 `json:"sent"`
		Accepted           int64 `json:"accepted"`
		Unacked            int64 `json:"unacked"`
		Deliveries         int64 `json:"deliveries"`
		Echoes             int64 `json:"echoes"`
		ExpectedDeliveries int64 `json:"expected_deliveries"`
		MissingDeliveries  int64 `json:"missing_deliveries"`
	} `json:"totals"`

	AckLatency      Latency `json:"ack_latency"`      // send → ok reply (socket) or 201 (HTTP)
	DeliveryLatency Latency `json:"delivery_latency"` // send → message:new at a subscriber

	Errors        map[string]int64  `json:"errors"`
	ErrorExamples map[string]string `json:"error_examples,omitempty"`
	SocketDrops   int64             `json:"socket_drops"`
	Drops         map[string]int64  `json:"drops,omitempty"`
	DropExamples  map[string]string `json:"drop_examples,omitempty"`

	Server struct {
		PID          int     `json:"pid,omitempty"`
		RSSBeforeKiB int64   `json:"rss_before_kib"` // before the traffic sockets opened
		RSSAfterKiB  int64   `json:"rss_after_kib"`  // at the end of the window
		CPUSeconds   float64 `json:"cpu_seconds"`    // during the window
		CPUPercent   float64 `json:"cpu_percent"`    // of one core, during the window
	} `json:"server"`
	Tool struct {
		CPUSeconds float64 `json:"cpu_seconds"`
		CPUPercent float64 `json:"cpu_percent"`
	} `json:"tool"`
}

// IdleReport is the idle-socket part of a run.
type IdleReport struct {
	Sockets          int     `json:"sockets"`
	Topic            string  `json:"topic"`
	OpenSeconds      float64 `json:"open_seconds"`
	SettleSeconds    float64 `json:"settle_seconds"` // until no frame arrived for 1 s
	FramesReceived   int64   `json:"frames_received"`
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	RSSBeforeKiB     int64   `json:"rss_before_kib"`
	RSSHalfKiB       int64   `json:"rss_half_kib"` // after the first half of the sockets
	RSSAfterKiB      int64   `json:"rss_after_kib"`
	RSSPerSocketKiB  float64 `json:"rss_per_socket_kib"` // (after − before) / sockets
	// RSSPerSocketSecondHalfKiB is (after − half) / the second half's sockets: the marginal cost.
	RSSPerSocketSecondHalfKiB float64 `json:"rss_per_socket_second_half_kib"`
	// From the server's /metrics (Go collector), when it exposes them, over
	// the second half: heap and stack spans in use, which unlike RSS do not
	// include memory freed but not yet returned to the system.
	GoMemPerSocketKiB   float64 `json:"go_mem_per_socket_kib"`
	StackPerSocketKiB   float64 `json:"stack_per_socket_kib"`
	GoroutinesPerSocket float64 `json:"goroutines_per_socket"`
}

// MarshalJSON writes the configuration with snake_case names and
// durations as strings, and without the Log writer.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"url": c.URL, "base_domain": c.BaseDomain, "users": c.Users, "channels": c.Channels,
		"subscribers": c.Subscribers, "senders": c.Senders, "rate": c.Rate, "inflight": c.Inflight,
		"duration": c.Duration.String(), "warmup": c.Warmup.String(), "size": c.Size, "via": c.Via,
		"idle": c.Idle, "idle_topic": c.IdleTopic, "server_pid": c.ServerPID,
	})
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteText writes a human summary.
func (rep *Report) WriteText(w io.Writer) {
	c := rep.Config
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("Relay bench — workspace %s, server pid %d", rep.Workspace, rep.Server.PID)
	p("  setup       %d users, %d channels, %d sockets in %.1f s; message rate limit %s", rep.Setup.Users, rep.Setup.Channels, rep.Setup.Sockets, rep.Setup.Seconds, rep.Setup.MessageRateLimit)
	if id := rep.Idle; id != nil {
		p("  idle        %d sockets joined to %s topics: open %.1f s, settled %.1f s later (%d frames received, server CPU %.1f s)",
			id.Sockets, id.Topic, id.OpenSeconds, id.SettleSeconds, id.FramesReceived, id.ServerCPUSeconds)
		p("              server RSS %s → %s → %s: %.1f KiB per socket overall, %.1f KiB per socket of the second half",
			kib(id.RSSBeforeKiB), kib(id.RSSHalfKiB), kib(id.RSSAfterKiB), id.RSSPerSocketKiB, id.RSSPerSocketSecondHalfKiB)
		p("              second half: Go heap+stacks in use %.1f KiB per socket (stacks %.1f KiB), %.2f goroutines per socket",
			id.GoMemPerSocketKiB, id.StackPerSocketKiB, id.GoroutinesPerSocket)
	}
	if c.Senders > 0 {
		p("  load        %d channels × %d subscribers, %d senders via %s, rate %s, inflight %d, %d-byte bodies",
			c.Channels, c.Subscribers, c.Senders, c.Via, rateText(c.Rate), c.Inflight, c.Size)
		p("  window      %.1f s (after %s warm-up)", rep.Window.Seconds, c.Warmup)
		p("  accepted    %10.0f msgs/s   (%d acked of %d sent)", rep.Window.AcceptedPerSec, rep.Window.Accepted, rep.Window.Sent)
		p("  deliveries  %10.0f /s       (%d to subscribers; %.0f/s echoes to senders)", rep.Window.DeliveriesPerSec, rep.Window.Deliveries, rep.Window.EchoesPerSec)
		p("  ack latency      %s", latText(rep.AckLatency))
		p("  delivery latency %s", latText(rep.DeliveryLatency))
		p("  totals      sent %d, accepted %d, unacked %d, deliveries %d of %d expected (%d missing), drain %.1f s",
			rep.Totals.Sent, rep.Totals.Accepted, rep.Totals.Unacked, rep.Totals.Deliveries, rep.Totals.ExpectedDeliveries,
			rep.Totals.MissingDeliveries, rep.Drain.Seconds)
	}
	p("  server      RSS %s before, %s after; CPU %.1f s (%.0f %% of a core) in the window", kib(rep.Server.RSSBeforeKiB),
		kib(rep.Server.RSSAfterKiB), rep.Server.CPUSeconds, rep.Server.CPUPercent)
	p("  tool        CPU %.1f s (%.0f %% of a core) in the window", rep.Tool.CPUSeconds, rep.Tool.CPUPercent)
	p("  errors      %s", countsText(rep.Errors, rep.ErrorExamples))
	p("  drops       %d %s", rep.SocketDrops, countsText(rep.Drops, rep.DropExamples))
	io.WriteString(w, b.String())
}

func kib(v int64) string {
	if v <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f MiB", float64(v)/1024)
}

func latText(l Latency) string {
	if l.Count == 0 {
		return "(no samples)"
	}
	return fmt.Sprintf("p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms  (mean %.2f, n=%d)", l.P50, l.P95, l.P99, l.Max, l.Mean, l.Count)
}

func countsText(m map[string]int64, ex map[string]string) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s := fmt.Sprintf("%s=%d", k, m[k])
		if e := ex[k]; e != "" {
			s += fmt.Sprintf(" (e.g. %q)", e)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
