package policy

import "github.com/relayhq/relay"

// Channel and message actions.
const (
	CreateChannel  Action = "channel.create" // Target.Kind says public or private
	BrowseChannels Action = "channel.browse" // list public channels one is not in
	OpenDM         Action = "dm.open"

	ReadChannel       Action = "channel.read" // history, members, join the socket topic, react, mark read
	JoinChannel       Action = "channel.join"
	LeaveChannel      Action = "channel.leave"
	AddChannelMember  Action = "channel.member.add"
	KickChannelMember Action = "channel.member.remove" // remove someone else
	SetChannelTopic   Action = "channel.topic"         // topic and purpose
	RenameChannel     Action = "channel.rename"
	ArchiveChannel    Action = "channel.archive" // archive and unarchive

	PostMessage   Action = "message.post"
	EditMessage   Action = "message.edit"
	DeleteMessage Action = "message.delete"
)

// ChannelActions lists the channel and message actions, for exhaustive tests.
var ChannelActions = []Action{CreateChannel, BrowseChannels, OpenDM, ReadChannel, JoinChannel, LeaveChannel,
	AddChannelMember, KickChannelMember, SetChannelTopic, RenameChannel, ArchiveChannel, PostMessage, EditMessage, DeleteMessage}

// On describes the channel (and message) an action touches.
type On struct {
	Kind       relay.ChannelKind // the channel's kind (or, for CreateChannel, the kind asked for)
	Member     bool              // the actor is a member of the channel
	Creator    bool              // the actor created the channel
	Default    bool              // the channel is a default one (#general)
	Archived   bool
	Author     bool       // the actor wrote the message (edit, delete)
	TargetRole relay.Role // for AddChannelMember: the role of the user being added
}

// staffRoles may use internal chat; customers see only their own tickets.
func isStaff(r relay.Role) bool {
	return r == relay.RoleOwner || r == relay.RoleAdmin || r == relay.RoleAgent || r == relay.RoleMember
}

// CheckChannel decides channel and message actions. Unlike Check, a refusal
// to read is ENOTFOUND, so private channels do not reveal they exist.
func CheckChannel(actor *relay.Actor, act Action, on On) error {
	if actor == nil || actor.User == nil || actor.Membership == nil {
		return relay.Errorf(relay.EUNAUTHORIZED, "Sign in to continue.")
	}
	role := actor.Membership.Role
	admin := role == relay.RoleOwner || role == relay.RoleAdmin
	hidden := relay.Errorf(relay.ENOTFOUND, "Channel not found.")

	// Who can see the channel at all. Ticket and external channels belong
	// to the support desk and connectors; their rules come with them.
	canSee := false
	switch on.Kind {
	case relay.ChannelPublic:
		canSee = isStaff(role)
	case relay.ChannelPrivate, relay.ChannelDM:
		canSee = on.Member && isStaff(role)
	case relay.ChannelExternal:
		canSee = isStaff(role) && (on.Member || admin || role == relay.RoleAgent)
	case relay.ChannelTicket:
		// A ticket's conversation and notes are reached through the ticket
		// (/tickets/{id}/messages, the ticket:<id> topic), whose rules
		// (CheckTicket) decide; never as channels, so a notes channel's id
		// leads nowhere and posts cannot skip the desk's bookkeeping.
		canSee = false
	}

	switch act {
	case CreateChannel:
		if !isStaff(role) {
			return forbid("Customers cannot create channels.")
		}
		if on.Kind != relay.ChannelPublic && on.Kind != relay.ChannelPrivate {
			return relay.Errorf(relay.EINVALID, "kind must be public or private.")
		}
		return nil
	case BrowseChannels, OpenDM:
		if !isStaff(role) {
			return forbid("Customers cannot browse channels or open direct messages.")
		}
		return nil
	}

	if !canSee {
		return hidden
	}
	switch act {
	case ReadChannel:
		return nil
	case JoinChannel:
		if on.Member {
			return nil
		}
		if on.Kind == relay.ChannelPublic || (on.Kind == relay.ChannelExternal && canSee) {
			return nil
		}
		return forbid("This channel is joined by invitation only.")
	case LeaveChannel:
		switch {
		case !on.Member:
			return relay.Errorf(relay.EINVALID, "You are not a member of this channel.")
		case on.Kind == relay.ChannelDM:
			return relay.Errorf(relay.EINVALID, "Direct messages cannot be left.")
		case on.Default:
			return forbid("Everyone stays in the workspace's default channel.")
		}
		return nil
	case AddChannelMember:
		switch {
		case on.Kind == relay.ChannelDM:
			return relay.Errorf(relay.EINVALID, "People cannot be added to a direct message; open a new one instead.")
		case on.Archived:
			return forbid("The channel is archived.")
		case !on.Member && !admin:
			return forbid("Only members of the channel can add people to it.")
		case on.TargetRole != "" && !isStaff(on.TargetRole) && on.Kind != relay.ChannelTicket:
			return forbid("Customers cannot be added to internal channels.")
		}
		return nil
	case KickChannelMember:
		switch {
		case on.Kind == relay.ChannelDM:
			return relay.Errorf(relay.EINVALID, "People cannot be removed from a direct message.")
		case on.Default:
			return forbid("Everyone stays in the workspace's default channel.")
		case admin:
			return nil
		}
		return forbid("Only owners and admins can remove people from a channel.")
	case SetChannelTopic:
		if on.Archived {
			return forbid("The channel is archived.")
		}
		if on.Member || admin {
			return nil
		}
		return forbid("Only members of the channel can change its topic.")
	case RenameChannel, ArchiveChannel:
		switch {
		case on.Kind == relay.ChannelDM:
			return relay.Errorf(relay.EINVALID, "Direct messages cannot be renamed or archived.")
		case act == ArchiveChannel && on.Default:
			return forbid("The workspace's default channel cannot be archived.")
		case act == RenameChannel && on.Archived:
			return forbid("The channel is archived.")
		case admin || on.Creator:
			return nil
		}
		return forbid("Only the channel's creator, owners and admins can do that.")
	case PostMessage:
		switch {
		case on.Archived:
			return forbid("The channel is archived.")
		case !on.Member:
			return forbid("Join the channel to post in it.")
		}
		return nil
	case EditMessage:
		if on.Author {
			return nil
		}
		return forbid("Only the author can edit a message.")
	case DeleteMessage:
		if on.Author || admin {
			return nil
		}
		return forbid("Only the author, owners and admins can delete a message.")
	}
	return forbid("That action is not allowed.")
}
