package app

import (
	"context"
	"errors"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// SignupInput is what sign-up asks for.
type SignupInput struct {
	WorkspaceName string `json:"workspace_name"`
	Subdomain     string `json:"subdomain"`
	Email         string `json:"email"`
	Password      string `json:"password"`
	DisplayName   string `json:"display_name"`
}

// AuthResult is what a successful sign-up, login or invitation accept returns.
type AuthResult struct {
	Token      string            `json:"token"`
	User       *relay.User       `json:"user"`
	Membership *relay.Membership `json:"membership"`
	Workspace  *relay.Workspace  `json:"workspace"`
	Session    *relay.Session    `json:"-"`
	// Handoff is a sign-up's single-use code for the workspace host (see
	// ExchangeHandoff); the HTTP layer turns it into a URL.
	Handoff string `json:"-"`
	// Device is a login's device cookie value, until DeviceExpires: the
	// browser presents it at its next logins (auth_device.go).
	Device        string    `json:"-"`
	DeviceExpires time.Time `json:"-"`
}

// Signup creates a workspace, its owner (or makes an existing user its
// owner, after checking their password) and a session, in one transaction.
func (a *Accounts) Signup(ctx context.Context, in SignupInput, ip string) (*AuthResult, error) {
	if ok, wait := a.signupIP.Allow(ip); !ok {
		return nil, rateLimited(wait)
	}
	name, err := relay.NormalizeName("The workspace name", in.WorkspaceName, 80)
	if err != nil {
		return nil, err
	}
	if err := relay.ValidateSubdomain(in.Subdomain); err != nil {
		return nil, err
	}
	email, err := relay.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := relay.ValidatePassword(in.Password); err != nil {
		return nil, err
	}

	now := a.Now()
	// The email may have an account: only its owner, who knows its
	// password, may found a workspace with it.
	user, createUser, err := a.account(ctx, email, in.Password, in.DisplayName, now,
		relay.Errorf(relay.ECONFLICT, "An account with that email already exists; sign up with its password to add a workspace to it."))
	if err != nil {
		return nil, err
	}

	ws := &relay.Workspace{ID: a.ids.New(), Subdomain: in.Subdomain, Name: name,
		PrimaryColor: relay.DefaultPrimaryColor, AccentColor: relay.DefaultAccentColor,
		MessageRate: relay.DefaultMessageRate, MessageBurst: relay.DefaultMessageBurst, CreatedAt: now, UpdatedAt: now}
	tok, sess := a.newSession(ws.ID, user.ID, now)
	general := &relay.Channel{ID: a.ids.New(), WorkspaceID: ws.ID, Name: "general", Kind: relay.ChannelPublic,
		Purpose: "Company-wide announcements and work-based matters.", CreatedBy: user.ID, CreatedAt: now, UpdatedAt: now}
	if err := a.store.CreateWorkspace(ctx, ws, user, createUser, sess, general); err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "workspace created", "workspace_id", ws.ID, "subdomain", ws.Subdomain, "user_id", user.ID)
	m := &relay.Membership{WorkspaceID: ws.ID, UserID: user.ID, Role: relay.RoleOwner, CreatedAt: now}
	handoff, err := a.newHandoff(ctx, ws.ID, user.ID)
	if err != nil {
		return nil, err
	}
	return &AuthResult{Token: tok, User: user, Membership: m, Workspace: withLogoURL(ws), Session: sess, Handoff: handoff}, nil
}

// account finds the user of an email or prepares a new one (not stored
// yet: create reports it). A new account needs a display name; an existing
// one must prove itself with its password, else wrongPassword.
func (a *Accounts) account(ctx context.Context, email, password, displayName string, now time.Time, wrongPassword error) (u *relay.User, create bool, err error) {
	u, err = a.store.UserByEmail(ctx, email)
	switch {
	case relay.ErrorCode(err) == relay.ENOTFOUND:
		display, err := relay.NormalizeName("Your display name", displayName, 80)
		if err != nil {
			return nil, false, err
		}
		hash, err := a.hasher.Hash(ctx, password)
		if err != nil {
			return nil, false, err
		}
		return &relay.User{ID: a.ids.New(), Email: email, DisplayName: display, PasswordHash: hash, CreatedAt: now}, true, nil
	case err != nil:
		return nil, false, err
	}
	if ok, err := a.hasher.Verify(ctx, u.PasswordHash, password); err != nil || !ok {
		return nil, false, wrongPassword
	}
	return u, false, nil
}

