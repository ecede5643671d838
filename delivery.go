package relay

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Outgoing is one outbox row ready to deliver, with what it refers to
// loaded and the credentials opened.
type Outgoing struct {
	Item OutboxItem
	// For connector rows (message.*): the connector, its opened
	// credentials, the conversation the message goes to and its opened
	// credentials (a Discord webhook token).
	Connector           *Connector
	Credentials         map[string]string
	Conversation        *Conversation
	ConversationSecrets map[string]string
	// Message is the Relay message as it is now (message.create and
	// message.update); its author is the Relay user who wrote it.
	Message *Message
	// ExternalID is the outside copy's id (message.update, message.delete).
	ExternalID string
	// For webhook rows: the subscription, its signing secret, the event
	// name and payload (a JSON object).
	Subscription *WebhookSubscription
	Secret       string
	// SiteURL is the workspace's own address (e.g. http://acme.localhost:8080),
	// for links back to Relay (attachments, the message).
	SiteURL string
}

// Sent is what a successful delivery reports.
type Sent struct {
	// ExternalID is the outside id of a created copy (a LINE message id is
	// not returned by push; Discord's is), linked to the Relay message so
	// edits and deletes follow it.
	ExternalID   string
	ResponseCode int
}

// Deliverer sends outbox rows of one kind: a connector type (line, discord)
// or "webhook". Returning an error that is not a *DeliveryError retries it.
type Deliverer interface {
	Deliver(ctx context.Context, o *Outgoing) (Sent, error)
}

// DeliverFunc adapts a function to Deliverer.
type DeliverFunc func(ctx context.Context, o *Outgoing) (Sent, error)

// Deliver implements Deliverer.
func (f DeliverFunc) Deliver(ctx context.Context, o *Outgoing) (Sent, error) { return f(ctx, o) }

// DeliveryError says how a failed delivery should be treated.
type DeliveryError struct {
	Err error
	// Permanent errors are not retried (a bad token, a 400): the row is
	// dead at once.
	Permanent bool
	// RetryAfter, when set, is the earliest the next try may be (a 429's
	// Retry-After); the backoff applies when it is longer.
	RetryAfter time.Duration
	// ResponseCode is the outside HTTP status, when there was one.
	ResponseCode int
}

func (e *DeliveryError) Error() string {
	if e.ResponseCode != 0 {
		return fmt.Sprintf("%v (HTTP %d)", e.Err, e.ResponseCode)
	}
	return e.Err.Error()
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &DeliveryError{Err: err, Permanent: true} }

// Skip is returned by a deliverer when there is nothing to send (the
// message was deleted before it went out): the row is done, not failed.
var Skip = errors.New("nothing to deliver")

// ExternalIn is a message that arrived from a connector.
type ExternalIn struct {
	Connector *Connector
	// Conversation is where it was said: its key (see Conversation)
	// and a name for the channel it lands in when it is new.
	ConversationKey  string
	ConversationName string
	// OneToOne conversations (a LINE user talking to the bot) belong to
	// their contact.
	OneToOne bool
	// From is the author.
	From ExternalContact
	// MessageID is the outside message id: redeliveries post nothing new,
	// and later edits and deletes find the message by it.
	MessageID string
	Body      string
	Files     []ExternalFile
}

// ExternalContact is an outside person as the connector sees them.
type ExternalContact struct {
	ExternalID string
	Name       string
	AvatarURL  string
}

// ExternalFile is media received with an outside message, stored as an
// attachment (Data) or linked (URL only).
type ExternalFile struct {
	Name        string
	ContentType string
	Kind        string // image, video, audio, file, sticker, location
	Data        []byte
	URL         string
}
