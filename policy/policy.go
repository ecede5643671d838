package policy

import "github.com/relayhq/relay"

// Action names something an actor wants to do.
type Action string

// The actions decided here.
const (
	ReadSelf          Action = "self.read"          // me, logout
	UpdateProfile     Action = "self.profile"       // one's own display name and avatar
	ViewMember        Action = "member.view"        // another member's public profile (avatar)
	ManageOwnTokens   Action = "tokens.manage"      // create, list, revoke one's own API tokens
	UpdateWorkspace   Action = "workspace.update"   // name, colours, logo
	DeleteWorkspace   Action = "workspace.delete"   // delete the whole workspace
	TransferOwnership Action = "workspace.transfer" // make another member owner
	SetMessageRate    Action = "workspace.rate"     // the per-user message rate limit (message_rate, message_burst)
	CreateInvite      Action = "invite.create"      // Target.NewRole is the role offered
	ListInvites       Action = "invite.list"
	RevokeInvite      Action = "invite.revoke"
	ListMembers       Action = "member.list"
	ChangeRole        Action = "member.role"       // Target.Role is the current role, Target.NewRole the new one
	RemoveMember      Action = "member.remove"     // Target.Role is the member's role; Target.Self when leaving
	GrantDesk         Action = "member.desk"       // grant or revoke the support desk; Target.Role is the member's role
	ViewAudit         Action = "audit.view"        // list the audit log
	ViewDeskStats     Action = "desk.stats"        // the admin dashboard's figures
	ManageConnectors  Action = "connectors.manage" // connectors, bridges, webhooks, the outbox
	ViewConnectors    Action = "connectors.view"   // the connectors' names and statuses (the sidebar)
)

// Actions lists every action, for exhaustive tests.
var Actions = []Action{ReadSelf, UpdateProfile, ViewMember, ManageOwnTokens, UpdateWorkspace, DeleteWorkspace, TransferOwnership,
	SetMessageRate, CreateInvite, ListInvites, RevokeInvite, ListMembers, ChangeRole, RemoveMember, GrantDesk, ViewAudit, ViewDeskStats, ManageConnectors, ViewConnectors}

// Target describes what an action is aimed at, where that matters.
type Target struct {
	Role    relay.Role // the target member's current role
	NewRole relay.Role // the role being granted (invitations and role changes)
	Self    bool       // the target is the actor
}

// Check returns nil when actor may perform act on t, EUNAUTHORIZED for an
// anonymous actor, and EFORBIDDEN with a human reason otherwise.
func Check(actor *relay.Actor, act Action, t Target) error {
	if actor == nil || actor.User == nil || actor.Membership == nil {
		return relay.Errorf(relay.EUNAUTHORIZED, "Sign in to continue.")
	}
	role := actor.Membership.Role
	staff := role == relay.RoleOwner || role == relay.RoleAdmin

	switch act {
	case ReadSelf, ManageOwnTokens, UpdateProfile:
		return nil

	case ViewMember:
		// Everyone sees the names and faces of the people they talk to,
		// customers included (agents answer them); the caller checks the
		// target is a member of the actor's workspace.
		return nil

	case UpdateWorkspace:
		if staff {
			return nil
		}
		return forbid("Only owners and admins can change the workspace.")

	case DeleteWorkspace:
		if role == relay.RoleOwner {
			return nil
		}
		return forbid("Only an owner can delete the workspace.")

	case TransferOwnership:
		if role == relay.RoleOwner {
			return nil
		}
		return forbid("Only an owner can transfer ownership.")

	case SetMessageRate:
		if role == relay.RoleOwner {
			return nil
		}
		return forbid("Only an owner can change the message rate limit.")

	case CreateInvite:
		if !staff {
			return forbid("Only owners and admins can invite people.")
		}
		if t.NewRole == relay.RoleOwner {
			return forbid("Invitations cannot grant the owner role; invite as admin, then transfer ownership.")
		}
		return nil

	case ListInvites, RevokeInvite:
		if staff {
			return nil
		}
		return forbid("Only owners and admins can manage invitations.")

	case ViewConnectors:
		if isStaff(role) {
			return nil
		}
		return forbid("Customers do not see the workspace's connectors.")

	case ManageConnectors:
		if staff {
			return nil
		}
		return forbid("Only owners and admins can manage connectors and webhooks.")

	case ViewAudit:
		if staff {
			return nil
		}
		return forbid("Only owners and admins can read the audit log.")

	case ViewDeskStats:
		if staff {
			return nil
		}
		return forbid("Only owners and admins can see the dashboard.")

	case ListMembers:
		if role == relay.RoleCustomer {
			return forbid("Customers cannot list the workspace's members.")
		}
		return nil

	case ChangeRole:
		switch role {
		case relay.RoleOwner:
			return nil // the store keeps at least one owner
		case relay.RoleAdmin:
			if t.Role == relay.RoleOwner {
				return forbid("Only an owner can change an owner's role.")
			}
			if t.NewRole == relay.RoleOwner {
				return forbid("Only an owner can make someone an owner.")
			}
			return nil
		}
		return forbid("Only owners and admins can change roles.")

	case GrantDesk:
		// Whether the grant means anything for the target's role (members
		// only; never customers) is the app's business, not a permission.
		switch role {
		case relay.RoleOwner:
			return nil
		case relay.RoleAdmin:
			if t.Role == relay.RoleOwner {
				return forbid("Only an owner can change an owner's membership.")
			}
			return nil
		}
		return forbid("Only owners and admins can give or take away the support desk.")

	case RemoveMember:
		if t.Self {
			return nil // anyone may leave; the store keeps at least one owner
		}
		switch role {
		case relay.RoleOwner:
			return nil
		case relay.RoleAdmin:
			if t.Role == relay.RoleOwner {
				return forbid("Only an owner can remove an owner.")
			}
			return nil
		}
		return forbid("Only owners and admins can remove members.")
	}
	return forbid("That action is not allowed.")
}

func forbid(msg string) error { return relay.Errorf(relay.EFORBIDDEN, "%s", msg) }
