package app

import (
	"context"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// InviteView is an invitation as listed to admins.
type InviteView struct {
	relay.Invite
	Expired bool `json:"expired"`
}

// NewInvite is a created invitation with its secret token, shown this once.
type NewInvite struct {
	InviteView
	Token string `json:"token"`
	URL   string `json:"url"`
}

// CreateInvite invites an email to the actor's workspace with a role.
// baseURL is the workspace's own origin, e.g. "http://acme.localhost:8080".
func (a *App) CreateInvite(ctx context.Context, actor *relay.Actor, email string, role relay.Role, baseURL string) (*NewInvite, error) {
	if !role.Valid() {
		return nil, relay.Errorf(relay.EINVALID, "role must be one of admin, agent, member or customer.")
	}
	if err := policy.Check(actor, policy.CreateInvite, policy.Target{NewRole: role}); err != nil {
		return nil, err
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if u, err := a.store.UserByEmail(ctx, email); err == nil {
		if _, err := a.store.Membership(ctx, actor.Workspace.ID, u.ID); err == nil {
			return nil, relay.Errorf(relay.ECONFLICT, "%s is already a member of this workspace.", email)
		}
	}
	now := a.Now()
	tok, hash := newToken()
	inv := relay.Invite{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, Email: email, Role: role,
		InvitedBy: actor.User.ID, CreatedAt: now, ExpiresAt: now.Add(relay.InviteTTL), TokenHash: hash}
	if err := a.store.CreateInvite(ctx, &inv); err != nil {
		return nil, err
	}
	return &NewInvite{InviteView: InviteView{Invite: inv}, Token: tok, URL: baseURL + "/invite/" + tok}, nil
}

// ListInvites lists pending invitations, expired ones marked.
func (a *App) ListInvites(ctx context.Context, actor *relay.Actor) ([]InviteView, error) {
	if err := policy.Check(actor, policy.ListInvites, policy.Target{}); err != nil {
		return nil, err
	}
	invs, err := a.store.ListInvites(ctx, actor.Workspace.ID)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	out := make([]InviteView, len(invs))
	for i, inv := range invs {
		out[i] = InviteView{Invite: inv, Expired: !now.Before(inv.ExpiresAt)}
	}
	return out, nil
}

// RevokeInvite deletes a pending invitation.
func (a *App) RevokeInvite(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	if err := policy.Check(actor, policy.RevokeInvite, policy.Target{}); err != nil {
		return err
	}
	return a.store.DeleteInvite(ctx, actor.Workspace.ID, id)
}

// InvitePreview is what the accept page shows before anyone signs in.
type InvitePreview struct {
	Email           string           `json:"email"`
	Role            relay.Role       `json:"role"`
	ExpiresAt       any              `json:"expires_at"`
	Workspace       *relay.Workspace `json:"workspace"`
	ExistingAccount bool             `json:"existing_account"`
}

// pendingInvite finds a usable invitation by its token.
func (a *App) pendingInvite(ctx context.Context, ws *relay.Workspace, token string) (*relay.Invite, error) {
	if !plausibleToken(token) {
		return nil, relay.Errorf(relay.ENOTFOUND, "Invitation not found.")
	}
	inv, err := a.store.InviteByTokenHash(ctx, ws.ID, hashToken(token))
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, relay.Errorf(relay.ENOTFOUND, "Invitation not found.")
		}
		return nil, err
	}
	switch {
	case inv.AcceptedAt != nil:
		return nil, relay.Errorf(relay.EGONE, "This invitation was already used.")
	case !a.Now().Before(inv.ExpiresAt):
		return nil, relay.Errorf(relay.EGONE, "This invitation has expired; ask for a new one.")
	}
	return inv, nil
}

// PreviewInvite describes a pending invitation to whoever holds its token.
func (a *App) PreviewInvite(ctx context.Context, ws *relay.Workspace, token string) (*InvitePreview, error) {
	inv, err := a.pendingInvite(ctx, ws, token)
	if err != nil {
		return nil, err
	}
	_, err = a.store.UserByEmail(ctx, inv.Email)
	if err != nil && relay.ErrorCode(err) != relay.ENOTFOUND {
		return nil, err
	}
	return &InvitePreview{Email: inv.Email, Role: inv.Role, ExpiresAt: inv.ExpiresAt, Workspace: withLogoURL(ws),
		ExistingAccount: err == nil}, nil
}

