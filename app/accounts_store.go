package app

import (
	"context"
	"time"

	"github.com/relayhq/relay"
)

// AccountStore is the persistence of Accounts: workspaces, users,
// memberships, sessions and tokens, invitations and hand-off codes. It
// follows the contract of Store (one transaction per call, workspace
// explicit, ENOTFOUND/ECONFLICT codes, microsecond times).
type AccountStore interface {
	// CreateWorkspace inserts w, the owner (only when createUser is true;
	// otherwise owner must exist), the owner's membership with RoleOwner,
	// the session s, and, when general is non-nil, that channel marked as a
	// default channel with the owner as its member — all in one
	// transaction. A taken subdomain or email is ECONFLICT.
	CreateWorkspace(ctx context.Context, w *relay.Workspace, owner *relay.User, createUser bool, s *relay.Session, general *relay.Channel) error
	WorkspaceByID(ctx context.Context, id relay.ID) (*relay.Workspace, error)
	WorkspaceBySubdomain(ctx context.Context, subdomain string) (*relay.Workspace, error)
	// UpdateWorkspace applies the non-nil fields of upd (already validated)
	// and sets updated_at to now; it returns the updated workspace.
	UpdateWorkspace(ctx context.Context, workspaceID relay.ID, upd relay.WorkspaceUpdate, now time.Time) (*relay.Workspace, error)
	// SetWorkspaceLogo records the logo's file key, content type and version.
	SetWorkspaceLogo(ctx context.Context, workspaceID relay.ID, key, contentType, version string, now time.Time) (*relay.Workspace, error)
	// DeleteWorkspace removes the workspace and everything that belongs to it
	// (memberships, sessions, invitations). Users stay: they are global.
	DeleteWorkspace(ctx context.Context, workspaceID relay.ID) error

	UserByID(ctx context.Context, id relay.ID) (*relay.User, error)
	// UserByEmail looks up by the lower-cased email.
	UserByEmail(ctx context.Context, email string) (*relay.User, error)
	// SetUserName changes a user's display name (already validated) and
	// returns the user. Users are global: the change shows in every workspace.
	SetUserName(ctx context.Context, userID relay.ID, name string) (*relay.User, error)
	// SetUserAvatar records the avatar's file key, content type, version and
	// the public URL derived from them (all empty: no avatar), and returns
	// the user. The URL is stored so every read of a user carries it.
	SetUserAvatar(ctx context.Context, userID relay.ID, key, contentType, version, url string) (*relay.User, error)
	// UserWorkspaceIDs lists the workspaces the user is a member of; never nil.
	UserWorkspaceIDs(ctx context.Context, userID relay.ID) ([]relay.ID, error)

	Membership(ctx context.Context, workspaceID, userID relay.ID) (*relay.Membership, error)
	// MembersByID returns the workspace's members among userIDs, by user id
	// (non-members absent), in one query rather than one per id.
	MembersByID(ctx context.Context, workspaceID relay.ID, userIDs []relay.ID) (map[relay.ID]relay.Member, error)
	// ListMembers returns the workspace's members with their users, oldest first.
	ListMembers(ctx context.Context, workspaceID relay.ID) ([]relay.Member, error)
	// SetRole changes a member's role. If that would leave the workspace with
	// no owner, it changes nothing and returns ECONFLICT; the check and the
	// change are one transaction, so two owners demoting each other at once
	// cannot both succeed.
	SetRole(ctx context.Context, workspaceID, userID relay.ID, role relay.Role) error
	// SetDesk grants or revokes a member's support-desk access; granting it
	// to a customer changes nothing and returns ECONFLICT.
	SetDesk(ctx context.Context, workspaceID, userID relay.ID, desk bool) error
	// RemoveMember deletes the membership and every session and API token of
	// that user in that workspace, with the same last-owner rule as SetRole.
	RemoveMember(ctx context.Context, workspaceID, userID relay.ID) error
	// TransferOwnership makes to an owner and from an admin, in one transaction.
	// Both must be members; from must be an owner.
	TransferOwnership(ctx context.Context, workspaceID, from, to relay.ID) error

	// CreateSession stores a session or API token (s.Kind says which).
	CreateSession(ctx context.Context, s *relay.Session) error
	// Authenticate finds the session or token with this hash in this
	// workspace, unexpired at now, together with its user and membership.
	// Anything else (unknown hash, other workspace, expired, membership gone)
	// is EUNAUTHORIZED.
	Authenticate(ctx context.Context, workspaceID relay.ID, tokenHash []byte, now time.Time) (*relay.Session, *relay.User, *relay.Membership, error)
	// TouchSession records a use: last_used_at, and expires_at when non-nil.
	TouchSession(ctx context.Context, workspaceID, sessionID relay.ID, lastUsed time.Time, expiresAt *time.Time) error
	// DeleteSession removes one session or token of the workspace; deleting a
	// missing one is not an error (logout is idempotent).
	DeleteSession(ctx context.Context, workspaceID, sessionID relay.ID) error
	// ListTokens returns the user's API tokens (kind "api") in the workspace, newest first.
	ListTokens(ctx context.Context, workspaceID, userID relay.ID) ([]relay.Session, error)
	// DeleteToken revokes one of the user's API tokens; ENOTFOUND if it is not
	// theirs, not an API token, or not in this workspace.
	DeleteToken(ctx context.Context, workspaceID, userID, tokenID relay.ID) error

	CreateInvite(ctx context.Context, inv *relay.Invite) error
	// ListInvites returns the workspace's invitations not yet accepted
	// (including expired ones), newest first.
	ListInvites(ctx context.Context, workspaceID relay.ID) ([]relay.Invite, error)
	// DeleteInvite revokes a pending invitation; ENOTFOUND if there is none
	// with that id in the workspace, or it was already accepted.
	DeleteInvite(ctx context.Context, workspaceID, inviteID relay.ID) error
	InviteByTokenHash(ctx context.Context, workspaceID relay.ID, tokenHash []byte) (*relay.Invite, error)
	// AcceptInvite, in one transaction: marks the invitation accepted by the
	// user only if it is still pending and unexpired at now (otherwise EGONE
	// and nothing changes), inserts the user when createUser is true, adds the
	// membership with the invitation's role (ECONFLICT if already a member),
	// joins the new member to the workspace's default channels unless the
	// role is customer, and stores the session s.
	AcceptInvite(ctx context.Context, workspaceID, inviteID relay.ID, u *relay.User, createUser bool, s *relay.Session, now time.Time) (*relay.Membership, error)

	// CreateHandoff stores the hash of a sign-up hand-off code of a member,
	// valid until expiresAt.
	CreateHandoff(ctx context.Context, workspaceID, userID relay.ID, codeHash []byte, expiresAt time.Time) error
	// ExchangeHandoff consumes a code of the workspace valid at now and
	// stores s as a session of its user (setting s.UserID), atomically; any
	// other code is EUNAUTHORIZED.
	ExchangeHandoff(ctx context.Context, workspaceID relay.ID, codeHash []byte, now time.Time, s *relay.Session) error

	// PurgeExpired is maintenance across all workspaces: it deletes sessions
	// and hand-off codes expired at now, and unaccepted invitations that expired before
	// inviteCutoff (they stay listed, marked expired, until then). It returns
	// how many of each it deleted.
	PurgeExpired(ctx context.Context, now, inviteCutoff time.Time) (sessions, invites int64, err error)
}

// accountStore is what Accounts is handed: AccountStore and the few
// messaging reads it needs.
type accountStore interface {
	AccountStore
	DefaultChannels(ctx context.Context, workspaceID relay.ID) ([]relay.ID, error)
	MemberStatus(ctx context.Context, workspaceID, userID relay.ID, now time.Time) (relay.Status, error)
}
