package app

import (
	"context"

	"github.com/relayhq/relay"
)

// Publisher fans events out to every node's sockets (package bus). Publish
// is called after the change an event describes is committed.
type Publisher interface {
	Publish(ctx context.Context, ev relay.Event) error
}

type noPublisher struct{}

// Event names, by topic.
const (
	// channel:<id>
	EvMessageNew      = "message:new"
	EvMessageUpdated  = "message:updated"
	EvMessageDeleted  = "message:deleted"
	EvReactionAdded   = "reaction:added"
	EvReactionRemoved = "reaction:removed"
	EvThreadUpdated   = "thread:updated"
	EvChannelUpdated  = "channel:updated"
	EvMemberJoined    = "member:joined"
	EvMemberLeft      = "member:left"
	EvTyping          = "typing"
	// workspace:<id>
	EvChannelCreated = "channel:created"
	EvStatusUpdated  = "status:updated"
	EvMemberUpdated  = "member:updated"
	EvMemberAdded    = "member:added"
	EvMemberRemoved  = "member:removed"
	// EvMemberRoleChanged: a member's role or desk access changed. The
	// member's own client applies it at once (navigation, Inbox); their
	// sockets close right after (access:changed) and reconnect re-authorised.
	EvMemberRoleChanged = "member:role_changed"
	// user:<id>
	EvUnreadUpdated = "unread:updated"
	EvChannelJoined = "channel:joined"
	EvChannelLeft   = "channel:left"
	EvDMOpened      = "dm:opened"
	EvMention       = "mention"
	// EvAccessChanged tells the socket layer (on the user's topic) that a
	// user's sockets in a workspace must re-authenticate: removed, role
	// changed, or (with SessionID) that session ended.
	EvAccessChanged = "access:changed"
)

// AccessEvent is the payload of access:changed.
type AccessEvent struct {
	WorkspaceID relay.ID `json:"workspace_id"`
	UserID      relay.ID `json:"user_id"`
	SessionID   relay.ID `json:"session_id,omitempty"`
	Reason      string   `json:"reason"`
}

// Publish sends an ephemeral event (typing, presence changes) that is not
// stored; ev.Payload must already be encoded.
func (a *kernel) Publish(ctx context.Context, ev relay.Event) {
	if err := a.bus.Publish(ctx, ev); err != nil {
		a.log.WarnContext(ctx, "publish event", "event", ev.Name, "topic", ev.Topic, "err", err)
	}
}

// MessageEvent is the payload of message events: the message resource,
// plus, for reaction events, which reaction changed.
type MessageEvent struct {
	*relay.Message
	Reaction *ReactionChange `json:"reaction,omitempty"`
}

// ReactionChange names the reaction a reaction event is about.
type ReactionChange struct {
	Emoji  string   `json:"emoji"`
	UserID relay.ID `json:"user_id"`
}

// MemberEvent is the payload of member:joined and member:left.
type MemberEvent struct {
	ChannelID relay.ID          `json:"channel_id"`
	Kind      relay.ChannelKind `json:"channel_kind"`
	User      *relay.User       `json:"user"`
}

// MemberUpdatedEvent is the payload of member:updated on a workspace's
// topic: a member changed their display name or avatar. It carries only
// what every member may see (no email).
type MemberUpdatedEvent struct {
	UserID      relay.ID `json:"user_id"`
	DisplayName string   `json:"display_name"`
	AvatarURL   string   `json:"avatar_url"`
}

// MemberAddedEvent is the payload of member:added on a workspace's topic:
// someone became a member (an invitation was accepted). No email.
type MemberAddedEvent struct {
	UserID      relay.ID   `json:"user_id"`
	DisplayName string     `json:"display_name"`
	AvatarURL   string     `json:"avatar_url"`
	Role        relay.Role `json:"role"`
}

// MemberRoleChangedEvent is the payload of member:role_changed on a
// workspace's topic.
type MemberRoleChangedEvent struct {
	UserID relay.ID   `json:"user_id"`
	Role   relay.Role `json:"role"`
	Desk   bool       `json:"desk"`
}

// MemberRemovedEvent is the payload of member:removed on a workspace's
// topic: someone left or was removed from the workspace.
type MemberRemovedEvent struct {
	UserID relay.ID `json:"user_id"`
}

// UnreadEvent is the payload of unread:updated on a user's topic.
type UnreadEvent struct {
	ChannelID    relay.ID `json:"channel_id"`
	LastReadSeq  int64    `json:"last_read_seq"`
	UnreadCount  int64    `json:"unread_count"`
	MentionCount int64    `json:"mention_count"`
}

// MentionEvent is the payload of mention on a mentioned user's topic.
type MentionEvent struct {
	ChannelID relay.ID `json:"channel_id"`
	MessageID relay.ID `json:"message_id"`
	Seq       int64    `json:"seq"`
}
