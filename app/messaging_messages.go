package app

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/emoji"
	"github.com/relayhq/relay/policy"
)

// PostInput is what sending a message takes.
type PostInput struct {
	Body        string    `json:"body"`
	ParentID    *relay.ID `json:"parent_id"`
	ClientMsgID string    `json:"client_msg_id"`
	// Broadcast also shows a thread reply in the channel ("also send to #channel").
	Broadcast bool `json:"broadcast"`
}

var clientMsgIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// validateBody checks a message body: non-blank text of at most
// MaxMessageRunes characters. Surrounding whitespace is kept (it may be
// Markdown), but a body of whitespace only is refused.
func validateBody(body string) error {
	switch {
	case !utf8.ValidString(body):
		return relay.Errorf(relay.EINVALID, "The message is not valid UTF-8 text.")
	case strings.TrimFunc(body, unicode.IsSpace) == "":
		return relay.Errorf(relay.EINVALID, "A message cannot be empty.")
	case utf8.RuneCountInString(body) > relay.MaxMessageRunes:
		return relay.Errorf(relay.ETOOLARGE, "A message may be at most %d characters.", relay.MaxMessageRunes)
	case strings.ContainsRune(body, 0):
		return relay.Errorf(relay.EINVALID, "The message contains a NUL character.")
	}
	return nil
}

var (
	mentionIDRE  = regexp.MustCompile(`<@([0-9]{1,19})>`)
	mentionAllRE = regexp.MustCompile(`(^|[^\w@])@(channel|here|everyone)\b`)
)

// ParseMentions finds user mentions written <@id> (what clients insert when
// completing @name) and @channel / @here / @everyone.
func ParseMentions(body string) (ids []relay.ID, all bool) {
	for _, m := range mentionIDRE.FindAllStringSubmatch(body, 50) {
		if id, err := relay.ParseID(m[1]); err == nil && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, mentionAllRE.MatchString(body)
}

// mentionsIn keeps the mentioned users who are members of the channel.
func (a *Messaging) mentionsIn(ctx context.Context, ws, channel relay.ID, ids []relay.ID) ([]relay.ID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	members, err := a.store.ChannelMemberIDs(ctx, ws, channel)
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		if slices.Contains(members, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// PostMessage sends a message to a channel as the actor. Retrying with the
// same client_msg_id returns the message already stored.
func (a *Messaging) PostMessage(ctx context.Context, actor *relay.Actor, channelID relay.ID, in PostInput) (*relay.Message, error) {
	c, on, err := a.channelAccess(ctx, actor, channelID, false)
	if err != nil {
		return nil, err
	}
	if err := policy.CheckChannel(actor, policy.PostMessage, on); err != nil {
		return nil, err
	}
	if err := validateBody(in.Body); err != nil {
		return nil, err
	}
	if in.ClientMsgID != "" && !clientMsgIDRE.MatchString(in.ClientMsgID) {
		return nil, relay.Errorf(relay.EINVALID, "client_msg_id must be 1–64 characters of letters, digits and . _ : -")
	}
	if in.ParentID != nil {
		p, err := a.store.Message(ctx, actor.Workspace.ID, *in.ParentID)
		if err != nil || p.ChannelID != c.ID {
			return nil, relay.Errorf(relay.EINVALID, "parent_id does not name a message in this channel.")
		}
		if p.ParentID != nil {
			return nil, relay.Errorf(relay.EINVALID, "Replies go to the thread's first message, not to another reply.")
		}
	} else if in.Broadcast {
		return nil, relay.Errorf(relay.EINVALID, "broadcast applies to thread replies only.")
	}
	if err := a.checkMessageRate(ctx, a.store, actor); err != nil {
		return nil, err
	}
	ids, all := ParseMentions(in.Body)
	if ids, err = a.mentionsIn(ctx, actor.Workspace.ID, c.ID, ids); err != nil {
		return nil, err
	}
	u := actor.User
	m := &relay.Message{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, ChannelID: c.ID,
		Author: relay.Author{ID: u.ID, Kind: relay.AuthorUser, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL},
		Source: relay.SourceInternal, Body: in.Body, ParentID: in.ParentID, Broadcast: in.Broadcast,
		ClientMsgID: in.ClientMsgID, CreatedAt: a.Now(), Mentions: ids, MentionAll: all}
	res, err := a.seq.post(ctx, m)
	if err != nil {
		return nil, err
	}
	return res.Message, nil
}

// afterPost publishes what a stored post changed. It runs in the
// sequencer's shard, so events leave in seq order.
func (a *Messaging) afterPost(ctx context.Context, r relay.PostResult) {
	if r.Existing {
		return
	}
	m := r.Message
	a.publishMessage(ctx, EvMessageNew, m, m)

	if r.Parent != nil {
		a.publishMessage(ctx, EvThreadUpdated, r.Parent, r.Parent)
	}
	for _, uid := range m.Mentions {
		if uid != m.Author.ID {
			a.publish(ctx, m.WorkspaceID, relay.UserTopic(uid), EvMention, MentionEvent{ChannelID: m.ChannelID, MessageID: m.ID, Seq: m.Seq}, 0, 0)
		}
	}
}

// messageView loads a message and its channel as the actor sees them.
func (a *Messaging) messageView(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Message, *relay.Channel, policy.On, error) {
	if actor == nil || actor.Membership == nil {
		return nil, nil, policy.On{}, policy.CheckChannel(actor, policy.ReadChannel, policy.On{})
	}
	m, err := a.store.Message(ctx, actor.Workspace.ID, id)
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, nil, policy.On{}, relay.Errorf(relay.ENOTFOUND, "Message not found.")
		}
		return nil, nil, policy.On{}, err
	}
	c, on, err := a.channelAccess(ctx, actor, m.ChannelID, false)
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, nil, on, relay.Errorf(relay.ENOTFOUND, "Message not found.")
		}
		return nil, nil, on, err
	}
	on.Author = m.Author.Kind == relay.AuthorUser && m.Author.ID == actor.User.ID
	return m, c, on, nil
}

