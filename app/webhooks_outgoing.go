package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/ssrf"
)

// Outgoing webhooks: subscriptions, their delivery log, and the events
// they carry into the outbox.

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
