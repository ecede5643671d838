package relay

import "time"

// User is a global identity: one email, one password, any number of
// memberships. A session is still bound to one workspace.
type User struct {
	ID          ID        `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	AvatarURL   string    `json:"avatar_url"` // empty when no avatar is set
	CreatedAt   time.Time `json:"created_at"`
	// Superadmin marks the platform operator; it grants nothing inside
	// workspaces by itself.
	Superadmin bool `json:"-"`

	PasswordHash string `json:"-"`

	// AvatarKey names the avatar in the file store and AvatarType is its
	// sniffed content type; both are empty when there is no avatar.
	// AvatarVersion changes with every upload so caches can be busted.
	// Only UserByID fills them.
	AvatarKey     string `json:"-"`
	AvatarType    string `json:"-"`
	AvatarVersion string `json:"-"`
}

// Role is a member's role in one workspace.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner    Role = "owner"
	RoleAdmin    Role = "admin"
	RoleAgent    Role = "agent"
	RoleMember   Role = "member"
	RoleCustomer Role = "customer" // an end user of the support desk
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleAgent, RoleMember, RoleCustomer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Membership ties a user to a workspace with a role.
type Membership struct {
	WorkspaceID ID   `json:"workspace_id"`
	UserID      ID   `json:"user_id"`
	Role        Role `json:"role"`
	// Desk is the support-desk grant: a member (role member) with it works
	// the desk with an agent's rights (docs/desk.md). Agents, admins and
	// owners always have the desk, customers never; policy.DeskStaff decides.
	Desk      bool      `json:"desk"`
	CreatedAt time.Time `json:"joined_at"`
}

// Member is a membership with its user, as listed to other members.
type Member struct {
	User User      `json:"user"`
	Role Role      `json:"role"`
	Desk bool      `json:"desk"` // the support-desk grant (Membership.Desk)
	At   time.Time `json:"joined_at"`
}

// Presence choices a user can set; "online" means automatic (online while
// connected, away after inactivity).
const (
	PresenceOnline = "online"
	PresenceAway   = "away"
	PresenceDND    = "dnd"
)

// Status is a member's chosen presence and custom status in a workspace.
type Status struct {
	Presence  string     `json:"presence"`
	Text      string     `json:"text"`
	Emoji     string     `json:"emoji"`
	ExpiresAt *time.Time `json:"expires_at"`
}
