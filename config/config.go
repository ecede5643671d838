// Package config reads Relay's configuration from flags and RELAY_*
// environment variables (flags win), applies defaults, and validates it
// with messages that say which setting is wrong and how to fix it. It never
// logs or prints secrets.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is everything `relay serve` and `relay migrate` need.
type Config struct {
	Addr        string // --addr, RELAY_ADDR
	DataDir     string // --data, RELAY_DATA_DIR
	BaseDomain  string // --base-domain, RELAY_BASE_DOMAIN
	DatabaseURL string // --database-url, RELAY_DATABASE_URL ("" = SQLite in DataDir)
	NATSURL     string // --nats-url, RELAY_NATS_URL ("" = in-process bus, one node)
	DebugAddr   string // --debug-addr, RELAY_DEBUG_ADDR ("" = off): pprof and /metrics on their own listener
	// MetricsToken, when set, serves /metrics on the main listener to
	// requests bearing it; "" leaves /metrics off the main listener (404).
	MetricsToken    string        // --metrics-token, RELAY_METRICS_TOKEN
	SecretKey       string        // --secret-key, RELAY_SECRET_KEY ("" = generated into DataDir)
	LogLevel        string        // --log-level, RELAY_LOG_LEVEL
	TrustProxy      bool          // --trust-proxy, RELAY_TRUST_PROXY
	ShutdownTimeout time.Duration // --shutdown-timeout, RELAY_SHUTDOWN_TIMEOUT

	// PublicURL is the apex's address as the outside sees it (webhook URLs
	// given to LINE, Discord's OAuth redirect); "" derives
	// http://<base-domain>:<port>.
	PublicURL string // --public-url, RELAY_PUBLIC_URL

	// Connectors (docs/connectors.md): the operator's shared bots and the
	// outside systems' base URLs (tests point them at local fakes).
	LINESharedSecret    string // RELAY_LINE_SHARED_SECRET
	LINESharedToken     string // RELAY_LINE_SHARED_TOKEN
	LINESharedBotID     string // RELAY_LINE_SHARED_BOT_ID, e.g. @123abcde
	LINEAPIURL          string // RELAY_LINE_API_URL
	LINEDataAPIURL      string // RELAY_LINE_DATA_API_URL
	DiscordBotToken     string // RELAY_DISCORD_BOT_TOKEN
	DiscordAppID        string // RELAY_DISCORD_APPLICATION_ID
	DiscordClientSecret string // RELAY_DISCORD_CLIENT_SECRET
	DiscordAPIURL       string // RELAY_DISCORD_API_URL
	DiscordGatewayURL   string // RELAY_DISCORD_GATEWAY_URL
	WebhookAllowPrivate bool   // RELAY_WEBHOOK_ALLOW_PRIVATE
	// OutboxLease is how long a claimed outbox row is one worker's before
	// another process may take it over (a crashed worker's rows wait this long).
	OutboxLease time.Duration // --outbox-lease, RELAY_OUTBOX_LEASE

	// SearchIndexDelay is how long SQLite lets writes gather before it
	// indexes them for search in one batch (store/search_queue.go).
	SearchIndexDelay time.Duration // --search-index-delay, RELAY_SEARCH_INDEX_DELAY
}

// Default returns the embedded defaults: SQLite and files under ./relay-data,
// served on :8080 for *.localhost.
func Default() Config {
	return Config{Addr: ":8080", DataDir: "./relay-data", BaseDomain: "localhost", LogLevel: "info",
		ShutdownTimeout: 15 * time.Second,
		LINEAPIURL:      "https://api.line.me", LINEDataAPIURL: "https://api-data.line.me",
		DiscordAPIURL: "https://discord.com/api/v9", OutboxLease: 2 * time.Minute,
		SearchIndexDelay: 200 * time.Millisecond}
}

type setting struct {
	flag, env, usage string
	secret           bool // redacted in messages
	str              *string
	boolean          *bool
	dur              *time.Duration
}