// EditMessage replaces the body of the actor's own message.
func (a *Messaging) EditMessage(ctx context.Context, actor *relay.Actor, id relay.ID, body string) (*relay.Message, error) {
	m, c, on, err := a.messageView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := policy.CheckChannel(actor, policy.EditMessage, on); err != nil {
		return nil, err
	}
	if c.Archived {
		return nil, relay.Errorf(relay.EFORBIDDEN, "The channel is archived.")
	}
	if m.DeletedAt != nil {
		return nil, relay.Errorf(relay.ECONFLICT, "A deleted message cannot be edited.")
	}
	if err := validateBody(body); err != nil {
		return nil, err
	}
	ids, all := ParseMentions(body)
	if ids, err = a.mentionsIn(ctx, actor.Workspace.ID, c.ID, ids); err != nil {
		return nil, err
	}
	out, err := a.storeEdit(ctx, actor.Workspace.ID, c.ID, id, body, ids, all)
	if err == nil && relay.Bridged(m, c.Kind) {
		a.wakeOutbox() // the edit follows the message out
	}
	return out, err
}

// DeleteMessage tombstones a message (author, owners and admins).
func (a *Messaging) DeleteMessage(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	m, c, on, err := a.messageView(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := policy.CheckChannel(actor, policy.DeleteMessage, on); err != nil {
		return err
	}
	err = a.storeDelete(ctx, actor.Workspace.ID, c.ID, id)
	if err == nil && relay.Bridged(m, c.Kind) {
		a.wakeOutbox() // the deletion follows the message out
	}
	return err
}

// storeEdit stores an edit through the channel's sequencer shard (so it
// never overtakes the post it edits) and publishes it.
func (a *Messaging) storeEdit(ctx context.Context, ws, channelID, id relay.ID, body string, mentions []relay.ID, all bool) (*relay.Message, error) {
	body = emoji.Replace(body) // as seq.post does for new messages
	var out *relay.Message
	err := a.seq.do(ctx, channelID, func(ctx context.Context) error {
		var err error
		out, err = a.store.EditMessage(ctx, ws, id, body, mentions, all, a.Now())
		if err == nil {
			a.publishMessage(ctx, EvMessageUpdated, out, out)
		}
		return err
	})
	return out, err
}

// storeDelete tombstones a message through its channel's shard and
// publishes the tombstone.
func (a *Messaging) storeDelete(ctx context.Context, ws, channelID, id relay.ID) error {
	return a.seq.do(ctx, channelID, func(ctx context.Context) error {
		out, err := a.store.DeleteMessage(ctx, ws, id, a.Now())
		if err == nil {
			a.publishMessage(ctx, EvMessageDeleted, out, out)
		}
		return err
	})
}

// ValidateEmoji checks a reaction is an emoji (the character itself, not a
// :shortcode:): at most 64 bytes, at least one pictographic character, and
// nothing but emoji characters, joiners, selectors, skin tones, tags and
// keycap parts.
func ValidateEmoji(s string) error {
	bad := relay.Errorf(relay.EINVALID, "A reaction must be an emoji character, like 👍.")
	if s == "" || len(s) > 64 || !utf8.ValidString(s) {
		return bad
	}
	pictographic := false
	for _, r := range s {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF,
			r >= 0x2B00 && r <= 0x2BFF, r >= 0x2190 && r <= 0x21FF, r >= 0x2900 && r <= 0x297F,
			r == 0x00A9, r == 0x00AE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139, r == 0x3030,
			r == 0x303D, r == 0x3297, r == 0x3299, r >= 0x25A0 && r <= 0x25FF:
			pictographic = true
		case r == 0x200D, r == 0xFE0F, r == 0xFE0E, r == 0x20E3, r >= 0xE0020 && r <= 0xE007F,
			r >= '0' && r <= '9', r == '#', r == '*':
		default:
			return bad
		}
	}
	if !pictographic && !strings.ContainsRune(s, 0x20E3) {
		return bad
	}
	return nil
}

