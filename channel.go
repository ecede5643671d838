package relay

import "time"

// ChannelKind says what a channel is for.
type ChannelKind string

// Channel kinds.
const (
	ChannelPublic   ChannelKind = "public"   // any staff member of the workspace may browse and join
	ChannelPrivate  ChannelKind = "private"  // members join by invitation of a channel member
	ChannelDM       ChannelKind = "dm"       // a direct conversation of 2–8 people; one per set of people
	ChannelTicket   ChannelKind = "ticket"   // the chat of one support ticket
	ChannelExternal ChannelKind = "external" // bridged to an outside conversation (LINE, Discord…)
)

// MaxDMMembers is the largest group DM.
const MaxDMMembers = 8

// Channel is a conversation. LastSeq is the seq of its newest message;
// LastChange counts every change to its messages (create, edit, delete,
// reaction, thread update), so a client that remembers both can catch up on
// everything it missed.
type Channel struct {
	ID          ID          `json:"id"`
	WorkspaceID ID          `json:"workspace_id"`
	Name        string      `json:"name"` // without '#'; for DMs, empty (clients name them after the members)
	Kind        ChannelKind `json:"kind"`
	Topic       string      `json:"topic"`
	Purpose     string      `json:"purpose"`
	Archived    bool        `json:"archived"`
	// Default channels (#general) are joined by every new staff member and
	// cannot be left or archived.
	Default     bool      `json:"default"`
	CreatedBy   ID        `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	MemberCount int       `json:"member_count"`
	LastSeq     int64     `json:"last_seq"`
	LastChange  int64     `json:"last_change"`
	// VisibleCount counts the messages shown in the channel's timeline
	// (top-level messages and replies also sent to the channel); unread
	// counts are differences of it, never scans.
	VisibleCount int64 `json:"-"`
	// DMKey identifies a DM by its sorted member ids, so opening the same
	// set of people again finds the same channel. Empty for other kinds.
	DMKey string `json:"-"`

	// For the caller; zero when the caller is not a member.
	Member *ChannelMember `json:"membership,omitempty"`
	// For DMs: the members' ids, so clients can name the conversation.
	DMUserIDs []ID `json:"dm_user_ids,omitempty"`
	// Flattened from Member for clients that want them at the top level.
	UnreadCount  int64 `json:"unread_count"`
	MentionCount int64 `json:"mention_count"`
	LastReadSeq  int64 `json:"last_read_seq"`
	IsMember     bool  `json:"is_member"`
}

// ChannelMember is one user's membership of a channel and their read state.
type ChannelMember struct {
	ChannelID   ID        `json:"channel_id"`
	UserID      ID        `json:"user_id"`
	JoinedAt    time.Time `json:"joined_at"`
	LastReadSeq int64     `json:"last_read_seq"`
	// ReadVisible is the channel's VisibleCount at the read cursor, so
	// unread = Channel.VisibleCount − ReadVisible.
	ReadVisible  int64 `json:"-"`
	UnreadCount  int64 `json:"unread_count"`
	MentionCount int64 `json:"mention_count"`
}

// ChannelUpdate lists what PATCH /channels/{id} may change; nil is unchanged.
type ChannelUpdate struct {
	Name    *string `json:"name"`
	Topic   *string `json:"topic"`
	Purpose *string `json:"purpose"`
}

// ChannelFilter selects channels for ListChannels.
type ChannelFilter struct {
	// Viewer is the user whose membership and counts are filled in.
	Viewer ID
	// MemberOnly lists only channels Viewer is a member of ("my channels");
	// otherwise public channels are listed too (browse), plus Viewer's own.
	MemberOnly bool
	// Kinds limits the kinds listed; empty means every kind.
	Kinds []ChannelKind
	// IncludeArchived lists archived channels too.
	IncludeArchived bool
}
