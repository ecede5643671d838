package app

import (
	"context"
	"time"

	"github.com/relayhq/relay"
)

// MessagingStore is the persistence of channels, messages and read state.
// It follows the same contract as Store (one transaction per call, workspace
// explicit, ENOTFOUND/ECONFLICT codes, microsecond times).
type MessagingStore interface {
	// CreateChannel inserts c with the given members (c.CreatedBy among
	// them, each joined at c.CreatedAt with the read cursor at 0).
	// A DM with the same DMKey in the workspace, or a non-DM channel with
	// the same name, is ECONFLICT.
	CreateChannel(ctx context.Context, c *relay.Channel, memberIDs []relay.ID) error
	// ChannelByDMKey finds the DM of exactly that set of people.
	ChannelByDMKey(ctx context.Context, workspaceID relay.ID, dmKey string) (*relay.Channel, error)
	// Channel returns one channel with MemberCount, and, when viewer is a
	// member, the viewer's membership and counts (IsMember, LastReadSeq,
	// UnreadCount, MentionCount, and Member).
	Channel(ctx context.Context, workspaceID, channelID, viewer relay.ID) (*relay.Channel, error)
	// ChannelAccess returns the channel's kind, flags (Archived, Default),
	// CreatedBy, LastSeq, LastChange and whether userID IsMember — what a
	// permission check needs, in one cheap lookup (no counts).
	ChannelAccess(ctx context.Context, workspaceID, channelID, userID relay.ID) (*relay.Channel, error)
	// ListChannels lists channels by name (DMs last, by newest activity),
	// with the viewer's counts filled in as Channel does.
	ListChannels(ctx context.Context, workspaceID relay.ID, f relay.ChannelFilter) ([]relay.Channel, error)
	// DMUserIDs returns the members of each DM channel asked for, by channel id.
	DMUserIDs(ctx context.Context, workspaceID relay.ID, channelIDs []relay.ID) (map[relay.ID][]relay.ID, error)
	// UpdateChannel applies the non-nil fields (already validated).
	UpdateChannel(ctx context.Context, workspaceID, channelID relay.ID, upd relay.ChannelUpdate, now time.Time) (*relay.Channel, error)
	SetChannelArchived(ctx context.Context, workspaceID, channelID relay.ID, archived bool, now time.Time) (*relay.Channel, error)
	// DefaultChannels returns the ids of the channels every new staff
	// member joins (#general).
	DefaultChannels(ctx context.Context, workspaceID relay.ID) ([]relay.ID, error)
	// SetDefaultChannel marks a channel as joined by every new staff member.
	SetDefaultChannel(ctx context.Context, workspaceID, channelID relay.ID) error

	// AddChannelMembers adds users (ignoring those already members), each
	// with the read cursor at the channel's current last seq (no unread
	// flood on joining). Users must be workspace members (ENOTFOUND
	// otherwise). It returns the ids actually added.
	AddChannelMembers(ctx context.Context, workspaceID, channelID relay.ID, userIDs []relay.ID, now time.Time) ([]relay.ID, error)
	// RemoveChannelMember removes one member; ENOTFOUND if not a member.
	RemoveChannelMember(ctx context.Context, workspaceID, channelID, userID relay.ID) error
	// ChannelMember returns the user's membership of the channel with counts.
	ChannelMember(ctx context.Context, workspaceID, channelID, userID relay.ID) (*relay.ChannelMember, error)
	// ListChannelMembers returns the channel's members' users, by display name.
	ListChannelMembers(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.User, error)
	// ChannelMemberIDs returns the ids of the channel's members.
	ChannelMemberIDs(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.ID, error)

	// PostMessages stores messages, possibly of several channels and
	// workspaces, in ONE transaction (group commit). For each, in order:
	//   - if (channel, author, client_msg_id) exists (client_msg_id non-empty),
	//     the result is that message with Existing=true and nothing is written;
	//   - otherwise it gets seq = ++channel.last_seq and change =
	//     ++channel.last_change (gap-free, strictly increasing per channel),
	//     its timeline position if Visible(), its mentions recorded, and
	//     created_at as given;
	//   - a reply (ParentID set) updates the parent: reply_count+1,
	//     last_reply_at, reply_users (distinct, in order of first reply), and
	//     a new change for the parent; the parent must be a top-level
	//     message of the same channel (EINVALID otherwise);
	//   - the author's read cursor (if the author is a channel member) moves
	//     to the new seq, so one's own messages are never unread.
	// Any error rolls back the whole batch; callers retry items one by one
	// to find the bad one.
	PostMessages(ctx context.Context, msgs []*relay.Message) ([]relay.PostResult, error)
	// Message returns one message with its reactions; ENOTFOUND if none in the workspace.
	Message(ctx context.Context, workspaceID, messageID relay.ID) (*relay.Message, error)
	// EditMessage replaces body and mentions, sets edited_at, takes a new change.
	EditMessage(ctx context.Context, workspaceID, messageID relay.ID, body string, mentions []relay.ID, mentionAll bool, now time.Time) (*relay.Message, error)
	// DeleteMessage tombstones a message: body "", deleted_at set, reactions
	// and mentions removed, a new change; seq, thread links and replies stay.
	// Deleting a deleted message returns it unchanged.
	DeleteMessage(ctx context.Context, workspaceID, messageID relay.ID, now time.Time) (*relay.Message, error)
	// AddReaction adds the user's emoji reaction (idempotent: changed=false
	// when it was there already, and no new change is taken).
	AddReaction(ctx context.Context, workspaceID, messageID, userID relay.ID, emoji string, now time.Time) (msg *relay.Message, changed bool, err error)
	// RemoveReaction removes it (idempotent likewise).
	RemoveReaction(ctx context.Context, workspaceID, messageID, userID relay.ID, emoji string, now time.Time) (msg *relay.Message, changed bool, err error)

	// History returns a page of the channel's timeline (Visible() messages)
	// in ascending seq order: the newest Limit when no bound is set; before
	// or after a seq (exclusive); or around a seq (up to Limit/2 before it,
	// the message itself, and the rest after).
	History(ctx context.Context, workspaceID, channelID relay.ID, q relay.HistoryQuery) ([]relay.Message, error)
	// Replies returns a thread's replies in ascending seq order.
	Replies(ctx context.Context, workspaceID, parentID relay.ID, limit int) ([]relay.Message, error)
	// MessagesAfter returns every message (replies too) with seq > after,
	// ascending, at most limit: what a rejoining client missed.
	MessagesAfter(ctx context.Context, workspaceID, channelID relay.ID, after int64, limit int) ([]relay.Message, error)
	// ChangedSince returns messages with seq <= maxSeq whose change is >
	// afterChange, ascending by change, at most limit: edits, deletions,
	// reactions and thread updates a rejoining client missed.
	ChangedSince(ctx context.Context, workspaceID, channelID relay.ID, maxSeq, afterChange int64, limit int) ([]relay.Message, error)

	// MarkRead moves the user's read cursor to seq (clamped to the
	// channel's last seq) and recomputes their unread and mention counts.
	// It never moves backwards: changed=false when seq is not beyond it.
	MarkRead(ctx context.Context, workspaceID, channelID, userID relay.ID, seq int64) (m *relay.ChannelMember, changed bool, err error)

	// SetStatus records a member's presence choice and custom status.
	SetStatus(ctx context.Context, workspaceID, userID relay.ID, st relay.Status) error
	// Statuses returns the custom statuses of the workspace's members that
	// have one (expired ones excluded at now).
	Statuses(ctx context.Context, workspaceID relay.ID, now time.Time) (map[relay.ID]relay.Status, error)
	// MemberStatus returns one member's status; one expired at now reads as
	// the default (online, no text or emoji). ENOTFOUND for a non-member.
	MemberStatus(ctx context.Context, workspaceID, userID relay.ID, now time.Time) (relay.Status, error)
}

// messagingStore is what Messaging is handed: MessagingStore and the few
// reads of members, users and deliveries it needs.
type messagingStore interface {
	workspaceReader // the message rate limit's settings (messaging_rate.go)
	MessagingStore
	MembersByID(ctx context.Context, workspaceID relay.ID, userIDs []relay.ID) (map[relay.ID]relay.Member, error)
	MessageDeliveries(ctx context.Context, workspaceID relay.ID, messageIDs []relay.ID) (map[relay.ID][]relay.Delivery, error)
	UserByID(ctx context.Context, id relay.ID) (*relay.User, error)
}
