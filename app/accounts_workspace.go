package app

import (
	"context"
	"fmt"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// WorkspaceBySubdomain resolves a host's workspace; ENOTFOUND if none.
func (a *Accounts) WorkspaceBySubdomain(ctx context.Context, sub string) (*relay.Workspace, error) {
	ws, err := a.store.WorkspaceBySubdomain(ctx, sub)
	if err != nil {
		return nil, err
	}
	return withLogoURL(ws), nil
}

// withLogoURL fills the public logo URL, versioned so caches refresh on change.
func withLogoURL(ws *relay.Workspace) *relay.Workspace {
	if ws == nil {
		return nil
	}
	ws.LogoURL = ""
	if ws.LogoKey != "" {
		ws.LogoURL = "/api/v1/workspace/logo?v=" + ws.LogoVersion
	}
	return ws
}

// UpdateWorkspace changes the name and colours.
func (a *Accounts) UpdateWorkspace(ctx context.Context, actor *relay.Actor, upd relay.WorkspaceUpdate) (*relay.Workspace, error) {
	if err := policy.Check(actor, policy.UpdateWorkspace, policy.Target{}); err != nil {
		return nil, err
	}
	if upd.Name == nil && upd.PrimaryColor == nil && upd.AccentColor == nil && upd.CustomerSignup == nil &&
		upd.MessageRate == nil && upd.MessageBurst == nil {
		return nil, relay.Errorf(relay.EINVALID, "Nothing to change: send name, primary_color, accent_color, customer_signup, message_rate or message_burst.")
	}
	if err := validateMessageRate(actor, upd); err != nil {
		return nil, err
	}
	if upd.Name != nil {
		n, err := relay.NormalizeName("The workspace name", *upd.Name, 80)
		if err != nil {
			return nil, err
		}
		upd.Name = &n
	}
	for _, f := range []struct {
		name string
		v    **string
	}{{"primary_color", &upd.PrimaryColor}, {"accent_color", &upd.AccentColor}} {
		if *f.v != nil {
			c, err := relay.NormalizeColor(f.name, **f.v)
			if err != nil {
				return nil, err
			}
			*f.v = &c
		}
	}
	old := actor.Workspace
	ws, err := a.store.UpdateWorkspace(ctx, actor.Workspace.ID, upd, a.Now())
	if err != nil {
		return nil, err
	}
	branding := map[string]any{}
	for _, f := range []struct {
		name     string
		from, to string
	}{{"name", old.Name, ws.Name}, {"primary_color", old.PrimaryColor, ws.PrimaryColor}, {"accent_color", old.AccentColor, ws.AccentColor}} {
		if f.from != f.to {
			branding[f.name] = map[string]string{"from": f.from, "to": f.to}
		}
	}
	if len(branding) > 0 {
		a.audit(ctx, actor, relay.AuditBrandingChanged, relay.AuditTargetWorkspace, ws.ID, branding)
	}
	if old.CustomerSignup != ws.CustomerSignup {
		a.audit(ctx, actor, relay.AuditSettingsChanged, relay.AuditTargetWorkspace, ws.ID,
			map[string]any{"customer_signup": map[string]bool{"from": old.CustomerSignup, "to": ws.CustomerSignup}})
	}
	a.rates.learn(ws, true)
	if rate := messageRateChange(old, ws); rate != nil {
		a.audit(ctx, actor, relay.AuditSettingsChanged, relay.AuditTargetWorkspace, ws.ID, rate)
	}
	return withLogoURL(ws), nil
}

// SetLogo stores a new logo, vetted by checkImage.
func (a *Accounts) SetLogo(ctx context.Context, actor *relay.Actor, data []byte) (*relay.Workspace, error) {
	if err := policy.Check(actor, policy.UpdateWorkspace, policy.Target{}); err != nil {
		return nil, err
	}
	img, err := checkImage("logo", data)
	if err != nil {
		return nil, err
	}
	ctype, version := img.contentType, img.version
	key := fmt.Sprintf("workspaces/%d/logo-%s", actor.Workspace.ID, version)
	if err := a.files.Put(ctx, key, data); err != nil {
		return nil, err
	}
	var ws *relay.Workspace
	err = a.replaceFile(ctx, "logo", key, actor.Workspace.LogoKey, func() (err error) {
		ws, err = a.store.SetWorkspaceLogo(ctx, actor.Workspace.ID, key, ctype, version, a.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditBrandingChanged, relay.AuditTargetWorkspace, ws.ID, map[string]any{"logo": "set", "type": ctype})
	return withLogoURL(ws), nil
}

// DeleteLogo removes the logo.
func (a *Accounts) DeleteLogo(ctx context.Context, actor *relay.Actor) (*relay.Workspace, error) {
	if err := policy.Check(actor, policy.UpdateWorkspace, policy.Target{}); err != nil {
		return nil, err
	}
	var ws *relay.Workspace
	err := a.replaceFile(ctx, "logo", "", actor.Workspace.LogoKey, func() (err error) {
		ws, err = a.store.SetWorkspaceLogo(ctx, actor.Workspace.ID, "", "", "", a.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if actor.Workspace.LogoKey != "" {
		a.audit(ctx, actor, relay.AuditBrandingChanged, relay.AuditTargetWorkspace, ws.ID, map[string]any{"logo": "removed"})
	}
	return withLogoURL(ws), nil
}

// Logo returns the workspace's logo bytes and content type; anyone who
// reaches the workspace may read it (the login page shows it).
func (a *Accounts) Logo(ctx context.Context, ws *relay.Workspace) ([]byte, string, error) {
	if ws.LogoKey == "" {
		return nil, "", relay.Errorf(relay.ENOTFOUND, "This workspace has no logo.")
	}
	b, err := a.files.Get(ctx, ws.LogoKey)
	if err != nil {
		return nil, "", err
	}
	return b, ws.LogoType, nil
}

// DeleteWorkspace deletes the actor's workspace; confirm must repeat its subdomain.
func (a *Accounts) DeleteWorkspace(ctx context.Context, actor *relay.Actor, confirm string) error {
	if err := policy.Check(actor, policy.DeleteWorkspace, policy.Target{}); err != nil {
		return err
	}
	if confirm != actor.Workspace.Subdomain {
		return relay.Errorf(relay.EINVALID, "To delete the workspace, send confirm set to its subdomain, %q.", actor.Workspace.Subdomain)
	}
	if err := a.store.DeleteWorkspace(ctx, actor.Workspace.ID); err != nil {
		return err
	}
	if actor.Workspace.LogoKey != "" {
		_ = a.files.Delete(ctx, actor.Workspace.LogoKey)
	}
	a.log.InfoContext(ctx, "workspace deleted", "workspace_id", actor.Workspace.ID, "by", actor.User.ID)
	return nil
}

// TransferOwnership makes another staff member the owner; the actor becomes an admin.
func (a *Accounts) TransferOwnership(ctx context.Context, actor *relay.Actor, to relay.ID) error {
	if err := policy.Check(actor, policy.TransferOwnership, policy.Target{}); err != nil {
		return err
	}
	if to == actor.User.ID {
		return relay.Errorf(relay.EINVALID, "You already own this workspace.")
	}
	m, err := a.store.Membership(ctx, actor.Workspace.ID, to)
	if err != nil {
		return err
	}
	if m.Role == relay.RoleCustomer {
		return relay.Errorf(relay.EINVALID, "Ownership can only go to a staff member, not a customer.")
	}
	if err := a.store.TransferOwnership(ctx, actor.Workspace.ID, actor.User.ID, to); err != nil {
		return err
	}
	a.audit(ctx, actor, relay.AuditOwnerChanged, relay.AuditTargetUser, to, map[string]any{"from": actor.User.ID})
	return nil
}