func (c *Config) settings() []setting {
	return []setting{
		{flag: "addr", env: "RELAY_ADDR", usage: "address to listen on, host:port", str: &c.Addr},
		{flag: "data", env: "RELAY_DATA_DIR", usage: "data folder: SQLite file, uploaded files, generated secret key", str: &c.DataDir},
		{flag: "base-domain", env: "RELAY_BASE_DOMAIN", usage: "domain whose subdomains are workspaces (acme.<base-domain>)", str: &c.BaseDomain},
		{flag: "database-url", env: "RELAY_DATABASE_URL", usage: "postgres://… URL; empty uses SQLite in the data folder", str: &c.DatabaseURL},
		{flag: "nats-url", env: "RELAY_NATS_URL", usage: "nats://… URL of the bus that joins several nodes; empty runs one node with an in-process bus", str: &c.NATSURL},
		{flag: "secret-key", env: "RELAY_SECRET_KEY", usage: "key that encrypts stored secrets (32+ characters); generated into the data folder if empty", str: &c.SecretKey},
		{flag: "debug-addr", env: "RELAY_DEBUG_ADDR", usage: "host:port for Go's pprof profiles and /metrics (keep it private); empty: off", str: &c.DebugAddr},
		{flag: "metrics-token", env: "RELAY_METRICS_TOKEN", usage: "serve /metrics on the main listener to requests with \"Authorization: Bearer <token>\" (16+ characters); empty: /metrics only on --debug-addr", str: &c.MetricsToken, secret: true},
		{flag: "log-level", env: "RELAY_LOG_LEVEL", usage: "debug, info, warn or error", str: &c.LogLevel},
		{flag: "trust-proxy", env: "RELAY_TRUST_PROXY", usage: "trust X-Forwarded-For/-Proto from a reverse proxy", boolean: &c.TrustProxy},
		{flag: "shutdown-timeout", env: "RELAY_SHUTDOWN_TIMEOUT", usage: "how long SIGTERM waits for in-flight requests", dur: &c.ShutdownTimeout},
		{flag: "public-url", env: "RELAY_PUBLIC_URL", usage: "the apex's public address, e.g. https://relay.example; empty: http://<base-domain>:<port>", str: &c.PublicURL},
		{flag: "line-shared-secret", env: "RELAY_LINE_SHARED_SECRET", usage: "channel secret of the shared LINE bot", str: &c.LINESharedSecret, secret: true},
		{flag: "line-shared-token", env: "RELAY_LINE_SHARED_TOKEN", usage: "channel access token of the shared LINE bot", str: &c.LINESharedToken, secret: true},
		{flag: "line-shared-bot-id", env: "RELAY_LINE_SHARED_BOT_ID", usage: "basic id of the shared LINE bot (like @123abcde), for join links", str: &c.LINESharedBotID},
		{flag: "line-api-url", env: "RELAY_LINE_API_URL", usage: "base URL of LINE's Messaging API", str: &c.LINEAPIURL},
		{flag: "line-data-api-url", env: "RELAY_LINE_DATA_API_URL", usage: "base URL of LINE's content (data) API", str: &c.LINEDataAPIURL},
		{flag: "discord-bot-token", env: "RELAY_DISCORD_BOT_TOKEN", usage: "token of the shared Discord bot", str: &c.DiscordBotToken, secret: true},
		{flag: "discord-application-id", env: "RELAY_DISCORD_APPLICATION_ID", usage: "application (client) id of the shared Discord bot", str: &c.DiscordAppID},
		{flag: "discord-client-secret", env: "RELAY_DISCORD_CLIENT_SECRET", usage: "OAuth2 client secret of the shared Discord bot", str: &c.DiscordClientSecret, secret: true},
		{flag: "discord-api-url", env: "RELAY_DISCORD_API_URL", usage: "base URL of Discord's REST API (with its version)", str: &c.DiscordAPIURL},
		{flag: "discord-gateway-url", env: "RELAY_DISCORD_GATEWAY_URL", usage: "Discord gateway URL; empty: the one the REST API names", str: &c.DiscordGatewayURL},
		{flag: "outbox-lease", env: "RELAY_OUTBOX_LEASE", usage: "how long a delivery in progress is one worker's before another may retry it", dur: &c.OutboxLease},
		{flag: "search-index-delay", env: "RELAY_SEARCH_INDEX_DELAY", usage: "SQLite: how long new and edited messages gather before they are indexed for search in one batch (a search indexes what is waiting first)", dur: &c.SearchIndexDelay},
		{flag: "webhook-allow-private", env: "RELAY_WEBHOOK_ALLOW_PRIVATE", usage: "let outgoing webhooks reach private, loopback and link-local addresses", boolean: &c.WebhookAllowPrivate},
	}
}

