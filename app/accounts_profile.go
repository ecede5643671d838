package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// avatarURL is a user's public avatar URL for a version, versioned so caches
// refresh on change; empty for no avatar.
func avatarURL(userID relay.ID, version string) string {
	if version == "" {
		return ""
	}
	return "/api/v1/users/" + userID.String() + "/avatar?v=" + version
}

// ProfileUpdate lists the fields a PATCH of one's own profile may change;
// nil means unchanged.
type ProfileUpdate struct {
	DisplayName *string `json:"display_name"`
}

// UpdateProfile changes the actor's display name. Users are global, so the
// new name shows in every workspace they belong to, and each is told.
func (a *Accounts) UpdateProfile(ctx context.Context, actor *relay.Actor, upd ProfileUpdate) (*relay.User, error) {
	if err := policy.Check(actor, policy.UpdateProfile, policy.Target{}); err != nil {
		return nil, err
	}
	if upd.DisplayName == nil {
		return nil, relay.Errorf(relay.EINVALID, "Nothing to change: send display_name.")
	}
	name, err := relay.NormalizeName("Your display name", *upd.DisplayName, 80)
	if err != nil {
		return nil, err
	}
	u, err := a.store.SetUserName(ctx, actor.User.ID, name)
	if err != nil {
		return nil, err
	}
	a.memberUpdated(ctx, u)
	return u, nil
}

// SetAvatar stores a new avatar for the actor, vetted like a logo
// (checkImage).
func (a *Accounts) SetAvatar(ctx context.Context, actor *relay.Actor, data []byte) (*relay.User, error) {
	if err := policy.Check(actor, policy.UpdateProfile, policy.Target{}); err != nil {
		return nil, err
	}
	img, err := checkImage("avatar", data)
	if err != nil {
		return nil, err
	}
	cur, err := a.store.UserByID(ctx, actor.User.ID)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("users/%d/avatar-%s", actor.User.ID, img.version)
	if err := a.files.Put(ctx, key, data); err != nil {
		return nil, err
	}
	var u *relay.User
	err = a.replaceFile(ctx, "avatar", key, cur.AvatarKey, func() (err error) {
		u, err = a.store.SetUserAvatar(ctx, actor.User.ID, key, img.contentType, img.version, avatarURL(actor.User.ID, img.version))
		return err
	})
	if err != nil {
		return nil, err
	}
	a.memberUpdated(ctx, u)
	return u, nil
}

// DeleteAvatar removes the actor's avatar.
func (a *Accounts) DeleteAvatar(ctx context.Context, actor *relay.Actor) (*relay.User, error) {
	if err := policy.Check(actor, policy.UpdateProfile, policy.Target{}); err != nil {
		return nil, err
	}
	cur, err := a.store.UserByID(ctx, actor.User.ID)
	if err != nil {
		return nil, err
	}
	var u *relay.User
	err = a.replaceFile(ctx, "avatar", "", cur.AvatarKey, func() (err error) {
		u, err = a.store.SetUserAvatar(ctx, actor.User.ID, "", "", "", "")
		return err
	})
	if err != nil {
		return nil, err
	}
	if cur.AvatarKey != "" {
		a.memberUpdated(ctx, u)
	}
	return u, nil
}

// Avatar is an avatar's bytes, sniffed content type and version.
type Avatar struct {
	Data        []byte
	ContentType string
	Version     string
}

// Avatar returns the avatar of a member of the actor's workspace. A user
// who is not a member of it is not found, whatever other workspace they
// share with the actor: avatars never cross tenants.
func (a *Accounts) Avatar(ctx context.Context, actor *relay.Actor, userID relay.ID) (*Avatar, error) {
	if err := policy.Check(actor, policy.ViewMember, policy.Target{}); err != nil {
		return nil, err
	}
	if _, err := a.store.Membership(ctx, actor.Workspace.ID, userID); err != nil {
		return nil, err
	}
	u, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.AvatarKey == "" {
		return nil, relay.Errorf(relay.ENOTFOUND, "This user has no avatar.")
	}
	b, err := a.files.Get(ctx, u.AvatarKey)
	if err != nil {
		return nil, err
	}
	return &Avatar{Data: b, ContentType: u.AvatarType, Version: u.AvatarVersion}, nil
}

// memberUpdated tells every workspace the user belongs to that their name
// or avatar changed. The change is committed: a failure here is logged, and
// clients see the change when they next load members.
func (a *Accounts) memberUpdated(ctx context.Context, u *relay.User) {
	wss, err := a.store.UserWorkspaceIDs(ctx, u.ID)
	if err != nil {
		a.log.WarnContext(ctx, "member updated: list workspaces", "user_id", u.ID, "err", err)
		return
	}
	ev := MemberUpdatedEvent{UserID: u.ID, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL}
	for _, ws := range wss {
		a.publish(ctx, ws, relay.WorkspaceTopic(ws), EvMemberUpdated, ev, 0, 0)
	}
}

// WorkspaceLookup finds a workspace by subdomain for anyone (the apex's
// "find your workspace" form). Look-ups are limited per IP to slow
// enumeration of subdomains.
func (a *Accounts) WorkspaceLookup(ctx context.Context, sub, ip string) (*relay.Workspace, error) {
	if ok, wait := a.lookupIP.Allow(ip); !ok {
		return nil, rateLimited(wait)
	}
	sub = strings.ToLower(sub)
	if err := relay.ValidateSubdomain(sub); err != nil {
		return nil, err
	}
	ws, err := a.WorkspaceBySubdomain(ctx, sub)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Errorf(relay.ENOTFOUND, "No workspace at %q.", sub)
	}
	return ws, err
}
