package line

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/relayhq/relay"
)

// Default base URLs of the LINE platform.
const (
	DefaultAPIURL     = "https://api.line.me"
	DefaultDataAPIURL = "https://api-data.line.me"
)

// Credential keys of an own-bot connector.
const (
	CredChannelSecret = "channel_secret"
	CredAccessToken   = "access_token"
)

// Relay is what the connector needs from the application: its Connectors
// service (*app.Connectors).
type Relay interface {
	// ReceiveExternal posts an outside message; a redelivered message id
	// posts nothing new.
	ReceiveExternal(ctx context.Context, in relay.ExternalIn) (*relay.Message, error)
	// DeleteExternal deletes the Relay copy of an outside message (LINE's
	// unsend).
	DeleteExternal(ctx context.Context, c *relay.Connector, externalMessageID string) error
	SetContactState(ctx context.Context, c *relay.Connector, externalID, state string) error
	// MarkHookEvent records a webhook event id; fresh is false for a
	// redelivery.
	MarkHookEvent(ctx context.Context, c *relay.Connector, eventID string) (fresh bool, err error)
	// ConnectorForHook finds a connector by the id in its webhook URL, with
	// its opened credentials.
	ConnectorForHook(ctx context.Context, id relay.ID) (*relay.Connector, map[string]string, error)
	// JoinShared links an outside user to the workspace whose shared
	// connector has the join code (ENOTFOUND: no such code).
	JoinShared(ctx context.Context, typ, code string, who relay.ExternalContact) (*relay.Connector, error)
	// SharedRoute finds the shared connector an outside user is linked to
	// (ENOTFOUND: none).
	SharedRoute(ctx context.Context, typ, externalUserID string) (*relay.Connector, error)
	// ReportConnectorHealth marks the connector errored with err's text
	// (nil: active again), shown to admins.
	ReportConnectorHealth(ctx context.Context, c *relay.Connector, err error)
}

// Config configures a Connector. Zero values take the defaults.
type Config struct {
	// APIURL and DataAPIURL are the LINE platform's base URLs (the Messaging
	// API and its content host); tests point them at linefake.
	APIURL     string
	DataAPIURL string
	// SharedSecret and SharedToken are the operator's shared bot (channel
	// secret and channel access token); empty: no shared bot.
	SharedSecret string
	SharedToken  string
	// HTTPClient calls LINE (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Workers process queued events (default 4); events of one LINE
	// conversation always go to the same worker, so they keep their order.
	Workers int
	// QueueSize bounds the events waiting for a worker (default 1024); a
	// webhook that does not fit is refused with 503 so LINE redelivers it.
	QueueSize int
	// MaxContentBytes bounds a media file fetched from LINE (default 20 MiB);
	// larger files are noted in the message, not stored.
	MaxContentBytes int64
	// Attempts is how many times a worker tries an event whose processing
	// fails for a passing reason (default 3), waiting RetryWait, then four
	// times as long, between tries (default 200 ms).
	Attempts  int
	RetryWait time.Duration
}

func (c *Config) defaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.DataAPIURL == "" {
		c.DataAPIURL = DefaultDataAPIURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 1024
	}
	if c.MaxContentBytes <= 0 {
		c.MaxContentBytes = 20 << 20
	}
	if c.Attempts <= 0 {
		c.Attempts = 3
	}
	if c.RetryWait <= 0 {
		c.RetryWait = 200 * time.Millisecond
	}
}

// Connector serves LINE webhooks and delivers to LINE. It is safe for
// concurrent use; Close stops its workers.
type Connector struct {
	relay Relay
	cfg   Config
	log   *slog.Logger
	queue *queue
	names *nameCache

	ctx    context.Context // cancelled by Close after the drain deadline
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a Connector with its workers running.
func New(r Relay, cfg Config) *Connector {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	c := &Connector{relay: r, cfg: cfg, log: cfg.Logger.With("connector", "line"),
		queue: newQueue(cfg.Workers, cfg.QueueSize), names: newNameCache(4096, time.Hour),
		ctx: ctx, cancel: cancel}
	for i := range cfg.Workers {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.work(i)
		}()
	}
	return c
}

// Close stops taking events, lets the workers finish the queued ones until
// ctx is done, then cancels what is left and waits for the workers.
func (c *Connector) Close(ctx context.Context) error {
	c.queue.close()
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		c.cancel()
		return nil
	case <-ctx.Done():
		c.cancel()
		<-done
		return ctx.Err()
	}
}

// Deliverer returns the outbox deliverer for kind "line".
func (c *Connector) Deliverer() relay.Deliverer { return relay.DeliverFunc(c.deliver) }

// Register makes c deliver the outbox rows of LINE connectors and check
// own-bot tokens with LINE when they are entered (LINEBotInfo); a is the
// app's Connectors service (*app.Connectors).
func (c *Connector) Register(a interface {
	RegisterDeliverer(kind string, d relay.Deliverer)
	SetLINEVerifier(v relay.LINEVerifier)
}) {
	a.RegisterDeliverer(relay.ConnectorLINE, c.Deliverer())
	a.SetLINEVerifier(c)
}

// token is the channel access token a connector sends with.
func (c *Connector) token(conn *relay.Connector, creds map[string]string) string {
	if conn.Model == relay.ModelShared {
		return c.cfg.SharedToken
	}
	return creds[CredAccessToken]
}
