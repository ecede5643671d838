package relay

import (
	"encoding/json"
	"fmt"
)

// Which messages leave Relay is decided here, once. The store applies the
// rule when a post, an edit or a deletion writes its outbox rows in the
// same transaction (it only finds the outside conversations and the
// subscriptions); the app applies it to wake the outbox workers of its
// process at once rather than at their next poll.

// Bridged reports whether m goes out to the outside conversations mapped
// to its channel (a connector row per conversation): written in Relay by a
// user, not an internal note, in an external channel. Its edits and
// deletion follow it out.
func Bridged(m *Message, kind ChannelKind) bool {
	return kind == ChannelExternal && m.Author.Kind == AuthorUser && m.Source == SourceInternal && !m.Internal
}

// Announced reports whether posting m is a message.created event for
// outgoing webhooks (a webhook row per subscription): in a public,
// external or ticket channel, never in a private channel or a DM, and
// never an internal note.
func Announced(m *Message, kind ChannelKind) bool {
	switch kind {
	case ChannelPublic, ChannelExternal, ChannelTicket:
		return !m.Internal
	}
	return false
}

// MessageCreatedPayload is the payload of a message.created event: the
// message as stored, and its channel's id, name and kind.
func MessageCreatedPayload(m *Message, channelID ID, name string, kind ChannelKind) ([]byte, error) {
	type channel struct {
		ID   ID          `json:"id"`
		Name string      `json:"name"`
		Kind ChannelKind `json:"kind"`
	}
	b, err := json.Marshal(struct {
		Message *Message `json:"message"`
		Channel channel  `json:"channel"`
	}{m, channel{channelID, name, kind}})
	if err != nil {
		return nil, fmt.Errorf("message payload: %w", err)
	}
	return b, nil
}
