package relay

import "encoding/json"

// Event is something that happened, to be delivered to the sockets
// subscribed to its topic. App publishes events on the bus after the change
// they describe is committed; every node's hub delivers them. The payload is
// encoded once, by the publisher, and never re-encoded per subscriber.
type Event struct {
	Topic       string          `json:"topic"` // "channel:<id>", "workspace:<id>", "user:<id>"
	Name        string          `json:"event"` // "message:new", "typing", …
	Payload     json.RawMessage `json:"payload"`
	WorkspaceID ID              `json:"workspace_id"`
	// Seq is the message seq of a message:new event (0 otherwise) and
	// Change the channel's change counter after this event (0 for events
	// that are not stored, like typing). Joins use them to stitch catch-up
	// and live delivery without gaps or duplicates.
	Seq    int64 `json:"seq,omitempty"`
	Change int64 `json:"change,omitempty"`
	// MessageID names the message a message event describes (0 otherwise),
	// so a rejoining socket can tell an update it already replayed from one
	// it has not seen, without decoding the payload.
	MessageID ID `json:"message_id,omitempty"`
	// Exclude names a connection that must not receive the event (the
	// sender of a typing notice).
	Exclude string `json:"exclude,omitempty"`
}

// Topic names.
func ChannelTopic(id ID) string   { return "channel:" + id.String() }
func WorkspaceTopic(id ID) string { return "workspace:" + id.String() }
func UserTopic(id ID) string      { return "user:" + id.String() }
