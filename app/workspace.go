package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/jpeg" // register decoders for DecodeConfig
	_ "image/png"
	"net/http"

	_ "golang.org/x/image/webp"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// WorkspaceBySubdomain resolves a host's workspace; ENOTFOUND if none.
func (a *App) WorkspaceBySubdomain(ctx context.Context, sub string) (*relay.Workspace, error) {
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
func (a *App) UpdateWorkspace(ctx context.Context, actor *relay.Actor, upd relay.WorkspaceUpdate) (*relay.Workspace, error) {
	if err := policy.Check(actor, policy.UpdateWorkspace, policy.Target{}); err != nil {
		return nil, err
	}
	if upd.Name == nil && upd.PrimaryColor == nil && upd.AccentColor == nil {
		return nil, relay.Errorf(relay.EINVALID, "Nothing to change: send name, primary_color or accent_color.")
	}
	if upd.Name != nil {
		n, err := NormalizeName("The workspace name", *upd.Name, 80)
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
			c, err := NormalizeColor(f.name, **f.v)
			if err != nil {
				return nil, err
			}
			*f.v = &c
		}
	}
	ws, err := a.store.UpdateWorkspace(ctx, actor.Workspace.ID, upd, a.Now())
	if err != nil {
		return nil, err
	}
	return withLogoURL(ws), nil
}

// MaxLogoBytes is the largest logo accepted.
const MaxLogoBytes = 1 << 20

// MaxLogoSide is the largest width or height of a logo, in pixels.
const MaxLogoSide = 4096

var logoTypes = map[string]string{"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}

// SetLogo stores a new logo. Its type is sniffed from the bytes and the image
// header must decode; the client's Content-Type is never trusted.
func (a *App) SetLogo(ctx context.Context, actor *relay.Actor, data []byte) (*relay.Workspace, error) {
	if err := policy.Check(actor, policy.UpdateWorkspace, policy.Target{}); err != nil {
		return nil, err
	}
	if len(data) > MaxLogoBytes {
		return nil, relay.Errorf(relay.ETOOLARGE, "A logo may be at most 1 MiB.")
	}
	if len(data) == 0 {
		return nil, relay.Errorf(relay.EINVALID, "The logo is empty: send the image bytes as the request body.")
	}
	ctype := http.DetectContentType(data)
	format, ok := logoTypes[ctype]
	if !ok {
		return nil, relay.Errorf(relay.EUNSUPPORTED, "A logo must be a PNG, JPEG or WebP image.")
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return nil, relay.Errorf(relay.EUNSUPPORTED, "The logo is not a readable %s image.", format)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return nil, relay.Errorf(relay.EINVALID, "A logo must be between 1 and %d pixels on each side.", MaxLogoSide)
	}
	sum := sha256.Sum256(data)
	version := hex.EncodeToString(sum[:8])
	key := fmt.Sprintf("workspaces/%d/logo-%s", actor.Workspace.ID, version)
	if err := a.files.Put(ctx, key, data); err != nil {
		return nil, err
	}
	old := actor.Workspace.LogoKey
	ws, err := a.store.SetWorkspaceLogo(ctx, actor.Workspace.ID, key, ctype, version, a.Now())
	if err != nil {
		if key != old {
			_ = a.files.Delete(ctx, key)
		}
		return nil, err
	}
	if old != "" && old != key {
		if err := a.files.Delete(ctx, old); err != nil {
			a.log.WarnContext(ctx, "delete old logo", "err", err)
		}
	}
	return withLogoURL(ws), nil
}

// DeleteLogo removes the logo.
func (a *App) DeleteLogo(ctx context.Context, actor *relay.Actor) (*relay.Workspace, error) {
	if err := policy.Check(actor, policy.UpdateWorkspace, policy.Target{}); err != nil {
		return nil, err
	}
	old := actor.Workspace.LogoKey
	ws, err := a.store.SetWorkspaceLogo(ctx, actor.Workspace.ID, "", "", "", a.Now())
	if err != nil {
		return nil, err
	}
	if old != "" {
		if err := a.files.Delete(ctx, old); err != nil {
			a.log.WarnContext(ctx, "delete logo", "err", err)
		}
	}
	return withLogoURL(ws), nil
}

// Logo returns the workspace's logo bytes and content type; anyone who
// reaches the workspace may read it (the login page shows it).
func (a *App) Logo(ctx context.Context, ws *relay.Workspace) ([]byte, string, error) {
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
func (a *App) DeleteWorkspace(ctx context.Context, actor *relay.Actor, confirm string) error {
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
func (a *App) TransferOwnership(ctx context.Context, actor *relay.Actor, to relay.ID) error {
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
	return a.store.TransferOwnership(ctx, actor.Workspace.ID, actor.User.ID, to)
}
