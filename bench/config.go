package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Config is one bench run. DefaultConfig gives the defaults `relay bench`
// uses.
type Config struct {
	URL         string // the server, e.g. http://127.0.0.1:8080
	BaseDomain  string // workspace hosts are <subdomain>.<BaseDomain>
	AllowRemote bool   // allow a URL that is not a loopback address
	// MetricsToken is the server's RELAY_METRICS_TOKEN, to read its memory
	// from /metrics; without it the report leaves the server's heap out.
	MetricsToken string

	Users       int     // users created (sockets are spread over them round-robin)
	Channels    int     // channels created
	Subscribers int     // sockets joined to each channel
	Senders     int     // senders, spread over the channels
	Rate        float64 // messages per second per sender; 0: as fast as acks allow
	Inflight    int     // sends per sender awaiting their ack at once
	Duration    time.Duration
	Warmup      time.Duration // sending before the measured window starts
	Size        int           // message body bytes
	Via         string        // "socket" or "http"

	Idle      int    // idle sockets opened before the traffic
	IdleTopic string // what idle sockets join: "workspace" (presence), "user" or "none"

	ServerPID int // the server's pid for RSS and CPU; 0: the process listening on the URL's port

	SetupTimeout    time.Duration // sign-up, users, channels, sockets
	DrainTimeout    time.Duration // after sending stops, waiting for acks and deliveries
	TeardownTimeout time.Duration
	// SetupConcurrency bounds parallel invitation accepts (each costs the
	// server a ~50 ms password hash) and channel creations.
	SetupConcurrency int
	DialConcurrency  int // sockets opened at once
	// SpreadSourceIPs sends each sign-up and invitation accept from its own
	// random 127.0.0.0/8 address: the server limits those to 20 an hour per
	// client IP, which a load test passes in seconds. Loopback URLs only.
	SpreadSourceIPs bool
	DeleteWorkspace bool // delete the workspace at the end

	Log io.Writer // progress lines; nil: none
}

// DefaultConfig returns the defaults of `relay bench`.
func DefaultConfig() Config {
	return Config{
		URL:              "http://127.0.0.1:8080",
		BaseDomain:       "localhost",
		Users:            20,
		Channels:         1,
		Subscribers:      10,
		Senders:          1,
		Rate:             0,
		Inflight:         1,
		Duration:         10 * time.Second,
		Size:             100,
		Via:              "socket",
		IdleTopic:        "workspace",
		SetupTimeout:     5 * time.Minute,
		DrainTimeout:     10 * time.Second,
		TeardownTimeout:  30 * time.Second,
		SetupConcurrency: 4,
		DialConcurrency:  32,
		SpreadSourceIPs:  true,
	}
}

// minBodySize is the smallest body: the marker and a send time.
const minBodySize = 40

// validate checks c and resolves its URL to one loopback IP (unless
// AllowRemote), so that nothing the tool opens can leave the machine.
func (c *Config) validate(ctx context.Context) (*url.URL, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url must be http(s)://host:port, not %q", c.URL)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(ips) == 0 {
		return nil, fmt.Errorf("--url: cannot resolve %q: %v", host, err)
	}
	ip := ips[0].IP
	if !c.AllowRemote {
		for _, a := range ips {
			if !a.IP.IsLoopback() {
				return nil, fmt.Errorf("--url %s resolves to %s, not a loopback address: the tool only loads this machine unless --allow-remote", c.URL, a.IP)
			}
		}
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
	}
	u.Host = net.JoinHostPort(ip.String(), port)
	u.Path, u.RawQuery, u.Fragment = "", "", ""
	if !ip.IsLoopback() {
		c.SpreadSourceIPs = false
	}
	if ip.To4() == nil {
		c.SpreadSourceIPs = false // the 127/8 trick is IPv4's
	}
	switch {
	case c.BaseDomain == "":
		return nil, fmt.Errorf("--base-domain is required")
	case c.Users < 1 || c.Users > 1000:
		return nil, fmt.Errorf("--users must be 1–1000 (a channel takes at most 1000 members at once)")
	case c.Channels < 0 || c.Subscribers < 0 || c.Senders < 0 || c.Idle < 0:
		return nil, fmt.Errorf("--channels, --subscribers, --senders and --idle must not be negative")
	case c.Senders > 0 && c.Channels == 0:
		return nil, fmt.Errorf("--senders needs at least one channel")
	case c.Subscribers > 0 && c.Channels == 0:
		return nil, fmt.Errorf("--subscribers needs at least one channel")
	case c.Senders > 0 && c.Via == "socket" && (c.Channels+c.Senders-1)/c.Senders > 100:
		return nil, fmt.Errorf("each socket sender would join %d channels; a socket joins at most 100: add senders", (c.Channels+c.Senders-1)/c.Senders)
	case c.Rate < 0:
		return nil, fmt.Errorf("--rate must not be negative")
	case c.Inflight < 1 || c.Inflight > 1000:
		return nil, fmt.Errorf("--inflight must be 1–1000")
	case c.Duration <= 0 || c.Warmup < 0:
		return nil, fmt.Errorf("--duration must be positive and --warmup not negative")
	case c.Size < minBodySize || c.Size > 16000:
		return nil, fmt.Errorf("--size must be %d–16000 bytes", minBodySize)
	case c.Via != "socket" && c.Via != "http":
		return nil, fmt.Errorf("--via must be socket or http")
	case c.IdleTopic != "workspace" && c.IdleTopic != "user" && c.IdleTopic != "none":
		return nil, fmt.Errorf("--idle-topic must be workspace, user or none")
	case c.SetupTimeout <= 0 || c.DrainTimeout <= 0 || c.TeardownTimeout <= 0:
		return nil, fmt.Errorf("timeouts must be positive")
	}
	if c.SetupConcurrency < 1 {
		c.SetupConcurrency = 1
	}
	if c.DialConcurrency < 1 {
		c.DialConcurrency = 1
	}
	return u, nil
}

// portOf returns u's port as a number.
func portOf(u *url.URL) int {
	p, _ := strconv.Atoi(u.Port())
	return p
}
