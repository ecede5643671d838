package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/secretbox"
)

// Limits bound how often attempts may be made. Zero fields take defaults.
type Limits struct {
	LoginPerIP    int           // login attempts per IP per LoginWindow (default 20)
	LoginPerEmail int           // failed logins per email per LoginWindow (default 10)
	LoginWindow   time.Duration // default 5 minutes
	LoginBackoff  time.Duration // a new device's wait per (IP, email) once the email's failures are spent (default 30 s; accounts_device.go)
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

// App is the facade the wiring builds and the transports hold: one field
// per service, each owning one domain's use cases (doc.go has the map).
// Its own methods are the process's lifecycle only. It is safe for
// concurrent use.
//
// The services are named fields, never embedded: embedding would promote
// every use case back onto one struct.
type App struct {
	Accounts   *Accounts
	Messaging  *Messaging
	Webhooks   *Webhooks
	Desk       *Desk
	Connectors *Connectors
	Search     *Search

	k     *kernel
	store Store
}

// New builds the services over one kernel, each after the services it
// uses (doc.go draws the map).
func New(c Config) *App {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	k := &kernel{
		files:  c.Files,
		log:    c.Logger,
		ids:    relay.NewIDGen(),
		now:    c.Now,
		box:    c.Secrets,
		bus:    c.Bus,
		audits: c.Store,
		access: newAccessCache(c.Now),
		outbox: make(chan struct{}, 1),
		rates:  newMessageRates(c.Now),
	}
	if k.bus == nil {
		k.bus = noPublisher{}
	}
	c.Connectors.defaults()
	a := &App{k: k, store: c.Store}
	a.Accounts = newAccounts(k, c.Store, c.PasswordParams, c.Limits)
	a.Messaging = newMessaging(k, c.Store, c.PostShards)
	a.Webhooks = newWebhooks(k, c.Store, a.Messaging, c.Connectors)
	a.Desk = newDesk(k, c.Store, a.Accounts, a.Messaging, a.Webhooks, c.Live, c.StatsDebounce)
	a.Connectors = newConnectors(k, c.Store, a.Messaging, c.Connectors)
	a.Search = newSearch(k, c.Store, a.Desk)
	return a
}

// Close stops the message sequencer; posts still queued fail as unavailable.
func (a *App) Close() { a.Messaging.seq.close() }

// Now returns the current time as stored: UTC, microsecond precision.
func (a *App) Now() time.Time { return a.k.Now() }

// Ready reports whether the store answers.
func (a *App) Ready(ctx context.Context) error { return a.store.Ping(ctx) }

// Store returns the store, for wiring (metrics) only.
func (a *App) Store() Store { return a.store }
