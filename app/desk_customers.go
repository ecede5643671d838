package app

import (
	"context"
	"time"

	"github.com/relayhq/relay"
)

// CustomerStore is the persistence of customer self-sign-up.
type CustomerStore interface {
	// SignupCustomer, in one transaction: checks the workspace's
	// customer_signup setting (EFORBIDDEN when off), inserts u when
	// createUser, adds u as a customer (ECONFLICT if already a member) and
	// stores the session s.
	SignupCustomer(ctx context.Context, workspaceID relay.ID, u *relay.User, createUser bool, s *relay.Session, now time.Time) (*relay.Membership, error)
}

// CustomerSignupInput is what a customer signs up with on the workspace host.
type CustomerSignupInput struct {
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Password    string `json:"password"`
}

var errCustomerSignupOff = relay.Errorf(relay.EFORBIDDEN, "This workspace does not allow signing up: ask for an invitation.")

// SignupCustomer makes someone a customer of ws by themself, when the
// workspace allows it (customer_signup): a new email gets an account; an
// existing account proves itself with its password and is reused. Members
// of ws already are ECONFLICT. Limited per IP like sign-up.
func (a *Desk) SignupCustomer(ctx context.Context, ws *relay.Workspace, in CustomerSignupInput, ip string) (*AuthResult, error) {
	if ok, wait := a.accounts.signupIP.Allow(ip); !ok {
		return nil, rateLimited(wait)
	}
	if !ws.CustomerSignup {
		return nil, errCustomerSignupOff
	}
	email, err := relay.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := relay.ValidatePassword(in.Password); err != nil {
		return nil, err
	}
	now := a.Now()
	user, createUser, err := a.accounts.account(ctx, email, in.Password, in.DisplayName, now,
		relay.Errorf(relay.ECONFLICT, "An account with that email already exists; sign up with its password to use it here."))
	if err != nil {
		return nil, err
	}
	if !createUser {
		if _, err := a.store.Membership(ctx, ws.ID, user.ID); err == nil {
			return nil, relay.Errorf(relay.ECONFLICT, "%s already belongs to this workspace: sign in instead.", email)
		} else if relay.ErrorCode(err) != relay.ENOTFOUND {
			return nil, err
		}
	}
	tok, sess := a.accounts.newSession(ws.ID, user.ID, now)
	m, err := a.store.SignupCustomer(ctx, ws.ID, user, createUser, sess, now)
	if err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT && !createUser {
			return nil, relay.Errorf(relay.ECONFLICT, "%s already belongs to this workspace: sign in instead.", email)
		}
		return nil, err
	}
	a.log.InfoContext(ctx, "customer signed up", "workspace_id", ws.ID, "user_id", user.ID, "new_account", createUser)
	a.auditAs(ctx, ws.ID, user.ID, relay.AuditCustomerSignup, relay.AuditTargetUser, user.ID, map[string]any{"email": email, "new_account": createUser})
	a.accounts.memberAdded(ctx, ws.ID, user, m.Role)
	return &AuthResult{Token: tok, User: user, Membership: m, Workspace: withLogoURL(ws), Session: sess}, nil
}
