package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/ratelimit"
	"github.com/relayhq/relay/internal/ssrf"
)

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

// subscriptionAAD binds a subscription's sealed secret to it; the outbox
// worker opens it with the same (outgoing).
func subscriptionAAD(id relay.ID) string { return "webhook:" + id.String() }

// --- outgoing subscriptions ---

// SubscriptionInput creates an outgoing webhook (POST /webhooks).
type SubscriptionInput struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
}

// CreatedSubscription is a new subscription with its signing secret, shown
// this once.
type CreatedSubscription struct {
	relay.WebhookSubscription
	Secret string `json:"secret"`
}

// normalizeEvents checks and de-duplicates event names (sorted).
func normalizeEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, relay.Errorf(relay.EINVALID, "events is required: one or more of %s.", strings.Join(relay.WebhookEvents, ", "))
	}
	out := []string{}
	for _, e := range events {
		e = strings.TrimSpace(e)
		if !slices.Contains(relay.WebhookEvents, e) {
			return nil, relay.Errorf(relay.EINVALID, "Unknown event %q: events are %s.", truncate(e, 40), strings.Join(relay.WebhookEvents, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out, nil
}

// CheckWebhookURL checks an outgoing webhook URL: absolute http(s), and
// (unless the operator allows private addresses) resolving only to public
// addresses.
func (a *Webhooks) CheckWebhookURL(ctx context.Context, raw string) error {
	if err := a.webhookGuard().CheckURL(ctx, strings.TrimSpace(raw)); err != nil {
		var ue *ssrf.URLError
		if errors.As(err, &ue) {
			return relay.Errorf(relay.EINVALID, "%s", ue.Msg)
		}
		return err
	}
	return nil
}

// CreateSubscription adds an outgoing webhook to the actor's workspace
// (owner or admin). Its secret is returned once and kept sealed.
func (a *Webhooks) CreateSubscription(ctx context.Context, actor *relay.Actor, in SubscriptionInput) (*CreatedSubscription, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	u := strings.TrimSpace(in.URL)
	if u == "" {
		return nil, relay.Errorf(relay.EINVALID, "url is required.")
	}
	events, err := normalizeEvents(in.Events)
	if err != nil {
		return nil, err
	}
	desc, err := normalizeText("description", in.Description, maxWebhookDescription)
	if err != nil {
		return nil, err
	}
	if err := a.CheckWebhookURL(ctx, u); err != nil {
		return nil, err
	}
	list, err := a.store.Subscriptions(ctx, actor.Workspace.ID)
	if err != nil {
		return nil, err
	}
	if len(list) >= MaxSubscriptions {
		return nil, relay.Errorf(relay.ECONFLICT, "A workspace has at most %d outgoing webhooks; delete one first.", MaxSubscriptions)
	}
	secret, _ := newToken()
	s := &relay.WebhookSubscription{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, URL: u, Events: events, Description: desc,
		Active: true, CreatedBy: actor.User.ID, CreatedAt: a.Now()}
	if s.Secrets, err = a.SealSecrets(subscriptionAAD(s.ID), map[string]string{"secret": secret}); err != nil {
		return nil, err
	}
	if err := a.store.CreateSubscription(ctx, s); err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditWebhookCreated, relay.AuditTargetWebhook, s.ID, map[string]any{"url": s.URL, "events": s.Events})
	return &CreatedSubscription{WebhookSubscription: *s, Secret: secret}, nil
}

// Subscriptions lists the workspace's outgoing webhooks (owner or admin);
// secrets are never returned.
func (a *Webhooks) Subscriptions(ctx context.Context, actor *relay.Actor) ([]relay.WebhookSubscription, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	list, err := a.store.Subscriptions(ctx, actor.Workspace.ID)
	if list == nil && err == nil {
		list = []relay.WebhookSubscription{}
	}
	return list, err
}

func (a *Webhooks) subscription(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.WebhookSubscription, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	s, err := a.store.Subscription(ctx, actor.Workspace.ID, id)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Errorf(relay.ENOTFOUND, "relay.Outgoing webhook not found.")
	}
	return s, err
}

// DeleteSubscription removes an outgoing webhook with its pending
// deliveries and its log.
func (a *Webhooks) DeleteSubscription(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	s, err := a.subscription(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := a.store.DeleteSubscription(ctx, actor.Workspace.ID, s.ID); err != nil {
		return err
	}
	a.audit(ctx, actor, relay.AuditWebhookDeleted, relay.AuditTargetWebhook, s.ID, map[string]any{"url": s.URL})
	return nil
}

// SubscriptionDeliveries lists a subscription's delivery attempts, newest
// first (the delivery log; owner or admin).
func (a *Webhooks) SubscriptionDeliveries(ctx context.Context, actor *relay.Actor, id relay.ID, limit int) ([]relay.WebhookDelivery, error) {
	s, err := a.subscription(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = defaultDeliveriesPage
	case limit < 0 || limit > maxDeliveriesPage:
		return nil, relay.Errorf(relay.EINVALID, "limit must be between 1 and %d.", maxDeliveriesPage)
	}
	list, err := a.store.Deliveries(ctx, actor.Workspace.ID, s.ID, limit)
	if list == nil && err == nil {
		list = []relay.WebhookDelivery{}
	}
	return list, err
}

// WebhookEvent writes an event for the workspace's subscriptions to it: one
// outbox row each (none when nobody subscribes). payload is a JSON object.
// Failures are logged, not returned: the change that caused the event is
// already committed.
func (a *Webhooks) WebhookEvent(ctx context.Context, workspaceID relay.ID, event string, payload any) {
	if a.store == nil {
		return
	}
	b, err := json.Marshal(payload)
	if err == nil {
		err = a.store.EnqueueEvent(ctx, workspaceID, event, b, a.Now())
	}
	if err != nil {
		a.log.WarnContext(ctx, "webhook event", "event", event, "workspace_id", workspaceID, "err", err)
		return
	}
	a.wakeOutbox()
}

// ticketPayload is a ticket as webhooks carry it: the staff view, without
// any one viewer's read state.
func ticketPayload(t *relay.Ticket) *relay.Ticket {
	v := *t
	v.ReadSeq, v.Unread, v.UnreadCount = 0, false, 0
	return &v
}

// ticketCreatedEvent and ticketStatusEvent are called by the ticket use
// cases right after the change commits.
func (a *Webhooks) ticketCreatedEvent(ctx context.Context, t *relay.Ticket) {
	a.WebhookEvent(ctx, t.WorkspaceID, relay.EventTicketCreated, map[string]any{"ticket": ticketPayload(t)})
}

func (a *Webhooks) ticketStatusEvent(ctx context.Context, t *relay.Ticket, from, to relay.TicketStatus) {
	if from == to {
		return
	}
	a.WebhookEvent(ctx, t.WorkspaceID, relay.EventTicketStatusChanged, map[string]any{"ticket": ticketPayload(t), "from": from, "to": to})
}

// --- incoming webhooks ---

// CreatedIncomingWebhook is a new incoming webhook with its secret URL,
// shown this once.
type CreatedIncomingWebhook struct {
	relay.IncomingWebhook
	// URL is where outside systems POST; "" when the server knows no
	// public base URL (the HTTP layer fills it in from the request).
	URL   string `json:"url"`
	Token string `json:"token"`
}

// IncomingWebhookPath is where incoming webhooks are served, before the token.
const IncomingWebhookPath = "/hooks/in/"

// incomingChannel loads a channel the actor may read and manage incoming
// webhooks of: not a DM, not a ticket's.
func (a *Webhooks) incomingChannel(ctx context.Context, actor *relay.Actor, channelID relay.ID) (*relay.Channel, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	c, _, err := a.msg.channelView(ctx, actor, channelID)
	if err != nil {
		return nil, err
	}
	switch c.Kind {
	case relay.ChannelPublic, relay.ChannelPrivate, relay.ChannelExternal:
		return c, nil
	}
	return nil, relay.Errorf(relay.EINVALID, "Incoming webhooks post into public, private and external channels, not into a %s.", c.Kind)
}

// CreateIncomingWebhook makes a secret URL that posts into a channel the
// actor (owner or admin) can read.
func (a *Webhooks) CreateIncomingWebhook(ctx context.Context, actor *relay.Actor, channelID relay.ID, name string) (*CreatedIncomingWebhook, error) {
	c, err := a.incomingChannel(ctx, actor, channelID)
	if err != nil {
		return nil, err
	}
	if c.Archived {
		return nil, relay.Errorf(relay.ECONFLICT, "The channel is archived.")
	}
	name, err = relay.NormalizeName("The webhook's name", name, maxIncomingWebhookName)
	if err != nil {
		return nil, err
	}
	list, err := a.store.IncomingWebhooks(ctx, actor.Workspace.ID, c.ID)
	if err != nil {
		return nil, err
	}
	if len(list) >= MaxIncomingWebhooks {
		return nil, relay.Errorf(relay.ECONFLICT, "A channel has at most %d incoming webhooks; delete one first.", MaxIncomingWebhooks)
	}
	tok, hash := newToken()
	w := &relay.IncomingWebhook{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, ChannelID: c.ID, Name: name,
		CreatedBy: actor.User.ID, CreatedAt: a.Now()}
	if err := a.store.CreateIncomingWebhook(ctx, w, hash); err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditIncomingWebhookCreated, relay.AuditTargetIncoming, w.ID, map[string]any{"channel_id": c.ID, "name": name})
	out := &CreatedIncomingWebhook{IncomingWebhook: *w, Token: tok}
	if site := siteURL(ctx, a.store, a.cfg.BaseURL, actor.Workspace.ID); site != "" {
		out.URL = site + IncomingWebhookPath + tok
	}
	return out, nil
}

// IncomingWebhooks lists a channel's incoming webhooks (never their tokens).
func (a *Webhooks) IncomingWebhooks(ctx context.Context, actor *relay.Actor, channelID relay.ID) ([]relay.IncomingWebhook, error) {
	c, err := a.incomingChannel(ctx, actor, channelID)
	if err != nil {
		return nil, err
	}
	list, err := a.store.IncomingWebhooks(ctx, actor.Workspace.ID, c.ID)
	if list == nil && err == nil {
		list = []relay.IncomingWebhook{}
	}
	return list, err
}

// DeleteIncomingWebhook revokes an incoming webhook's URL.
func (a *Webhooks) DeleteIncomingWebhook(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	if err := manageConnectors(actor); err != nil {
		return err
	}
	err := a.store.DeleteIncomingWebhook(ctx, actor.Workspace.ID, id)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return relay.Errorf(relay.ENOTFOUND, "Incoming webhook not found.")
	} else if err != nil {
		return err
	}
	a.audit(ctx, actor, relay.AuditIncomingWebhookDeleted, relay.AuditTargetIncoming, id, nil)
	return nil
}