func (a *Accounts) newSession(wsID, userID relay.ID, now time.Time) (string, *relay.Session) {
	tok, hash := newToken()
	exp := now.Add(relay.SessionTTL)
	return tok, &relay.Session{ID: a.ids.New(), WorkspaceID: wsID, UserID: userID, Kind: relay.TokenSession,
		Name: "session", TokenHash: hash, CreatedAt: now, LastUsedAt: &now, ExpiresAt: &exp}
}

var errBadCredentials = relay.Errorf(relay.EUNAUTHORIZED, "Wrong email or password.")

// Login checks credentials for a member of ws and opens a session. device
// is the browser's device cookie (relay_device), if any. Attempts are
// limited per IP, and failures per email and per known device, so guessing
// is slow and a guesser cannot lock the owner out (auth_device.go). A
// successful login returns a fresh device cookie in AuthResult.Device.
func (a *Accounts) Login(ctx context.Context, ws *relay.Workspace, email, pw, ip, device string) (*AuthResult, error) {
	now := a.Now()
	var known string // the device's key when it signed in to this account before
	if e, err := relay.NormalizeEmail(email); err == nil {
		known = a.login.knownDevice(ws.ID, e, device, now)
	}
	if known == "" {
		if ok, wait := a.loginIP.Allow(ip); !ok {
			return nil, rateLimited(wait)
		}
	}
	email, err := relay.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if pw == "" {
		return nil, relay.Errorf(relay.EINVALID, "A password is required.")
	}
	if len(pw) > 4*relay.MaxPassword {
		return nil, errBadCredentials
	}
	emailKey := ws.ID.String() + "/" + email
	pairKey := ip + "|" + emailKey
	var failed func() // counts a failure against the budget the attempt used
	switch ok, _ := a.loginEmail.Check(emailKey); {
	case known != "":
		if ok, wait := a.login.device.Check(known); !ok {
			return nil, rateLimited(wait)
		}
		failed = func() { a.login.device.Allow(known) }
	case ok:
		failed = func() { a.loginEmail.Allow(emailKey) }
	default:
		// The email's budget is spent: this (IP, email) pair may try once
		// per back-off rather than not at all.
		if wait := a.login.backoff.wait(pairKey, now); wait > 0 {
			return nil, rateLimited(wait)
		}
		failed = func() { a.loginEmail.Allow(emailKey); a.login.backoff.failed(pairKey, now) }
	}

	user, err := a.store.UserByEmail(ctx, email)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		a.hasher.Dummy(ctx, pw) // same effort as a real check: no account enumeration by timing
		failed()
		return nil, errBadCredentials
	} else if err != nil {
		return nil, err
	}
	if ok, err := a.hasher.Verify(ctx, user.PasswordHash, pw); err != nil || !ok {
		failed()
		if err != nil && !errors.Is(err, context.Canceled) {
			a.log.ErrorContext(ctx, "password verify", "user_id", user.ID, "err", err)
		}
		return nil, errBadCredentials
	}
	m, err := a.store.Membership(ctx, ws.ID, user.ID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		failed()
		return nil, errBadCredentials // do not reveal that the account exists elsewhere
	} else if err != nil {
		return nil, err
	}
	tok, sess := a.newSession(ws.ID, user.ID, now)
	if err := a.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	a.login.backoff.succeeded(pairKey)
	exp := now.Add(DeviceTTL)
	return &AuthResult{Token: tok, User: user, Membership: m, Workspace: withLogoURL(ws), Session: sess,
		Device: a.login.newDevice(ws.ID, email, exp), DeviceExpires: exp}, nil
}

// touchEvery bounds how often a session's last use is written.
const touchEvery = time.Minute

