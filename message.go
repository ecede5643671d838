package relay

import "time"

// Message sources: where a message came from.
const (
	SourceInternal  = "internal"
	SourceLINE      = "line"
	SourceDiscord   = "discord"
	SourceEmail     = "email"
	SourceWebhook   = "webhook"
	SourceAssistant = "assistant"
	SourceSystem    = "system"
)

// MaxMessageRunes is the longest message body, in characters.
const MaxMessageRunes = 16000

// Author kinds.
const (
	AuthorUser    = "user"
	AuthorContact = "contact"
	AuthorBot     = "bot"
	AuthorSystem  = "system"
)

// Author is who wrote a message, as clients show it.
type Author struct {
	ID          ID     `json:"id"`
	Kind        string `json:"kind"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

// Message is one post in a channel. Seq is its place in the channel:
// per-channel, gap-free, strictly increasing, given at persist time. Change
// is the channel's change counter at the message's latest change.
type Message struct {
	ID          ID     `json:"id"`
	WorkspaceID ID     `json:"-"`
	ChannelID   ID     `json:"channel_id"`
	Seq         int64  `json:"seq"`
	Change      int64  `json:"change"`
	Author      Author `json:"author"`
	Source      string `json:"source"`
	Body        string `json:"body"`
	ParentID    *ID    `json:"parent_id"`
	// Broadcast marks a thread reply that was also sent to the channel.
	Broadcast   bool       `json:"broadcast"`
	ReplyCount  int        `json:"reply_count"`
	LastReplyAt *time.Time `json:"last_reply_at"`
	// ReplyUsers are the thread's participants (authors of replies), oldest first.
	ReplyUsers  []ID       `json:"reply_users"`
	ClientMsgID string     `json:"client_msg_id"`
	Internal    bool       `json:"internal"`
	CreatedAt   time.Time  `json:"created_at"`
	EditedAt    *time.Time `json:"edited_at"`
	DeletedAt   *time.Time `json:"deleted_at"`
	Reactions   []Reaction `json:"reactions"`
	// Mentions are the users mentioned by @name; MentionAll is true for
	// @channel and @here.
	Mentions   []ID `json:"mentions"`
	MentionAll bool `json:"mention_all"`
	// TicketID names the ticket whose conversation or notes channel the
	// message is in, when the poster knows it: its events then go to the
	// ticket's topics (not stored; zero on messages read back).
	TicketID ID `json:"-"`
	// Attachments are files that came with the message (media from a
	// connector); never nil on messages read back.
	Attachments []Attachment `json:"attachments"`
	// Deliveries is the outside state of a message posted in an external
	// channel, one per outside conversation (filled on reads of such
	// channels; empty elsewhere).
	Deliveries []Delivery `json:"deliveries,omitempty"`
}

// Reaction aggregates one emoji on a message.
type Reaction struct {
	Emoji string `json:"emoji"`
	Count int    `json:"count"`
	Users []ID   `json:"users"`
}

// Visible reports whether the message shows in the channel's timeline (as
// opposed to only in its thread).
func (m *Message) Visible() bool { return m.ParentID == nil || m.Broadcast }

// HistoryQuery selects a page of a channel's timeline. Exactly one of
// Before, After, Around may be set; none means the newest messages.
type HistoryQuery struct {
	Before, After, Around int64
	Limit                 int
}

// PostResult is the outcome of one message in PostMessages.
type PostResult struct {
	Message *Message // as stored (seq, change, created_at…)
	// Existing is true when a message with the same author and
	// client_msg_id was already in the channel: Message is that one and
	// nothing was written.
	Existing bool
	// Parent is the thread parent after this reply updated its counters
	// (nil for top-level messages and for existing ones).
	Parent *Message
	// Queued is true when the post wrote outbox rows (Bridged or
	// Announced, see outbound.go, with someone to send it to): the outbox
	// has work due now.
	Queued bool
}