// AcceptInput is what accepting an invitation takes.
type AcceptInput struct {
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

// AcceptInvite joins the invitation's email to the workspace. An email with
// no account gets one; an existing account (a user of another workspace)
// proves itself with its password. The invitation is used up atomically.
func (a *App) AcceptInvite(ctx context.Context, ws *relay.Workspace, token string, in AcceptInput, ip string) (*AuthResult, error) {
	if ok, wait := a.signupIP.Allow(ip); !ok {
		return nil, rateLimited(wait)
	}
	inv, err := a.pendingInvite(ctx, ws, token)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	user, err := a.store.UserByEmail(ctx, inv.Email)
	createUser := false
	switch {
	case relay.ErrorCode(err) == relay.ENOTFOUND:
		display, err := NormalizeName("Your display name", in.DisplayName, 80)
		if err != nil {
			return nil, err
		}
		if err := ValidatePassword(in.Password); err != nil {
			return nil, err
		}
		hash, err := a.hasher.Hash(ctx, in.Password)
		if err != nil {
			return nil, err
		}
		user = &relay.User{ID: a.ids.New(), Email: inv.Email, DisplayName: display, PasswordHash: hash, CreatedAt: now}
		createUser = true
	case err != nil:
		return nil, err
	default:
		if in.Password == "" {
			return nil, relay.Errorf(relay.EINVALID, "You already have an account: enter its password to accept.")
		}
		if ok, err := a.hasher.Verify(ctx, user.PasswordHash, in.Password); err != nil || !ok {
			return nil, relay.Errorf(relay.EUNAUTHORIZED, "Wrong password for the account %s.", inv.Email)
		}
	}
	tok, sess := a.newSession(ws.ID, user.ID, now)
	m, err := a.store.AcceptInvite(ctx, ws.ID, inv.ID, user, createUser, sess, now)
	if err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "invitation accepted", "workspace_id", ws.ID, "user_id", user.ID, "role", m.Role)
	return &AuthResult{Token: tok, User: user, Membership: m, Workspace: withLogoURL(ws), Session: sess}, nil
}

// ListMembers lists the workspace's members. Customers may not.
func (a *App) ListMembers(ctx context.Context, actor *relay.Actor) ([]relay.Member, error) {
	if err := policy.Check(actor, policy.ListMembers, policy.Target{}); err != nil {
		return nil, err
	}
	return a.store.ListMembers(ctx, actor.Workspace.ID)
}

// targetMembership loads the member an action aims at (ENOTFOUND if none here).
func (a *App) targetMembership(ctx context.Context, actor *relay.Actor, userID relay.ID) (*relay.Membership, error) {
	m, err := a.store.Membership(ctx, actor.Workspace.ID, userID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Errorf(relay.ENOTFOUND, "No such member in this workspace.")
	}
	return m, err
}

// ChangeRole gives a member another role.
func (a *App) ChangeRole(ctx context.Context, actor *relay.Actor, userID relay.ID, role relay.Role) (*relay.Member, error) {
	if !role.Valid() {
		return nil, relay.Errorf(relay.EINVALID, "role must be one of owner, admin, agent, member or customer.")
	}
	if actor == nil || actor.Membership == nil {
		return nil, policy.Check(actor, policy.ChangeRole, policy.Target{})
	}
	if err := policy.Check(actor, policy.ListMembers, policy.Target{}); err != nil {
		return nil, policy.Check(actor, policy.ChangeRole, policy.Target{}) // do not reveal who is a member
	}
	m, err := a.targetMembership(ctx, actor, userID)
	if err != nil {
		return nil, err
	}
	if err := policy.Check(actor, policy.ChangeRole, policy.Target{Role: m.Role, NewRole: role, Self: userID == actor.User.ID}); err != nil {
		return nil, err
	}
	if m.Role != role {
		if err := a.store.SetRole(ctx, actor.Workspace.ID, userID, role); err != nil {
			return nil, err
		}
		a.log.InfoContext(ctx, "role changed", "workspace_id", actor.Workspace.ID, "user_id", userID, "from", m.Role, "to", role, "by", actor.User.ID)
		a.accessChanged(ctx, actor.Workspace.ID, userID, 0, "role changed")
	}
	u, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &relay.Member{User: *u, Role: role, At: m.CreatedAt}, nil
}

// RemoveMember removes a member, or lets the actor leave.
func (a *App) RemoveMember(ctx context.Context, actor *relay.Actor, userID relay.ID) error {
	if actor == nil || actor.Membership == nil {
		return policy.Check(actor, policy.RemoveMember, policy.Target{})
	}
	self := userID == actor.User.ID
	if !self {
		if err := policy.Check(actor, policy.ListMembers, policy.Target{}); err != nil {
			return policy.Check(actor, policy.RemoveMember, policy.Target{})
		}
	}
	m, err := a.targetMembership(ctx, actor, userID)
	if err != nil {
		return err
	}
	if err := policy.Check(actor, policy.RemoveMember, policy.Target{Role: m.Role, Self: self}); err != nil {
		return err
	}
	if err := a.store.RemoveMember(ctx, actor.Workspace.ID, userID); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "member removed", "workspace_id", actor.Workspace.ID, "user_id", userID, "by", actor.User.ID)
	a.accessChanged(ctx, actor.Workspace.ID, userID, 0, "removed from the workspace")
	return nil
}
