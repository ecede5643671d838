package relay

import "time"

// Webhook events: what an outgoing subscription may ask for
// (docs/connectors.md lists each payload).
const (
	// EventMessageCreated: a message posted in a public, external or
	// ticket channel (never an internal note, a private channel or a DM);
	// written by the store with the post. Payload {"message", "channel"}.
	EventMessageCreated = "message.created"
	// EventTicketCreated: a ticket opened. Payload {"ticket"}.
	EventTicketCreated = "ticket.created"
	// EventTicketStatusChanged: a ticket's status changed (resolved,
	// closed, reopened, or open ↔ assigned by an assignment). Payload
	// {"ticket", "from", "to"}.
	EventTicketStatusChanged = "ticket.status_changed"
)

// WebhookEvents lists the events a subscription may name.
var WebhookEvents = []string{EventMessageCreated, EventTicketCreated, EventTicketStatusChanged}

// WebhookSubscription is an outgoing webhook: events POSTed to a URL,
// signed with its secret.
type WebhookSubscription struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"-"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	Description string    `json:"description"`
	Active      bool      `json:"active"`
	CreatedBy   ID        `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	Secrets     []byte    `json:"-"` // sealed signing secret
}

// WebhookDelivery is one attempt to deliver an event to a subscription.
type WebhookDelivery struct {
	ID             int64     `json:"id"`
	SubscriptionID ID        `json:"subscription_id"`
	OutboxID       int64     `json:"outbox_id"`
	Event          string    `json:"event"`
	Attempt        int       `json:"attempt"`
	OK             bool      `json:"ok"`
	ResponseCode   int       `json:"response_code"`
	DurationMS     int64     `json:"duration_ms"`
	Error          string    `json:"error,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// IncomingWebhook is a secret URL that posts into a channel.
type IncomingWebhook struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"-"`
	ChannelID   ID        `json:"channel_id"`
	Name        string    `json:"name"`
	CreatedBy   ID        `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// IncomingPost is what an outside system posts through an incoming webhook.
type IncomingPost struct {
	Text      string
	Username  string // shown instead of the webhook's name
	AvatarURL string
	// IdempotencyKey (the Idempotency-Key header) makes retries post once.
	IdempotencyKey string
}
