package app

import (
	"context"
	"time"

	"github.com/relayhq/relay"
)

// ConnectorStore is what connectors, the outbox and webhooks need from the
// store (docs/connectors.md). Every method taking a workspace id is scoped
// by it: an id of another workspace is ENOTFOUND. The few lookups without a
// workspace (…ForHook, ByExternal, ByJoinCode, ClaimOutbox) serve outside
// systems that name a connector, not a workspace; the caller takes the
// workspace from the row found.
type ConnectorStore interface {
	// CreateConnector inserts c. A taken (type, external_id) or join code
	// is ECONFLICT.
	CreateConnector(ctx context.Context, c *relay.Connector) error
	// Connectors lists the workspace's connectors, oldest first.
	Connectors(ctx context.Context, workspaceID relay.ID) ([]relay.Connector, error)
	Connector(ctx context.Context, workspaceID, id relay.ID) (*relay.Connector, error)
	// ConnectorForHook finds a connector by id alone (the id in a webhook URL).
	ConnectorForHook(ctx context.Context, id relay.ID) (*relay.Connector, error)
	// ConnectorByExternal finds the connector of a type with that external
	// id (a Discord guild, a LINE channel id); ENOTFOUND if none.
	ConnectorByExternal(ctx context.Context, typ, externalID string) (*relay.Connector, error)
	// ConnectorByJoinCode finds the shared-LINE connector with that code.
	ConnectorByJoinCode(ctx context.Context, code string) (*relay.Connector, error)
	// UpdateConnector stores name, model, status, last_error(_at),
	// external_id, join_code, config and secrets of c (found by workspace
	// and id) and sets updated_at. A taken external id is ECONFLICT.
	UpdateConnector(ctx context.Context, c *relay.Connector) error
	// SetConnectorHealth records a delivery or listener outcome: errText ""
	// makes an errored connector active again; otherwise status error with
	// the text and time. A disabled connector stays disabled.
	SetConnectorHealth(ctx context.Context, workspaceID, id relay.ID, errText string, at time.Time) error
	// DeleteConnector removes the connector with its contacts, conversation
	// mappings and outbox rows (the external channels and their messages stay).
	DeleteConnector(ctx context.Context, workspaceID, id relay.ID) error

	// UpsertContact inserts the contact or, when (connector, external id)
	// exists, updates its name and avatar (non-empty ones) and state; it
	// returns the stored row. c.ID is used only on insert.
	UpsertContact(ctx context.Context, c *relay.Contact) (*relay.Contact, error)
	// ContactByExternal finds a connector's contact by outside id.
	ContactByExternal(ctx context.Context, connectorID relay.ID, externalID string) (*relay.Contact, error)
	// LinkedContact finds the contact with that outside id under any
	// connector of the type and model (shared LINE: which workspace a LINE
	// user joined), the most recently updated first; ENOTFOUND if none.
	LinkedContact(ctx context.Context, typ, model, externalID string) (*relay.Contact, error)
	Contacts(ctx context.Context, workspaceID, connectorID relay.ID) ([]relay.Contact, error)

	// ConversationByKey finds a connector's conversation.
	ConversationByKey(ctx context.Context, connectorID relay.ID, key string) (*relay.Conversation, error)
	// CreateConversation inserts conv and, when ch is non-nil, the channel
	// it lands in (kind external, with members as its members), in one
	// transaction. When the (connector, key) exists it changes nothing and
	// returns the stored row with created false.
	CreateConversation(ctx context.Context, conv *relay.Conversation, ch *relay.Channel, members []relay.ID) (stored *relay.Conversation, created bool, err error)
	// Conversations lists a connector's conversations.
	Conversations(ctx context.Context, workspaceID, connectorID relay.ID) ([]relay.Conversation, error)
	// ChannelConversations lists the conversations mapped to a channel.
	ChannelConversations(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.Conversation, error)
	// DeleteConversation removes one mapping (the channel stays).
	DeleteConversation(ctx context.Context, workspaceID, id relay.ID) error
	// UpdateConversation stores name, config and secrets of conv.
	UpdateConversation(ctx context.Context, conv *relay.Conversation) error

	// MarkHookEvent records an outside event id; fresh is false when it was
	// already recorded (a redelivery).
	MarkHookEvent(ctx context.Context, connectorID relay.ID, eventID string, now time.Time) (fresh bool, err error)
	// LinkExternalMessage records that a Relay message and an outside one
	// are copies of each other; an existing link is left as it is.
	LinkExternalMessage(ctx context.Context, workspaceID, connectorID relay.ID, externalID string, messageID relay.ID, now time.Time) error
	// MessageByExternal finds the Relay message linked to an outside id.
	MessageByExternal(ctx context.Context, workspaceID, connectorID relay.ID, externalID string) (relay.ID, error)
	// ExternalIDOf finds the outside id of a Relay message's copy through
	// a connector; ENOTFOUND when it was not delivered (yet).
	ExternalIDOf(ctx context.Context, workspaceID, connectorID, messageID relay.ID) (string, error)

	// EnqueueOutbox inserts rows as they are (ids are assigned).
	EnqueueOutbox(ctx context.Context, items []relay.OutboxItem) error
	// ClaimOutbox takes up to n rows due at now — pending with next_at ≤ now,
	// or sending with an expired lease — marks them sending with
	// lease_until = now+lease and attempts+1, and returns them. A row of a
	// conversation is due only when no older row of that conversation is
	// pending or sending (per-conversation order). Concurrent callers, in
	// this process or another, never get the same row while its lease runs.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, n int) ([]relay.OutboxItem, error)
	// FinishOutbox records the outcome of the attempt that claimed the row
	// (matched by id and attempts, so a worker whose lease was taken over
	// changes nothing and gets false): state delivered, pending again with
	// next_at and the error, or dead with the error.
	FinishOutbox(ctx context.Context, item *relay.OutboxItem, now time.Time) (bool, error)
	// OutboxItems lists a workspace's rows in a state ("" any), newest first.
	OutboxItems(ctx context.Context, workspaceID relay.ID, state string, limit int) ([]relay.OutboxItem, error)
	// OutboxItem finds one row of the workspace.
	OutboxItem(ctx context.Context, workspaceID relay.ID, id int64) (*relay.OutboxItem, error)
	// RetryOutbox makes a dead row pending again now with attempts 0;
	// another state is ECONFLICT.
	RetryOutbox(ctx context.Context, workspaceID relay.ID, id int64, now time.Time) (*relay.OutboxItem, error)
	// MessageDeliveries returns, for each message id, the outbox rows of
	// kind message.create that carry it out (to show "not delivered").
	MessageDeliveries(ctx context.Context, workspaceID relay.ID, messageIDs []relay.ID) (map[relay.ID][]relay.Delivery, error)

	// CreateAttachment records a file stored under attachments/<workspace>/<id>
	// in the file store, for the channel its message is in.
	CreateAttachment(ctx context.Context, workspaceID, channelID relay.ID, att *relay.Attachment, now time.Time) error
	// Attachment finds one with the channel it belongs to.
	Attachment(ctx context.Context, workspaceID, id relay.ID) (att *relay.Attachment, channelID relay.ID, err error)
	// PurgeHookEvents deletes recorded outside event ids older than before.
	PurgeHookEvents(ctx context.Context, before time.Time) (int64, error)
	// PurgeDelivered deletes delivered outbox rows last changed before
	// before, and webhook delivery-log entries made before it; it returns
	// how many rows went.
	PurgeDelivered(ctx context.Context, before time.Time) (int64, error)

	WebhookStore
}