// React adds (on=true) or removes the actor's emoji reaction; both are idempotent.
func (a *Messaging) React(ctx context.Context, actor *relay.Actor, id relay.ID, emoji string, add bool) (*relay.Message, error) {
	m, c, on, err := a.messageView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := ValidateEmoji(emoji); err != nil {
		return nil, err
	}
	if err := policy.CheckChannel(actor, policy.PostMessage, on); err != nil {
		return nil, err
	}
	if m.DeletedAt != nil {
		return nil, relay.Errorf(relay.ECONFLICT, "A deleted message cannot get reactions.")
	}
	var out *relay.Message
	err = a.seq.do(ctx, c.ID, func(ctx context.Context) error {
		var changed bool
		var err error
		name := EvReactionAdded
		if add {
			out, changed, err = a.store.AddReaction(ctx, actor.Workspace.ID, id, actor.User.ID, emoji, a.Now())
		} else {
			name = EvReactionRemoved
			out, changed, err = a.store.RemoveReaction(ctx, actor.Workspace.ID, id, actor.User.ID, emoji, a.Now())
		}
		if err == nil && changed {
			a.publishMessage(ctx, name, MessageEvent{Message: out, Reaction: &ReactionChange{Emoji: emoji, UserID: actor.User.ID}}, out)
		}
		return err
	})
	return out, err
}

