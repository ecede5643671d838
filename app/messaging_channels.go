package app

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

var channelNameRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_-]*$`)

// NormalizeChannelName lower-cases a channel name, drops a leading '#',
// turns spaces into hyphens, and checks it: 1–80 characters of letters,
// digits, '-' and '_', starting with a letter or digit.
func NormalizeChannelName(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#")))
	s = strings.Join(strings.Fields(s), "-")
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", relay.Errorf(relay.EINVALID, "A channel name is required.")
	case n > 80:
		return "", relay.Errorf(relay.EINVALID, "A channel name must be at most 80 characters.")
	case !channelNameRE.MatchString(s):
		return "", relay.Errorf(relay.EINVALID, "A channel name may use letters, digits, '-' and '_', and must start with a letter or digit.")
	}
	return s, nil
}

func normalizeText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", relay.Errorf(relay.EINVALID, "%s is not valid text.", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", relay.Errorf(relay.EINVALID, "%s must be at most %d characters.", field, max)
	}
	return s, nil
}

// CreateChannelInput is what creating a channel takes.
type CreateChannelInput struct {
	Name    string            `json:"name"`
	Kind    relay.ChannelKind `json:"kind"`
	Topic   string            `json:"topic"`
	Purpose string            `json:"purpose"`
	// UserIDs are added as members besides the creator.
	UserIDs []relay.ID `json:"user_ids"`
}

// channelView loads a channel as the actor sees it (with counts and, for
// DMs, the members), or ENOTFOUND when the actor may not see it.
func (a *Messaging) channelView(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Channel, policy.On, error) {
	c, on, err := a.readChannel(actor, func() (*relay.Channel, error) {
		return a.store.Channel(ctx, actor.Workspace.ID, id, actor.User.ID)
	})
	if err != nil || c.Kind != relay.ChannelDM {
		return c, on, err
	}
	ids, err := a.store.DMUserIDs(ctx, actor.Workspace.ID, []relay.ID{c.ID})
	if err != nil {
		return nil, on, err
	}
	c.DMUserIDs = ids[c.ID]
	return c, on, nil
}

// channelAccess is channelView for hot paths (post, react, read, typing):
// one indexed lookup, no counts, no DM members, through the access cache
// (stale counters) unless fresh is set.
func (a *Messaging) channelAccess(ctx context.Context, actor *relay.Actor, id relay.ID, fresh bool) (*relay.Channel, policy.On, error) {
	return a.readChannel(actor, func() (*relay.Channel, error) {
		if fresh {
			return a.store.ChannelAccess(ctx, actor.Workspace.ID, id, actor.User.ID)
		}
		return a.cachedAccess(ctx, actor, id)
	})
}

// readChannel loads a channel with load and checks the actor may read it.
// A channel the actor may not see is ENOTFOUND, like a missing one.
func (a *Messaging) readChannel(actor *relay.Actor, load func() (*relay.Channel, error)) (*relay.Channel, policy.On, error) {
	if actor == nil || actor.Membership == nil {
		return nil, policy.On{}, policy.CheckChannel(actor, policy.ReadChannel, policy.On{})
	}
	c, err := load()
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, policy.On{}, relay.Errorf(relay.ENOTFOUND, "Channel not found.")
	} else if err != nil {
		return nil, policy.On{}, err
	}
	on := policy.On{Kind: c.Kind, Member: c.IsMember, Creator: c.CreatedBy == actor.User.ID, Archived: c.Archived, Default: c.Default}
	if err := policy.CheckChannel(actor, policy.ReadChannel, on); err != nil {
		return nil, on, err
	}
	return c, on, nil
}

// Channel returns one channel the actor can see.
func (a *Messaging) Channel(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Channel, error) {
	c, _, err := a.channelView(ctx, actor, id)
	return c, err
}

// CreateChannel creates a public or private channel with the actor in it.
func (a *Messaging) CreateChannel(ctx context.Context, actor *relay.Actor, in CreateChannelInput) (*relay.Channel, error) {
	if in.Kind == "" {
		in.Kind = relay.ChannelPublic
	}
	if err := policy.CheckChannel(actor, policy.CreateChannel, policy.On{Kind: in.Kind}); err != nil {
		return nil, err
	}
	name, err := NormalizeChannelName(in.Name)
	if err != nil {
		return nil, err
	}
	topic, err := normalizeText("topic", in.Topic, 250)
	if err != nil {
		return nil, err
	}
	purpose, err := normalizeText("purpose", in.Purpose, 250)
	if err != nil {
		return nil, err
	}
	members, err := a.staffMembers(ctx, actor, in.UserIDs)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	c := &relay.Channel{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, Name: name, Kind: in.Kind, Topic: topic,
		Purpose: purpose, CreatedBy: actor.User.ID, CreatedAt: now, UpdatedAt: now}
	if err := a.store.CreateChannel(ctx, c, append([]relay.ID{actor.User.ID}, members...)); err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT {
			return nil, relay.Errorf(relay.ECONFLICT, "A channel named #%s already exists.", name)
		}
		return nil, err
	}
	c, err = a.store.Channel(ctx, actor.Workspace.ID, c.ID, actor.User.ID)
	if err != nil {
		return nil, err
	}
	if c.Kind == relay.ChannelPublic {
		a.publish(ctx, c.WorkspaceID, relay.WorkspaceTopic(c.WorkspaceID), EvChannelCreated, publicView(c), 0, 0)
	}
	for _, uid := range members {
		a.publish(ctx, c.WorkspaceID, relay.UserTopic(uid), EvChannelJoined, publicView(c), 0, 0)
	}
	return c, nil
}

// staffMembers checks ids name staff members of the workspace (not
// customers), dropping duplicates and the actor.
func (a *Messaging) staffMembers(ctx context.Context, actor *relay.Actor, ids []relay.ID) ([]relay.ID, error) {
	if len(ids) > 1000 {
		return nil, relay.Errorf(relay.EINVALID, "At most 1000 people can be added at once.")
	}
	members, err := a.store.MembersByID(ctx, actor.Workspace.ID, ids)
	if err != nil {
		return nil, err
	}
	var out []relay.ID
	seen := make(map[relay.ID]bool, len(ids))
	for _, id := range ids {
		if id == actor.User.ID || seen[id] {
			continue
		}
		seen[id] = true
		m, ok := members[id]
		if !ok {
			return nil, relay.Errorf(relay.ENOTFOUND, "User %s is not a member of this workspace.", id)
		}
		if m.Role == relay.RoleCustomer {
			return nil, relay.Errorf(relay.EFORBIDDEN, "Customers cannot be added to internal channels.")
		}
		out = append(out, id)
	}
	return out, nil
}

// publicView strips the per-user fields from a channel for broadcasts.
func publicView(c *relay.Channel) *relay.Channel {
	v := *c
	v.Member, v.UnreadCount, v.MentionCount, v.LastReadSeq, v.IsMember = nil, 0, 0, 0, false
	return &v
}

// ListChannels lists the actor's channels ("mine") or, with browse, the
// public channels as well.
func (a *Messaging) ListChannels(ctx context.Context, actor *relay.Actor, browse, includeArchived bool) ([]relay.Channel, error) {
	if err := policy.Check(actor, policy.ReadSelf, policy.Target{}); err != nil {
		return nil, err
	}
	if browse {
		if err := policy.CheckChannel(actor, policy.BrowseChannels, policy.On{}); err != nil {
			return nil, err
		}
	}
	cs, err := a.store.ListChannels(ctx, actor.Workspace.ID, relay.ChannelFilter{Viewer: actor.User.ID, MemberOnly: !browse, IncludeArchived: includeArchived})
	if err != nil {
		return nil, err
	}
	var dms []relay.ID
	out := cs[:0]
	for _, c := range cs {
		on := policy.On{Kind: c.Kind, Member: c.IsMember}
		if policy.CheckChannel(actor, policy.ReadChannel, on) != nil {
			continue
		}
		if c.Kind == relay.ChannelDM && c.DMUserIDs == nil {
			dms = append(dms, c.ID)
		}
		out = append(out, c)
	}
	if len(dms) > 0 {
		ids, err := a.store.DMUserIDs(ctx, actor.Workspace.ID, dms)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].Kind == relay.ChannelDM && out[i].DMUserIDs == nil {
				out[i].DMUserIDs = ids[out[i].ID]
			}
		}
	}
	return out, nil
}

// UpdateChannel renames a channel or sets its topic and purpose.
func (a *Messaging) UpdateChannel(ctx context.Context, actor *relay.Actor, id relay.ID, upd relay.ChannelUpdate) (*relay.Channel, error) {
	c, on, err := a.channelView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if upd.Name == nil && upd.Topic == nil && upd.Purpose == nil {
		return nil, relay.Errorf(relay.EINVALID, "Nothing to change: send name, topic or purpose.")
	}
	if upd.Name != nil {
		if err := policy.CheckChannel(actor, policy.RenameChannel, on); err != nil {
			return nil, err
		}
		n, err := NormalizeChannelName(*upd.Name)
		if err != nil {
			return nil, err
		}
		upd.Name = &n
	}
	if upd.Topic != nil || upd.Purpose != nil {
		if err := policy.CheckChannel(actor, policy.SetChannelTopic, on); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		v    **string
	}{{"topic", &upd.Topic}, {"purpose", &upd.Purpose}} {
		if *f.v != nil {
			t, err := normalizeText(f.name, **f.v, 250)
			if err != nil {
				return nil, err
			}
			*f.v = &t
		}
	}
	if _, err := a.store.UpdateChannel(ctx, actor.Workspace.ID, c.ID, upd, a.Now()); err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT && upd.Name != nil {
			return nil, relay.Errorf(relay.ECONFLICT, "A channel named #%s already exists.", *upd.Name)
		}
		return nil, err
	}
	return a.channelChanged(ctx, actor, c.ID)
}

// channelChanged reloads a channel after a change and tells its watchers.
func (a *Messaging) channelChanged(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Channel, error) {
	a.access.dropChannel(id)
	c, _, err := a.channelView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	pv := publicView(c)
	a.publish(ctx, c.WorkspaceID, relay.ChannelTopic(c.ID), EvChannelUpdated, pv, 0, 0)
	if c.Kind == relay.ChannelPublic {
		a.publish(ctx, c.WorkspaceID, relay.WorkspaceTopic(c.WorkspaceID), EvChannelUpdated, pv, 0, 0)
	}
	return c, nil
}

// SetArchived archives or unarchives a channel.
func (a *Messaging) SetArchived(ctx context.Context, actor *relay.Actor, id relay.ID, archived bool) (*relay.Channel, error) {
	c, on, err := a.channelView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := policy.CheckChannel(actor, policy.ArchiveChannel, on); err != nil {
		return nil, err
	}
	if c.Archived != archived {
		if _, err := a.store.SetChannelArchived(ctx, actor.Workspace.ID, c.ID, archived, a.Now()); err != nil {
			return nil, err
		}
	}
	return a.channelChanged(ctx, actor, c.ID)
}

// JoinChannel adds the actor to a public channel.
func (a *Messaging) JoinChannel(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Channel, error) {
	c, on, err := a.channelView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := policy.CheckChannel(actor, policy.JoinChannel, on); err != nil {
		return nil, err
	}
	if c.Archived {
		return nil, relay.Errorf(relay.EFORBIDDEN, "The channel is archived.")
	}
	if err := a.addMembers(ctx, actor, c, []relay.ID{actor.User.ID}); err != nil {
		return nil, err
	}
	c, _, err = a.channelView(ctx, actor, id)
	return c, err
}

// addMembers adds users and tells the channel and each new member.
func (a *Messaging) addMembers(ctx context.Context, actor *relay.Actor, c *relay.Channel, ids []relay.ID) error {
	added, err := a.store.AddChannelMembers(ctx, actor.Workspace.ID, c.ID, ids, a.Now())
	a.access.dropChannel(c.ID)
	if err != nil {
		return err
	}
	users, err := a.store.MembersByID(ctx, actor.Workspace.ID, added)
	if err != nil {
		return err
	}
	for _, uid := range added {
		u := users[uid].User
		a.publish(ctx, c.WorkspaceID, relay.ChannelTopic(c.ID), EvMemberJoined, MemberEvent{ChannelID: c.ID, Kind: c.Kind, User: &u}, 0, 0)
		a.publish(ctx, c.WorkspaceID, relay.UserTopic(uid), EvChannelJoined, publicView(c), 0, 0)
	}
	return nil
}

// AddChannelMembers adds workspace staff to a channel the actor is in.
func (a *Messaging) AddChannelMembers(ctx context.Context, actor *relay.Actor, id relay.ID, userIDs []relay.ID) (*relay.Channel, error) {
	c, on, err := a.channelView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if len(userIDs) == 0 {
		return nil, relay.Errorf(relay.EINVALID, "user_ids must name at least one person.")
	}
	if err := policy.CheckChannel(actor, policy.AddChannelMember, on); err != nil {
		return nil, err
	}
	ids, err := a.staffMembers(ctx, actor, userIDs)
	if err != nil {
		return nil, err
	}
	if slices.Contains(userIDs, actor.User.ID) && !c.IsMember {
		ids = append(ids, actor.User.ID)
	}
	if err := a.addMembers(ctx, actor, c, ids); err != nil {
		return nil, err
	}
	c, _, err = a.channelView(ctx, actor, id)
	return c, err
}

// LeaveChannel removes the actor from a channel.
func (a *Messaging) LeaveChannel(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	c, on, err := a.channelView(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := policy.CheckChannel(actor, policy.LeaveChannel, on); err != nil {
		return err
	}
	return a.removeMember(ctx, c, actor.User)
}

// RemoveChannelMember removes someone (or, for oneself, leaves).
func (a *Messaging) RemoveChannelMember(ctx context.Context, actor *relay.Actor, id, userID relay.ID) error {
	if actor != nil && actor.User != nil && userID == actor.User.ID {
		return a.LeaveChannel(ctx, actor, id)
	}
	c, on, err := a.channelView(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := policy.CheckChannel(actor, policy.KickChannelMember, on); err != nil {
		return err
	}
	u, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return relay.Errorf(relay.ENOTFOUND, "That person is not a member of this channel.")
	}
	return a.removeMember(ctx, c, u)
}

func (a *Messaging) removeMember(ctx context.Context, c *relay.Channel, u *relay.User) error {
	err := a.store.RemoveChannelMember(ctx, c.WorkspaceID, c.ID, u.ID)
	a.access.dropChannel(c.ID)
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return relay.Errorf(relay.ENOTFOUND, "That person is not a member of this channel.")
		}
		return err
	}
	a.publish(ctx, c.WorkspaceID, relay.ChannelTopic(c.ID), EvMemberLeft, MemberEvent{ChannelID: c.ID, Kind: c.Kind, User: u}, 0, 0)
	a.publish(ctx, c.WorkspaceID, relay.UserTopic(u.ID), EvChannelLeft, publicView(c), 0, 0)
	return nil
}

// ListChannelMembers lists who is in a channel the actor can see.
func (a *Messaging) ListChannelMembers(ctx context.Context, actor *relay.Actor, id relay.ID) ([]relay.User, error) {
	c, _, err := a.channelView(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return a.store.ListChannelMembers(ctx, actor.Workspace.ID, c.ID)
}

// OpenDM returns the direct conversation of the actor and the given
// people, creating it the first time. Opening it again returns the same one.
func (a *Messaging) OpenDM(ctx context.Context, actor *relay.Actor, userIDs []relay.ID) (*relay.Channel, error) {
	if err := policy.CheckChannel(actor, policy.OpenDM, policy.On{}); err != nil {
		return nil, err
	}
	others, err := a.staffMembers(ctx, actor, userIDs)
	if err != nil {
		return nil, err
	}
	all := append([]relay.ID{actor.User.ID}, others...)
	if len(all) > relay.MaxDMMembers {
		return nil, relay.Errorf(relay.EINVALID, "A direct message can have at most %d people.", relay.MaxDMMembers)
	}
	slices.Sort(all)
	keyParts := make([]string, len(all))
	for i, id := range all {
		keyParts[i] = id.String()
	}
	key := strings.Join(keyParts, ",")
	if c, err := a.store.ChannelByDMKey(ctx, actor.Workspace.ID, key); err == nil {
		return a.Channel(ctx, actor, c.ID)
	} else if relay.ErrorCode(err) != relay.ENOTFOUND {
		return nil, err
	}
	now := a.Now()
	c := &relay.Channel{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, Kind: relay.ChannelDM, DMKey: key,
		CreatedBy: actor.User.ID, CreatedAt: now, UpdatedAt: now}
	if err := a.store.CreateChannel(ctx, c, all); err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT { // opened concurrently by someone else
			if c, err := a.store.ChannelByDMKey(ctx, actor.Workspace.ID, key); err == nil {
				return a.Channel(ctx, actor, c.ID)
			}
		}
		return nil, err
	}
	c, err = a.Channel(ctx, actor, c.ID)
	if err != nil {
		return nil, err
	}
	for _, uid := range all {
		a.publish(ctx, c.WorkspaceID, relay.UserTopic(uid), EvDMOpened, publicView(c), 0, 0)
	}
	return c, nil
}
