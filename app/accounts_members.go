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
func (a *Accounts) CreateInvite(ctx context.Context, actor *relay.Actor, email string, role relay.Role, baseURL string) (*NewInvite, error) {
	if !role.Valid() {
		return nil, relay.Errorf(relay.EINVALID, "role must be one of admin, agent, member or customer.")
	}
	if err := policy.Check(actor, policy.CreateInvite, policy.Target{NewRole: role}); err != nil {
		return nil, err
	}
	email, err := relay.NormalizeEmail(email)
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
	a.audit(ctx, actor, relay.AuditInviteCreated, relay.AuditTargetInvite, inv.ID, map[string]any{"email": email, "role": role})
	return &NewInvite{InviteView: InviteView{Invite: inv}, Token: tok, URL: baseURL + "/invite/" + tok}, nil
}

// ListInvites lists pending invitations, expired ones marked.
func (a *Accounts) ListInvites(ctx context.Context, actor *relay.Actor) ([]InviteView, error) {
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
func (a *Accounts) RevokeInvite(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	if err := policy.Check(actor, policy.RevokeInvite, policy.Target{}); err != nil {
		return err
	}
	if err := a.store.DeleteInvite(ctx, actor.Workspace.ID, id); err != nil {
		return err
	}
	a.audit(ctx, actor, relay.AuditInviteRevoked, relay.AuditTargetInvite, id, nil)
	return nil
}

// InvitePreview is what the accept page shows before anyone signs in.
type InvitePreview struct {
	Email           string           `json:"email"`
	Role            relay.Role       `json:"role"`
	ExpiresAt       any              `json:"expires_at"`
	Workspace       *relay.Workspace `json:"workspace"`
	ExistingAccount bool             `json:"existing_account"`
	// Inviter is who sent the invitation, while they are still a member.
	Inviter *InvitePerson `json:"inviter"`
}

// InvitePerson is the public face of an invitation's sender.
type InvitePerson struct {
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

// pendingInvite finds a usable invitation by its token.
func (a *Accounts) pendingInvite(ctx context.Context, ws *relay.Workspace, token string) (*relay.Invite, error) {
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
func (a *Accounts) PreviewInvite(ctx context.Context, ws *relay.Workspace, token string) (*InvitePreview, error) {
	inv, err := a.pendingInvite(ctx, ws, token)
	if err != nil {
		return nil, err
	}
	_, err = a.store.UserByEmail(ctx, inv.Email)
	if err != nil && relay.ErrorCode(err) != relay.ENOTFOUND {
		return nil, err
	}
	p := &InvitePreview{Email: inv.Email, Role: inv.Role, ExpiresAt: inv.ExpiresAt, Workspace: withLogoURL(ws),
		ExistingAccount: err == nil}
	ms, err := a.store.MembersByID(ctx, ws.ID, []relay.ID{inv.InvitedBy})
	if err != nil {
		return nil, err
	}
	if m, ok := ms[inv.InvitedBy]; ok {
		p.Inviter = &InvitePerson{DisplayName: m.User.DisplayName, AvatarURL: m.User.AvatarURL}
	}
	return p, nil
}

// AcceptInput is what accepting an invitation takes.
type AcceptInput struct {
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

// AcceptInvite joins the invitation's email to the workspace. An email with
// no account gets one; an existing account (a user of another workspace)
// proves itself with its password. The invitation is used up atomically.
func (a *Accounts) AcceptInvite(ctx context.Context, ws *relay.Workspace, token string, in AcceptInput, ip string) (*AuthResult, error) {
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
		display, err := relay.NormalizeName("Your display name", in.DisplayName, 80)
		if err != nil {
			return nil, err
		}
		if err := relay.ValidatePassword(in.Password); err != nil {
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
	a.auditAs(ctx, ws.ID, user.ID, relay.AuditInviteAccepted, relay.AuditTargetInvite, inv.ID,
		map[string]any{"email": inv.Email, "role": m.Role, "user_id": user.ID, "invited_by": inv.InvitedBy})
	a.memberAdded(ctx, ws.ID, user, m.Role)
	return &AuthResult{Token: tok, User: user, Membership: m, Workspace: withLogoURL(ws), Session: sess}, nil
}

// ListMembers lists the workspace's members. Customers may not.
func (a *Accounts) ListMembers(ctx context.Context, actor *relay.Actor) ([]relay.Member, error) {
	if err := policy.Check(actor, policy.ListMembers, policy.Target{}); err != nil {
		return nil, err
	}
	return a.store.ListMembers(ctx, actor.Workspace.ID)
}

// targetMembership loads the member an action aims at (ENOTFOUND if none here).
func (a *Accounts) targetMembership(ctx context.Context, actor *relay.Actor, userID relay.ID) (*relay.Membership, error) {
	m, err := a.store.Membership(ctx, actor.Workspace.ID, userID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Errorf(relay.ENOTFOUND, "No such member in this workspace.")
	}
	return m, err
}

// MemberUpdate is what PATCH /members/{user_id} may change; nil is unchanged.
type MemberUpdate struct {
	Role *relay.Role `json:"role"`
	// Desk grants (true) or revokes the support desk (docs/desk.md). It
	// matters for members only: agents, admins and owners always have the
	// desk, and customers can never be given it.
	Desk *bool `json:"desk"`
}

// ChangeRole gives a member another role.
func (a *Accounts) ChangeRole(ctx context.Context, actor *relay.Actor, userID relay.ID, role relay.Role) (*relay.Member, error) {
	return a.UpdateMember(ctx, actor, userID, MemberUpdate{Role: &role})
}

// UpdateMember changes a member's role, desk grant or both (the role
// first). Owners and admins only; every change is audited, and any change
// of what the member may reach closes their sockets so they re-authorise
// (revoking the desk ends their desk:<ws> and ticket:<id> topics).
func (a *Accounts) UpdateMember(ctx context.Context, actor *relay.Actor, userID relay.ID, in MemberUpdate) (*relay.Member, error) {
	if in.Role == nil && in.Desk == nil {
		return nil, relay.Errorf(relay.EINVALID, "Send role, desk or both.")
	}
	if in.Role != nil && !in.Role.Valid() {
		return nil, relay.Errorf(relay.EINVALID, "role must be one of owner, admin, agent, member or customer.")
	}
	act := policy.ChangeRole
	if in.Role == nil {
		act = policy.GrantDesk
	}
	if actor == nil || actor.Membership == nil {
		return nil, policy.Check(actor, act, policy.Target{})
	}
	if err := policy.Check(actor, policy.ListMembers, policy.Target{}); err != nil {
		return nil, policy.Check(actor, act, policy.Target{}) // do not reveal who is a member
	}
	m, err := a.targetMembership(ctx, actor, userID)
	if err != nil {
		return nil, err
	}
	role := m.Role
	if in.Role != nil {
		if err := policy.Check(actor, policy.ChangeRole, policy.Target{Role: m.Role, NewRole: *in.Role, Self: userID == actor.User.ID}); err != nil {
			return nil, err
		}
		role = *in.Role
	}
	if in.Desk != nil {
		if err := policy.Check(actor, policy.GrantDesk, policy.Target{Role: m.Role, Self: userID == actor.User.ID}); err != nil {
			return nil, err
		}
		if *in.Desk && role == relay.RoleCustomer {
			return nil, relay.Errorf(relay.EINVALID, "Customers cannot be given the support desk: they only see their own tickets. Make them a member first.")
		}
	}
	wasDesk := policy.DeskStaff(m.Role, m.Desk)
	desk := m.Desk
	if role != m.Role {
		if err := a.store.SetRole(ctx, actor.Workspace.ID, userID, role); err != nil {
			return nil, err
		}
		if role == relay.RoleCustomer {
			desk = false // the store clears the grant of a customer
		}
		a.log.InfoContext(ctx, "role changed", "workspace_id", actor.Workspace.ID, "user_id", userID, "from", m.Role, "to", role, "by", actor.User.ID)
		a.roleChanged(ctx, actor.Workspace.ID, userID, role, desk) // before access:changed closes their sockets
		a.accessChanged(ctx, actor.Workspace.ID, userID, 0, "role changed")
		a.audit(ctx, actor, relay.AuditRoleChanged, relay.AuditTargetUser, userID, map[string]any{"from": m.Role, "to": role})
	}
	if in.Desk != nil && *in.Desk != desk {
		if err := a.store.SetDesk(ctx, actor.Workspace.ID, userID, *in.Desk); err != nil {
			return nil, err
		}
		a.log.InfoContext(ctx, "desk access changed", "workspace_id", actor.Workspace.ID, "user_id", userID, "desk", *in.Desk, "by", actor.User.ID)
		a.audit(ctx, actor, relay.AuditDeskAccessChanged, relay.AuditTargetUser, userID, map[string]any{"from": desk, "to": *in.Desk, "role": role})
		desk = *in.Desk
		a.roleChanged(ctx, actor.Workspace.ID, userID, role, desk)
		if role == m.Role && policy.DeskStaff(role, desk) != wasDesk {
			reason := "desk access granted"
			if !desk {
				reason = "desk access revoked"
			}
			a.accessChanged(ctx, actor.Workspace.ID, userID, 0, reason)
		}
	}
	u, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &relay.Member{User: *u, Role: role, Desk: desk, At: m.CreatedAt}, nil
}

// RemoveMember removes a member, or lets the actor leave.
func (a *Accounts) RemoveMember(ctx context.Context, actor *relay.Actor, userID relay.ID) error {
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
	var name string // kept in the audit log: the member is gone from the workspace after this
	if u, err := a.store.UserByID(ctx, userID); err == nil {
		name = u.DisplayName
	}
	if err := a.store.RemoveMember(ctx, actor.Workspace.ID, userID); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "member removed", "workspace_id", actor.Workspace.ID, "user_id", userID, "by", actor.User.ID)
	a.audit(ctx, actor, relay.AuditMemberRemoved, relay.AuditTargetUser, userID, map[string]any{"role": m.Role, "left": self, "name": name})
	a.accessChanged(ctx, actor.Workspace.ID, userID, 0, "removed from the workspace")
	a.publish(ctx, actor.Workspace.ID, relay.WorkspaceTopic(actor.Workspace.ID), EvMemberRemoved, MemberRemovedEvent{UserID: userID}, 0, 0)
	return nil
}

// roleChanged tells the workspace's open clients, the member's own among
// them, a member's new role and desk access (member:role_changed), so
// navigation and member lists follow without a reload. Publish it before
// access:changed: a socket delivers what it queued before it closes.
func (a *Accounts) roleChanged(ctx context.Context, ws, user relay.ID, role relay.Role, desk bool) {
	a.publish(ctx, ws, relay.WorkspaceTopic(ws), EvMemberRoleChanged, MemberRoleChangedEvent{UserID: user, Role: role, Desk: desk}, 0, 0)
}

// memberAdded tells open clients about a new member: member:added on the
// workspace topic, and member:joined on each default channel the store put
// a staff member into, so member lists and counts follow without a reload.
func (a *Accounts) memberAdded(ctx context.Context, wsID relay.ID, u *relay.User, role relay.Role) {
	a.publish(ctx, wsID, relay.WorkspaceTopic(wsID), EvMemberAdded,
		MemberAddedEvent{UserID: u.ID, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL, Role: role}, 0, 0)
	if role == relay.RoleCustomer {
		return
	}
	ids, err := a.store.DefaultChannels(ctx, wsID)
	if err != nil {
		a.log.WarnContext(ctx, "member added: default channels", "err", err)
		return
	}
	pub := *u
	pub.Email = "" // channel events reach every member of the channel
	for _, id := range ids {
		a.publish(ctx, wsID, relay.ChannelTopic(id), EvMemberJoined, MemberEvent{ChannelID: id, Kind: relay.ChannelPublic, User: &pub}, 0, 0)
	}
}