// History returns a page of a channel's timeline.
func (a *Messaging) History(ctx context.Context, actor *relay.Actor, channelID relay.ID, q relay.HistoryQuery) ([]relay.Message, error) {
	c, _, err := a.channelAccess(ctx, actor, channelID, false)
	if err != nil {
		return nil, err
	}
	if err := checkHistoryQuery(&q); err != nil {
		return nil, err
	}
	msgs, err := a.store.History(ctx, actor.Workspace.ID, c.ID, q)
	if err != nil {
		return nil, err
	}
	return msgs, a.withDeliveries(ctx, c, msgs)
}

// checkHistoryQuery validates a history page request and sets its default limit.
func checkHistoryQuery(q *relay.HistoryQuery) error {
	set := 0
	for _, v := range []int64{q.Before, q.After, q.Around} {
		if v < 0 {
			return relay.Errorf(relay.EINVALID, "before, after and around must be positive seqs.")
		}
		if v > 0 {
			set++
		}
	}
	if set > 1 {
		return relay.Errorf(relay.EINVALID, "Use at most one of before, after and around.")
	}
	switch {
	case q.Limit == 0:
		q.Limit = 50
	case q.Limit < 1 || q.Limit > 200:
		return relay.Errorf(relay.EINVALID, "limit must be between 1 and 200.")
	}
	return nil
}

// Replies returns a thread: its first message's replies, oldest first.
func (a *Messaging) Replies(ctx context.Context, actor *relay.Actor, id relay.ID) ([]relay.Message, error) {
	m, _, _, err := a.messageView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if m.ParentID != nil {
		return nil, relay.Errorf(relay.EINVALID, "That message is a reply; ask for its thread's first message.")
	}
	return a.store.Replies(ctx, actor.Workspace.ID, m.ID, 1000)
}

// MarkRead moves the actor's read cursor in a channel (never backwards)
// and tells the actor's other tabs.
func (a *Messaging) MarkRead(ctx context.Context, actor *relay.Actor, channelID relay.ID, seq int64) (*relay.ChannelMember, error) {
	c, on, err := a.channelAccess(ctx, actor, channelID, false)
	if err != nil {
		return nil, err
	}
	if !on.Member {
		return nil, relay.Errorf(relay.EFORBIDDEN, "Join the channel to keep a read position in it.")
	}
	if seq < 0 {
		return nil, relay.Errorf(relay.EINVALID, "seq must not be negative.")
	}
	m, changed, err := a.store.MarkRead(ctx, actor.Workspace.ID, c.ID, actor.User.ID, seq)
	if err != nil {
		return nil, err
	}
	if changed {
		a.publish(ctx, actor.Workspace.ID, relay.UserTopic(actor.User.ID), EvUnreadUpdated,
			UnreadEvent{ChannelID: c.ID, LastReadSeq: m.LastReadSeq, UnreadCount: m.UnreadCount, MentionCount: m.MentionCount}, 0, 0)
	}
	return m, nil
}

// SetStatus records the actor's presence choice and custom status, and
// tells the workspace.
func (a *Messaging) SetStatus(ctx context.Context, actor *relay.Actor, st relay.Status) (*relay.Status, error) {
	if err := policy.Check(actor, policy.ReadSelf, policy.Target{}); err != nil {
		return nil, err
	}
	switch st.Presence {
	case "":
		st.Presence = relay.PresenceOnline
	case relay.PresenceOnline, relay.PresenceAway, relay.PresenceDND:
	default:
		return nil, relay.Errorf(relay.EINVALID, "presence must be online, away or dnd.")
	}
	var err error
	if st.Text, err = normalizeText("text", st.Text, 100); err != nil {
		return nil, err
	}
	if st.Emoji != "" {
		if err := ValidateEmoji(st.Emoji); err != nil {
			return nil, err
		}
	}
	if st.ExpiresAt != nil {
		if !st.ExpiresAt.After(a.Now()) {
			return nil, relay.Errorf(relay.EINVALID, "expires_at must be in the future.")
		}
		t := st.ExpiresAt.UTC().Truncate(time.Microsecond)
		st.ExpiresAt = &t
	}
	if err := a.store.SetStatus(ctx, actor.Workspace.ID, actor.User.ID, st); err != nil {
		return nil, err
	}
	a.publish(ctx, actor.Workspace.ID, relay.WorkspaceTopic(actor.Workspace.ID), EvStatusUpdated,
		struct {
			UserID relay.ID `json:"user_id"`
			relay.Status
		}{actor.User.ID, st}, 0, 0)
	return &st, nil
}

