package app

import (
	"time"

	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/ratelimit"
)

// Accounts owns who people are and how they get in: workspaces and their
// branding, users and profiles, sign-up, log-in, sessions and API tokens,
// sign-up hand-off codes, invitations and members (accounts_*.go). It uses
// no other service.
type Accounts struct {
	*kernel
	store  accountStore
	hasher *password.Hasher

	loginIP    *ratelimit.Limiter
	loginEmail *ratelimit.Limiter
	signupIP   *ratelimit.Limiter
	lookupIP   *ratelimit.Limiter
	login      *loginGuard // known devices and back-off (accounts_device.go)
}

func newAccounts(k *kernel, st accountStore, params password.Params, l Limits) *Accounts {
	if params == (password.Params{}) {
		params = password.Default
	}
	if l.LoginPerIP == 0 {
		l.LoginPerIP = 20
	}
	if l.LoginPerEmail == 0 {
		l.LoginPerEmail = 10
	}
	if l.LoginWindow == 0 {
		l.LoginWindow = 5 * time.Minute
	}
	if l.LoginBackoff == 0 {
		l.LoginBackoff = 30 * time.Second
	}
	if l.SignupPerIP == 0 {
		l.SignupPerIP = 20
	}
	if l.LookupPerIP == 0 {
		l.LookupPerIP = 30
	}
	a := &Accounts{
		kernel:     k,
		store:      st,
		hasher:     password.NewHasher(params),
		loginIP:    ratelimit.New(l.LoginPerIP, l.LoginWindow),
		loginEmail: ratelimit.New(l.LoginPerEmail, l.LoginWindow),
		signupIP:   ratelimit.New(l.SignupPerIP, time.Hour),
		lookupIP:   ratelimit.New(l.LookupPerIP, time.Minute),
	}
	for _, rl := range []*ratelimit.Limiter{a.loginIP, a.loginEmail, a.signupIP, a.lookupIP} {
		rl.Now = k.now
	}
	a.login = newLoginGuard(k.box, l, k.now)
	return a
}