// What PostMessages, EditMessage and DeleteMessage add to the outbox in
// their own transaction (the store implements it by the domain's rule in
// outbound.go; docs/connectors.md):
//
//   - a relay.Bridged message (written by a user in Relay, not internal, in
//     a channel of kind external): one row per conversation mapped to the
//     channel — message.create on post, message.update on edit,
//     message.delete on delete — with connector_id, conversation_id,
//     message_id and channel_id set;
//   - a relay.Announced message (posted in a public, external or ticket
//     channel; not internal notes, private channels or DMs): one webhook
//     row per active subscription to "message.created", payload
//     relay.MessageCreatedPayload.
//
// PostResult.Queued says which posts got rows, so the app wakes the outbox.
// Rows start pending with next_at = the message's time.

// WebhookStore keeps outgoing subscriptions, their delivery log and
// incoming webhook URLs.
type WebhookStore interface {
	CreateSubscription(ctx context.Context, s *relay.WebhookSubscription) error
	Subscriptions(ctx context.Context, workspaceID relay.ID) ([]relay.WebhookSubscription, error)
	Subscription(ctx context.Context, workspaceID, id relay.ID) (*relay.WebhookSubscription, error)
	DeleteSubscription(ctx context.Context, workspaceID, id relay.ID) error
	// SetSubscriptionActive switches a subscription on or off (a receiver
	// that answered 410 Gone is switched off).
	SetSubscriptionActive(ctx context.Context, workspaceID, id relay.ID, active bool) error
	// EnqueueEvent writes one outbox row of kind webhook per active
	// subscription of the workspace to the event, with the payload (a JSON
	// object), now. Store operations that cause an event (posting a message,
	// ticket changes) do the same inside their own transaction.
	EnqueueEvent(ctx context.Context, workspaceID relay.ID, event string, payload []byte, now time.Time) error
	RecordDelivery(ctx context.Context, workspaceID relay.ID, d *relay.WebhookDelivery) error
	// Deliveries lists a subscription's attempts, newest first.
	Deliveries(ctx context.Context, workspaceID, subscriptionID relay.ID, limit int) ([]relay.WebhookDelivery, error)

	CreateIncomingWebhook(ctx context.Context, w *relay.IncomingWebhook, tokenHash []byte) error
	IncomingWebhooks(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.IncomingWebhook, error)
	IncomingWebhookByToken(ctx context.Context, tokenHash []byte) (*relay.IncomingWebhook, error)
	DeleteIncomingWebhook(ctx context.Context, workspaceID, id relay.ID) error
}

// connectorStore is what Connectors is handed: ConnectorStore and the
// few reads of channels, members, messages and workspaces it needs.
type connectorStore interface {
	ConnectorStore
	Channel(ctx context.Context, workspaceID, channelID, viewer relay.ID) (*relay.Channel, error)
	ListMembers(ctx context.Context, workspaceID relay.ID) ([]relay.Member, error)
	Message(ctx context.Context, workspaceID, messageID relay.ID) (*relay.Message, error)
	WorkspaceByID(ctx context.Context, id relay.ID) (*relay.Workspace, error)
}
