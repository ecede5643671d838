package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"strings"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/ratelimit"
	"github.com/relayhq/relay/internal/secretbox"
)

// Limits bound how often attempts may be made. Zero fields take defaults.
type Limits struct {
	LoginPerIP    int           // login attempts per IP per LoginWindow (default 20)
	LoginPerEmail int           // failed logins per email per LoginWindow (default 10)
	LoginWindow   time.Duration // default 5 minutes
	LoginBackoff  time.Duration // a new device's wait per (IP, email) once the email's failures are spent (default 30 s; auth_device.go)
	SignupPerIP   int           // sign-ups and invitation accepts per IP per hour (default 20)
	LookupPerIP   int           // public workspace look-ups by subdomain per IP per minute (default 30)
}

// Config configures an App. Store and Files are required.
type Config struct {
	Store          Store
	Files          files.Store
	Logger         *slog.Logger
	PasswordParams password.Params // zero: password.Default
	Limits         Limits
	Now            func() time.Time // zero: time.Now
	// Secrets encrypts credentials at rest (connectors) under the server's
	// secret key. Optional until a use case needs it.
	Secrets *secretbox.Box
	// Bus receives events after changes are committed; nil drops them.
	Bus Publisher
	// PostShards is how many sequencer goroutines write messages (channels
	// are spread over them). SQLite has one writer: 1 is right there; on
	// PostgreSQL a few shards commit in parallel. Zero means 1.
	PostShards int
	// Live counts sockets for the dashboard; nil: a LiveCounter (this
	// process only). A cluster passes one backed by shared state.
	Live LiveTracker
	// StatsDebounce coalesces stats:updated per workspace; zero:
	// DefaultStatsDebounce.
	StatsDebounce time.Duration
	// Connectors is the operator's connector and outbox settings.
	Connectors ConnectorsConfig
}

// App runs the use cases. It is safe for concurrent use.
type App struct {
	store  Store
	files  files.Store
	log    *slog.Logger
	ids    *relay.IDGen
	hasher *password.Hasher
	now    func() time.Time
	box    *secretbox.Box
	bus    Publisher
	seq    *sequencer
	access *accessCache
	live   LiveTracker
	stats  *statsDebouncer
	conn   connectorState
	hooks  webhookState // incoming webhook rate limits (webhooks.go)

	loginIP    *ratelimit.Limiter
	loginEmail *ratelimit.Limiter
	login      *loginGuard   // known devices and back-off (auth_device.go)
	msgRates   *messageRates // per-user message rate limit (message_rate.go)
	signupIP   *ratelimit.Limiter
	lookupIP   *ratelimit.Limiter
}

// New returns an App.
func New(c Config) *App {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PasswordParams == (password.Params{}) {
		c.PasswordParams = password.Default
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	l := c.Limits
	if l.LoginPerIP == 0 {
		l.LoginPerIP = 20
	}
	if l.LoginPerEmail == 0 {
		l.LoginPerEmail = 10
	}
	if l.LoginWindow == 0 {
		l.LoginWindow = 5 * time.Minute
	}
	if l.LoginBackoff == 0 {
		l.LoginBackoff = 30 * time.Second
	}
	if l.SignupPerIP == 0 {
		l.SignupPerIP = 20
	}
	if l.LookupPerIP == 0 {
		l.LookupPerIP = 30
	}
	a := &App{
		store:      c.Store,
		files:      c.Files,
		log:        c.Logger,
		ids:        relay.NewIDGen(),
		hasher:     password.NewHasher(c.PasswordParams),
		now:        c.Now,
		box:        c.Secrets,
		bus:        c.Bus,
		loginIP:    ratelimit.New(l.LoginPerIP, l.LoginWindow),
		loginEmail: ratelimit.New(l.LoginPerEmail, l.LoginWindow),
		signupIP:   ratelimit.New(l.SignupPerIP, time.Hour),
		lookupIP:   ratelimit.New(l.LookupPerIP, time.Minute),
	}
	for _, rl := range []*ratelimit.Limiter{a.loginIP, a.loginEmail, a.signupIP, a.lookupIP} {
		rl.Now = c.Now
	}
	a.login = newLoginGuard(c.Secrets, l, c.Now)
	a.msgRates = newMessageRates(c.Now)
	if a.bus == nil {
		a.bus = noPublisher{}
	}
	a.access = newAccessCache(c.Now)
	a.live = c.Live
	if a.live == nil {
		a.live = NewLiveCounter()
	}
	if c.StatsDebounce <= 0 {
		c.StatsDebounce = DefaultStatsDebounce
	}
	a.stats = newStatsDebouncer(c.StatsDebounce)
	c.Connectors.defaults()
	a.conn = connectorState{cfg: c.Connectors, deliverers: map[string]Deliverer{}, wake: make(chan struct{}, 1)}
	a.seq = newSequencer(a, c.PostShards)
	return a
}

// Close stops the message sequencer; posts still queued fail as unavailable.
func (a *App) Close() { a.seq.close() }

// Now returns the current time as stored: UTC, microsecond precision.
func (a *App) Now() time.Time { return a.now().UTC().Truncate(time.Microsecond) }

// Ready reports whether the store answers.
func (a *App) Ready(ctx context.Context) error { return a.store.Ping(ctx) }

// Store returns the store, for wiring (metrics) only.
func (a *App) Store() Store { return a.store }

// tokenPrefix marks Relay secrets so secret scanners can find leaked ones.
const tokenPrefix = "rly_"

// newToken returns a fresh random secret and the hash under which it is stored.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

// hashToken is how secrets are stored and looked up. A fast hash suffices:
// the secrets are 256-bit random, not guessable passwords.
func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// plausibleToken rejects obviously malformed secrets before any lookup.
func plausibleToken(tok string) bool {
	return strings.HasPrefix(tok, tokenPrefix) && len(tok) == len(tokenPrefix)+43
}

func rateLimited(wait time.Duration) error {
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	return &relay.Error{Code: relay.ERATELIMITED, Message: "Too many attempts. Try again later.", RetryAfter: secs}
}