// Authenticate resolves a session or API token presented on ws's host into
// an Actor. Tokens of other workspaces, expired sessions and removed members
// are all EUNAUTHORIZED.
func (a *Accounts) Authenticate(ctx context.Context, ws *relay.Workspace, token string, viaCookie bool) (*relay.Actor, error) {
	if !plausibleToken(token) {
		return nil, relay.Errorf(relay.EUNAUTHORIZED, "Invalid or expired credentials.")
	}
	now := a.Now()
	s, u, m, err := a.store.Authenticate(ctx, ws.ID, hashToken(token), now)
	if err != nil {
		return nil, err
	}
	if s.LastUsedAt == nil || now.Sub(*s.LastUsedAt) > touchEvery {
		var exp *time.Time
		if s.Kind == relay.TokenSession {
			e := now.Add(relay.SessionTTL)
			exp = &e
		}
		if err := a.store.TouchSession(ctx, ws.ID, s.ID, now, exp); err != nil {
			a.log.WarnContext(ctx, "touch session", "err", err)
		}
	}
	return &relay.Actor{User: u, Membership: m, Workspace: ws, SessionID: s.ID, ViaCookie: viaCookie}, nil
}

// Logout ends the session or revokes the token that made the request.
func (a *Accounts) Logout(ctx context.Context, actor *relay.Actor) error {
	if err := policy.Check(actor, policy.ReadSelf, policy.Target{}); err != nil {
		return err
	}
	if err := a.store.DeleteSession(ctx, actor.Workspace.ID, actor.SessionID); err != nil {
		return err
	}
	a.accessChanged(ctx, actor.Workspace.ID, actor.User.ID, actor.SessionID, "signed out")
	return nil
}

// Me describes the actor to themself.
type Me struct {
	User       *relay.User       `json:"user"`
	Membership *relay.Membership `json:"membership"`
	Workspace  *relay.Workspace  `json:"workspace"`
	// Status is the actor's status in this workspace; an expired one reads
	// as the default (online, no text or emoji).
	Status relay.Status `json:"status"`
}

// Me returns who the actor is.
func (a *Accounts) Me(ctx context.Context, actor *relay.Actor) (*Me, error) {
	if err := policy.Check(actor, policy.ReadSelf, policy.Target{}); err != nil {
		return nil, err
	}
	st, err := a.store.MemberStatus(ctx, actor.Workspace.ID, actor.User.ID, a.Now())
	if err != nil {
		return nil, err
	}
	return &Me{User: actor.User, Membership: actor.Membership, Workspace: withLogoURL(actor.Workspace), Status: st}, nil
}

// NewToken is a created API token, with its secret shown this once.
type NewToken struct {
	relay.Session
	Token string `json:"token"`
}

// CreateToken makes a named personal API token for the actor.
func (a *Accounts) CreateToken(ctx context.Context, actor *relay.Actor, name string) (*NewToken, error) {
	if err := policy.Check(actor, policy.ManageOwnTokens, policy.Target{}); err != nil {
		return nil, err
	}
	name, err := relay.NormalizeName("The token name", name, 80)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	tok, hash := newToken()
	// Never used yet: last_used_at stays null until the token first authenticates a request.
	s := relay.Session{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, UserID: actor.User.ID, Kind: relay.TokenAPI,
		Name: name, TokenHash: hash, CreatedAt: now}
	if err := a.store.CreateSession(ctx, &s); err != nil {
		return nil, err
	}
	return &NewToken{Session: s, Token: tok}, nil
}

// ListTokens lists the actor's API tokens (never their secrets).
func (a *Accounts) ListTokens(ctx context.Context, actor *relay.Actor) ([]relay.Session, error) {
	if err := policy.Check(actor, policy.ManageOwnTokens, policy.Target{}); err != nil {
		return nil, err
	}
	return a.store.ListTokens(ctx, actor.Workspace.ID, actor.User.ID)
}

// RevokeToken deletes one of the actor's API tokens.
func (a *Accounts) RevokeToken(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	if err := policy.Check(actor, policy.ManageOwnTokens, policy.Target{}); err != nil {
		return err
	}
	if err := a.store.DeleteToken(ctx, actor.Workspace.ID, actor.User.ID, id); err != nil {
		return err
	}
	a.accessChanged(ctx, actor.Workspace.ID, actor.User.ID, id, "token revoked")
	return nil
}
