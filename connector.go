package relay

import (
	"context"
	"errors"
	"time"
)

// Connector types.
const (
	ConnectorLINE    = "line"
	ConnectorDiscord = "discord"
	ConnectorWebhook = "webhook"
)

// Connector models: a workspace's own bot (its credentials), or the shared
// platform-level bot the operator configures.
const (
	ModelOwn    = "own"
	ModelShared = "shared"
)

// Connector statuses.
const (
	ConnectorActive   = "active"
	ConnectorError    = "error"
	ConnectorDisabled = "disabled"
)

// Connector links a workspace to an outside system. Its credentials are
// sealed at rest and never leave the server after creation; Config holds
// what is not secret (a LINE channel id, a Discord guild id, a join code).
type Connector struct {
	ID          ID     `json:"id"`
	WorkspaceID ID     `json:"-"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	Model       string `json:"model,omitempty"`
	Status      string `json:"status"`
	LastError   string `json:"last_error,omitempty"`
	// LastErrorAt is when LastError happened; nil when there is none.
	LastErrorAt *time.Time `json:"last_error_at"`
	// ExternalID is the outside system's id for the connection: the LINE
	// channel id (own bot) or the Discord guild id once the bot is invited.
	// Unique per type: one outside account feeds one workspace.
	ExternalID string `json:"external_id,omitempty"`
	// JoinCode links LINE users to the workspace through the shared bot.
	JoinCode  string            `json:"join_code,omitempty"`
	Config    map[string]string `json:"config,omitempty"`
	CreatedBy ID                `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	// Secrets is the sealed credentials (secretbox); never encoded.
	Secrets []byte `json:"-"`
}

// Contact states.
const (
	ContactActive     = "active"
	ContactUnfollowed = "unfollowed" // the LINE user blocked or unfollowed the bot
)

// Contact is an outside person known to a workspace through a connector: a
// LINE user, a Discord user.
type Contact struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"-"`
	ConnectorID ID        `json:"connector_id"`
	ExternalID  string    `json:"external_id"`
	Name        string    `json:"name"`
	AvatarURL   string    `json:"avatar_url"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Conversation maps an outside conversation (a LINE user or group, a
// Discord channel) to the Relay channel it lands in. Replies posted in the
// channel go back out to every conversation mapped to it.
type Conversation struct {
	ID          ID `json:"id"`
	WorkspaceID ID `json:"-"`
	ConnectorID ID `json:"connector_id"`
	ChannelID   ID `json:"channel_id"`
	// Key is the outside id, prefixed by its kind: "user:U…", "group:C…",
	// "room:R…" for LINE, "channel:<id>" for Discord.
	Key       string            `json:"key"`
	Name      string            `json:"name"`
	ContactID *ID               `json:"contact_id,omitempty"`
	Config    map[string]string `json:"config,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	// Secrets is sealed per-conversation credentials (a Discord webhook
	// token); never encoded.
	Secrets []byte `json:"-"`
}

// Outbox kinds: what a row delivers.
const (
	OutboxMessageCreate = "message.create" // a Relay message to an outside conversation
	OutboxMessageUpdate = "message.update" // its edit
	OutboxMessageDelete = "message.delete" // its deletion
	OutboxWebhook       = "webhook"        // an event to an outgoing webhook subscription
)

// Outbox states.
const (
	OutboxPending   = "pending"
	OutboxSending   = "sending" // claimed by a worker until LeaseUntil
	OutboxDelivered = "delivered"
	OutboxDead      = "dead" // gave up after the last try; retryable by an admin
)

// OutboxItem is one delivery to the outside, written in the transaction
// that made it necessary and delivered by the outbox workers.
type OutboxItem struct {
	ID             int64      `json:"id"`
	WorkspaceID    ID         `json:"-"`
	Kind           string     `json:"kind"`
	ConnectorID    *ID        `json:"connector_id"`
	ConversationID *ID        `json:"conversation_id"`
	SubscriptionID *ID        `json:"subscription_id"`
	MessageID      *ID        `json:"message_id"`
	ChannelID      *ID        `json:"channel_id"`
	Event          string     `json:"event,omitempty"`
	Payload        string     `json:"-"`
	State          string     `json:"state"`
	Attempts       int        `json:"attempts"`
	NextAt         time.Time  `json:"next_at"`
	LeaseUntil     *time.Time `json:"-"`
	LastError      string     `json:"last_error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

// Delivery is the outside state of a Relay message in an external channel,
// shown on the message: delivered, pending, or dead with the reason.
type Delivery struct {
	State     string `json:"state"`
	Error     string `json:"error,omitempty"`
	OutboxID  int64  `json:"outbox_id"`
	Attempts  int    `json:"attempts"`
	Connector ID     `json:"connector_id"`
}

// Attachment is a file attached to a message (for now: media received from
// connectors). URL is served by the API to whoever may read the channel.
type Attachment struct {
	ID          ID     `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
	// Kind is image, video, audio, file, sticker or location: what clients
	// preview. Locations and stickers may carry only a URL or text.
	Kind string `json:"kind"`
}

// DiscordChannel is a text channel of a Discord guild, as offered for bridging.
type DiscordChannel struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category,omitempty"`
	Position int    `json:"position"`
}

// DiscordDirectory reads a guild through the shared Discord bot.
type DiscordDirectory interface {
	TextChannels(ctx context.Context, guildID string) ([]DiscordChannel, error)
	// InviteURL is the OAuth2 link that adds the bot to a guild, carrying state.
	InviteURL(state string) string
}

// ErrTokenRefused is what a verifier wraps when the outside platform
// refused a credential (LINE's or Discord's 401/403): the admin typed a
// wrong token, as opposed to the platform being unreachable.
var ErrTokenRefused = errors.New("the token was refused")

// LINEBotInfo is what LINE tells about the bot a channel access token
// belongs to (GET /v2/bot/info).
type LINEBotInfo struct {
	UserID      string
	BasicID     string
	DisplayName string
	PictureURL  string
}

// LINEVerifier asks LINE which bot a channel access token belongs to; an
// error wrapping ErrTokenRefused means LINE refused the token.
type LINEVerifier interface {
	LINEBotInfo(ctx context.Context, accessToken string) (*LINEBotInfo, error)
}
