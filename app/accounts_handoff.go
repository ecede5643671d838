package app

import (
	"context"
	"time"

	"github.com/relayhq/relay"
)

// HandoffTTL is how long a sign-up hand-off code can be exchanged.
const HandoffTTL = time.Minute

// newHandoff stores a single-use code that logs u in on ws's host. Sign-up
// happens on the apex, whose cookies the workspace host never sees; the
// browser carries the code across (in a URL fragment) and exchanges it.
func (a *Accounts) newHandoff(ctx context.Context, wsID, userID relay.ID) (string, error) {
	code, hash := newToken()
	if err := a.store.CreateHandoff(ctx, wsID, userID, hash, a.Now().Add(HandoffTTL)); err != nil {
		return "", err
	}
	return code, nil
}

// ExchangeHandoff turns a hand-off code of ws into a session, once. Attempts
// share the login limit per IP, so codes cannot be guessed faster than
// passwords.
func (a *Accounts) ExchangeHandoff(ctx context.Context, ws *relay.Workspace, code, ip string) (*AuthResult, error) {
	if ok, wait := a.loginIP.Allow(ip); !ok {
		return nil, rateLimited(wait)
	}
	if !plausibleToken(code) {
		return nil, relay.Errorf(relay.EUNAUTHORIZED, "This sign-in link is not valid; sign in with your email and password.")
	}
	now := a.Now()
	tok, sess := a.newSession(ws.ID, 0, now)
	if err := a.store.ExchangeHandoff(ctx, ws.ID, hashToken(code), now, sess); err != nil {
		return nil, err
	}
	actor, err := a.Authenticate(ctx, ws, tok, true)
	if err != nil {
		return nil, err
	}
	return &AuthResult{Token: tok, User: actor.User, Membership: actor.Membership, Workspace: withLogoURL(ws), Session: sess}, nil
}