// Known lists the environment variables Relay reads.
func Known() []string {
	var c Config
	var out []string
	for _, s := range c.settings() {
		out = append(out, s.env)
	}
	return out
}

// Load builds the configuration of one subcommand from defaults, then the
// environment (getenv, usually os.Getenv), then args. It returns
// flag.ErrHelp after printing usage for -h.
func Load(name string, args []string, getenv func(string) string, environ []string, stderr io.Writer) (Config, []string, error) {
	c := Default()
	var warnings []string
	for _, s := range c.settings() {
		v := getenv(s.env)
		if v == "" {
			continue
		}
		if err := s.set(v); err != nil {
			return c, nil, fmt.Errorf("%s=%q: %v", s.env, redact(s, v), err)
		}
	}
	known := map[string]bool{}
	for _, k := range Known() {
		known[k] = true
	}
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "RELAY_") && !known[k] && !strings.HasPrefix(k, "RELAY_TEST_") {
			warnings = append(warnings, fmt.Sprintf("unknown environment variable %s is ignored", k))
		}
	}
	sort.Strings(warnings)

	fs := flag.NewFlagSet("relay "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range c.settings() {
		switch {
		case s.str != nil:
			fs.StringVar(s.str, s.flag, *s.str, s.usage+" ("+s.env+")")
		case s.boolean != nil:
			fs.BoolVar(s.boolean, s.flag, *s.boolean, s.usage+" ("+s.env+")")
		case s.dur != nil:
			fs.DurationVar(s.dur, s.flag, *s.dur, s.usage+" ("+s.env+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	if fs.NArg() > 0 {
		return c, nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, warnings, c.Validate()
}

func (s setting) set(v string) error {
	switch {
	case s.str != nil:
		*s.str = v
	case s.boolean != nil:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		*s.boolean = b
	case s.dur != nil:
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New("must be a duration like 15s or 1m")
		}
		*s.dur = d
	}
	return nil
}

func redact(s setting, v string) string {
	if s.env == "RELAY_SECRET_KEY" || s.secret {
		return "…"
	}
	if s.env == "RELAY_DATABASE_URL" || s.env == "RELAY_NATS_URL" {
		return RedactURL(v)
	}
	return v
}

// RedactURL hides a URL's password, for logs and messages.
func RedactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

var labelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate checks every setting and returns all problems at once.
func (c *Config) Validate() error {
	var errs []string
	bad := func(f string, args ...any) { errs = append(errs, fmt.Sprintf(f, args...)) }

	if host, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr %q must be host:port, like :8080 or 127.0.0.1:8080", c.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("--addr %q has an invalid port", c.Addr)
	} else if host != "" && net.ParseIP(host) == nil && !labelRE.MatchString(strings.Split(host, ".")[0]) {
		bad("--addr %q has an invalid host", c.Addr)
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			bad("--debug-addr %q must be host:port, like 127.0.0.1:6060", c.DebugAddr)
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("--data must name a folder")
	}
	c.BaseDomain = strings.ToLower(strings.TrimSuffix(c.BaseDomain, "."))
	if c.BaseDomain == "" || len(c.BaseDomain) > 200 {
		bad("--base-domain must be a domain name, like localhost or relay.example")
	} else {
		for _, l := range strings.Split(c.BaseDomain, ".") {
			if !labelRE.MatchString(l) {
				bad("--base-domain %q is not a valid domain name", c.BaseDomain)
				break
			}
		}
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		switch {
		case err != nil:
			bad("--database-url cannot be parsed as a URL")
		case u.Scheme != "postgres" && u.Scheme != "postgresql":
			bad("--database-url must start with postgres:// (leave it empty for SQLite); got scheme %q", u.Scheme)
		case u.Host == "" && u.Query().Get("host") == "":
			bad("--database-url %q names no host", RedactURL(c.DatabaseURL))
		}
	}
	if c.NATSURL != "" {
		u, err := url.Parse(c.NATSURL)
		if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Host == "" {
			bad("--nats-url must look like nats://host:4222; got %q", RedactURL(c.NATSURL))
		}
	}
	for _, u := range []struct{ name, v string }{{"--public-url", c.PublicURL}, {"--line-api-url", c.LINEAPIURL},
		{"--line-data-api-url", c.LINEDataAPIURL}, {"--discord-api-url", c.DiscordAPIURL}} {
		if u.v == "" && u.name == "--public-url" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			bad("%s must be an http(s) URL; got %q", u.name, u.v)
		}
	}
	if c.DiscordGatewayURL != "" {
		if p, err := url.Parse(c.DiscordGatewayURL); err != nil || (p.Scheme != "ws" && p.Scheme != "wss") || p.Host == "" {
			bad("--discord-gateway-url must be a ws(s):// URL; got %q", c.DiscordGatewayURL)
		}
	}
	if (c.LINESharedSecret == "") != (c.LINESharedToken == "") {
		bad("the shared LINE bot needs both RELAY_LINE_SHARED_SECRET and RELAY_LINE_SHARED_TOKEN")
	}
	if c.LINESharedSecret != "" && c.LINESharedBotID == "" {
		bad("the shared LINE bot needs RELAY_LINE_SHARED_BOT_ID (its basic id, like @123abcde) for join links")
	}
	if c.DiscordBotToken != "" && c.DiscordAppID == "" {
		bad("the shared Discord bot needs RELAY_DISCORD_APPLICATION_ID as well as its token")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		bad("--metrics-token must be at least 16 characters (try: openssl rand -hex 16)")
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		bad("--secret-key must be at least 32 characters (try: openssl rand -hex 32)")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("--log-level must be debug, info, warn or error; got %q", c.LogLevel)
	}
	if c.OutboxLease < time.Second || c.OutboxLease > time.Hour {
		bad("--outbox-lease must be between 1s and 1h")
	}
	if c.SearchIndexDelay < time.Millisecond || c.SearchIndexDelay > 24*time.Hour {
		bad("--search-index-delay must be between 1ms and 24h")
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > 10*time.Minute {
		bad("--shutdown-timeout must be between 1ns and 10m")
	}
	if len(errs) > 0 {
		return errors.New("invalid configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return nil
}

// BaseURL is PublicURL, or the apex derived from the base domain and the
// listening port.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	_, port, _ := net.SplitHostPort(c.Addr)
	if port == "" || port == "80" {
		return "http://" + c.BaseDomain
	}
	return "http://" + c.BaseDomain + ":" + port
}

// SQLitePath is where the embedded database lives.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "relay.db") }

// FilesDir is where uploaded files live on disk.
func (c *Config) FilesDir() string { return filepath.Join(c.DataDir, "files") }

// EnsureSecretKey fills SecretKey from DataDir/secret.key, generating that
// file (mode 0600) on first start. It reports whether a key was generated.
func (c *Config) EnsureSecretKey() (bool, error) {
	if c.SecretKey != "" {
		return false, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return false, fmt.Errorf("data folder: %w", err)
	}
	p := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(p); err == nil {
		k := strings.TrimSpace(string(b))
		if len(k) < 32 {
			return false, fmt.Errorf("%s holds a key shorter than 32 characters; fix or delete it", p)
		}
		c.SecretKey = k
		return false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("read secret key: %w", err)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return false, err
	}
	k := hex.EncodeToString(b[:])
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("write secret key: %w", err)
	}
	if _, err := f.WriteString(k + "\n"); err != nil {
		f.Close()
		return false, fmt.Errorf("write secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("write secret key: %w", err)
	}
	c.SecretKey = k
	return true, nil
}