// Statuses returns the workspace members' current custom statuses.
func (a *Messaging) Statuses(ctx context.Context, actor *relay.Actor) (map[relay.ID]relay.Status, error) {
	if err := policy.Check(actor, policy.ReadSelf, policy.Target{}); err != nil {
		return nil, err
	}
	return a.store.Statuses(ctx, actor.Workspace.ID, a.Now())
}

// CatchUp is what a socket join with last_seq / last_change missed.
type CatchUp struct {
	Messages []relay.Message // seq > lastSeq, ascending
	Changed  []relay.Message // seq <= lastSeq, change > lastChange, by change
	// Reset is true when more was missed than a socket should replay; the
	// client reloads history over HTTP instead.
	Reset bool
}

// MaxCatchUp bounds how many messages a join replays.
const MaxCatchUp = 1000

// CatchUp loads what a client that saw up to lastSeq / lastChange missed in a channel.
func (a *Messaging) CatchUp(ctx context.Context, actor *relay.Actor, channelID relay.ID, lastSeq, lastChange int64) (*CatchUp, error) {
	c, _, err := a.channelAccess(ctx, actor, channelID, true)
	if err != nil {
		return nil, err
	}
	return a.catchUp(ctx, c, lastSeq, lastChange)
}

// catchUp loads what a client missed in channel c (read fresh: its
// counters are current), once access is decided.
func (a *Messaging) catchUp(ctx context.Context, c *relay.Channel, lastSeq, lastChange int64) (*CatchUp, error) {
	var err error
	out := &CatchUp{}
	if lastSeq < 0 || lastChange < 0 || lastSeq > c.LastSeq || lastChange > c.LastChange {
		out.Reset = true // the client's view is from another world (a restored database?)
		return out, nil
	}
	if c.LastSeq-lastSeq > MaxCatchUp {
		out.Reset = true
		return out, nil
	}
	if out.Messages, err = a.store.MessagesAfter(ctx, c.WorkspaceID, c.ID, lastSeq, MaxCatchUp); err != nil {
		return nil, err
	}
	if lastChange > 0 {
		if out.Changed, err = a.store.ChangedSince(ctx, c.WorkspaceID, c.ID, lastSeq, lastChange, MaxCatchUp+1); err != nil {
			return nil, err
		}
		if len(out.Changed) > MaxCatchUp {
			out.Reset, out.Changed = true, nil
		}
	}
	return out, nil
}

// ChannelAccess checks the actor may read a channel and returns its kind,
// flags, fresh counters and the actor's membership, in one indexed lookup
// (no counts, no cache). The socket layer uses it on joins and rechecks.
func (a *Messaging) ChannelAccess(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Channel, error) {
	c, _, err := a.channelAccess(ctx, actor, id, true)
	return c, err
}

// withDeliveries fills in the outside state of the messages that went out
// to outside conversations (relay.Bridged).
func (a *Messaging) withDeliveries(ctx context.Context, c *relay.Channel, msgs []relay.Message) error {
	var ids []relay.ID
	for i := range msgs {
		if relay.Bridged(&msgs[i], c.Kind) {
			ids = append(ids, msgs[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ds, err := a.store.MessageDeliveries(ctx, c.WorkspaceID, ids)
	if err != nil {
		return err
	}
	for i := range msgs {
		msgs[i].Deliveries = ds[msgs[i].ID]
	}
	return nil
}
