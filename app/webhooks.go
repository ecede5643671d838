package app

import (
	"context"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/ratelimit"
	"github.com/relayhq/relay/internal/ssrf"
)

// Webhooks owns automation over HTTP: outgoing subscriptions and their
// delivery log, the events they carry (enqueued into the outbox, which the
// Connectors' workers deliver), and incoming webhook URLs that post into a
// channel (webhooks*.go). It uses Messaging; the Desk uses it to announce
// ticket events.
type Webhooks struct {
	*kernel
	store webhookStore
	msg   *Messaging
	cfg   ConnectorsConfig // the base URL and the SSRF guard's setting
	hooks webhookState
}

func newWebhooks(k *kernel, st webhookStore, msg *Messaging, cfg ConnectorsConfig) *Webhooks {
	return &Webhooks{kernel: k, store: st, msg: msg, cfg: cfg}
}

// webhookStore is what Webhooks is handed: WebhookStore and the
// workspace lookup for its URLs.
type webhookStore interface {
	WebhookStore
	WorkspaceByID(ctx context.Context, id relay.ID) (*relay.Workspace, error)
}

// Limits of the webhook use cases.
const (
	MaxSubscriptions       = 25 // per workspace: each event is one outbox row per subscription
	MaxIncomingWebhooks    = 25 // per channel
	IncomingWebhookBurst   = 60 // posts per token per IncomingWebhookWindow
	IncomingWebhookWindow  = time.Minute
	maxWebhookDescription  = 200
	maxIncomingWebhookName = 80
	defaultDeliveriesPage  = 50
	maxDeliveriesPage      = 200
)

// webhookState is the Webhooks service's rate limit state; its zero value
// is ready.
type webhookState struct {
	once     sync.Once
	incoming *ratelimit.Limiter // posts per incoming webhook token
	// resolver overrides DNS for the creation-time URL check (tests).
	resolver ssrf.Resolver
}

func (a *Webhooks) incomingLimiter() *ratelimit.Limiter {
	a.hooks.once.Do(func() {
		a.hooks.incoming = ratelimit.New(IncomingWebhookBurst, IncomingWebhookWindow)
		a.hooks.incoming.Now = a.now
	})
	return a.hooks.incoming
}

// webhookGuard is the SSRF guard under the operator's setting.
func (a *Webhooks) webhookGuard() ssrf.Guard {
	return ssrf.Guard{AllowPrivate: a.cfg.WebhookAllowPrivate, Resolver: a.hooks.resolver}
}