var errNoIncoming = relay.Errorf(relay.ENOTFOUND, "No incoming webhook at this address.")

// PostIncomingWebhook posts into the channel of the incoming webhook whose
// token it is, as a bot (the webhook) with source webhook. No actor: the
// token is the credential. Posts are rate-limited per token.
func (a *Webhooks) PostIncomingWebhook(ctx context.Context, token string, in relay.IncomingPost) (*relay.Message, error) {
	if !plausibleToken(token) {
		return nil, errNoIncoming
	}
	hash := hashToken(token)
	w, err := a.store.IncomingWebhookByToken(ctx, hash)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, errNoIncoming
	} else if err != nil {
		return nil, err
	}
	if ok, wait := a.incomingLimiter().Allow(w.ID.String()); !ok {
		return nil, rateLimited(wait)
	}
	name := strings.TrimSpace(in.Username)
	if name == "" {
		name = w.Name
	}
	return a.msg.PostInbound(ctx, w.WorkspaceID, Inbound{ChannelID: w.ChannelID,
		Author: relay.Author{ID: w.ID, Kind: relay.AuthorBot, DisplayName: name, AvatarURL: strings.TrimSpace(in.AvatarURL)},
		Source: relay.SourceWebhook, Body: in.Text, ExternalID: in.IdempotencyKey})
}

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
