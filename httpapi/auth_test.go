package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestInvitationLifecycle(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		o := e.signup("acme")
		tok, id := e.invite(o, "Neo@Example.com", "agent")

		// Listed for admins, with the email lower-cased and no secret.
		l := e.do("GET", "acme", "/api/v1/invites", nil, bearer(o.token))
		want(t, l, http.StatusOK, "")
		if strings.Contains(l.String(), tok) || !strings.Contains(l.String(), `"email":"neo@example.com"`) {
			t.Fatalf("list: %s", l.body)
		}
		// Anyone holding the token sees what they are joining.
		p := e.do("GET", "acme", "/api/v1/invites/"+tok, nil)
		want(t, p, http.StatusOK, "")
		if pm := p.json(t); pm["role"] != "agent" || pm["existing_account"] != false || pm["workspace"].(map[string]any)["subdomain"] != "acme" ||
			pm["inviter"].(map[string]any)["display_name"] != "Owner of acme" || strings.Contains(p.String(), "owner@acme") {
			t.Fatalf("preview: %s", p.body)
		}

		// Accepting makes the account, a membership and a browser session.
		r := e.do("POST", "acme", "/api/v1/invites/"+tok+"/accept", map[string]string{"display_name": "Neo", "password": "follow-the-rabbit"})
		want(t, r, http.StatusCreated, "")
		if r.json(t)["membership"].(map[string]any)["role"] != "agent" {
			t.Fatalf("accept: %s", r.body)
		}
		c := r.header.Get("Set-Cookie")
		for _, attr := range []string{CookieName + "=rly_", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(c, attr) {
				t.Fatalf("cookie %q lacks %q", c, attr)
			}
		}
		if strings.Contains(strings.ToLower(c), "domain=") || strings.Contains(c, "Secure") {
			t.Fatalf("cookie must be host-only and not Secure over plain HTTP: %q", c)
		}
		// Used once: both preview and a second accept are gone.
		want(t, e.do("GET", "acme", "/api/v1/invites/"+tok, nil), http.StatusGone, "gone")
		want(t, e.do("POST", "acme", "/api/v1/invites/"+tok+"/accept", map[string]string{"display_name": "Neo2", "password": "another-password"}), http.StatusGone, "gone")
		want(t, e.do("DELETE", "acme", "/api/v1/invites/"+id, nil, bearer(o.token)), http.StatusNotFound, "not_found")

		// Expiry: seven days later the invitation is dead and stays unused.
		tok2, id2 := e.invite(o, "late@example.com", "member")
		e.clock.Advance(7*24*time.Hour + time.Second)
		want(t, e.do("GET", "acme", "/api/v1/invites/"+tok2, nil), http.StatusGone, "gone")
		want(t, e.do("POST", "acme", "/api/v1/invites/"+tok2+"/accept", map[string]string{"display_name": "Late", "password": "late-password"}), http.StatusGone, "gone")
		l = e.do("GET", "acme", "/api/v1/invites", nil, bearer(o.token))
		if !strings.Contains(l.String(), `"expired":true`) || !strings.Contains(l.String(), id2) {
			t.Fatalf("expired invite not listed as expired: %s", l.body)
		}
		// Revoked: the token no longer works.
		tok3, id3 := e.invite(o, "gone@example.com", "member")
		want(t, e.do("DELETE", "acme", "/api/v1/invites/"+id3, nil, bearer(o.token)), http.StatusNoContent, "")
		want(t, e.do("POST", "acme", "/api/v1/invites/"+tok3+"/accept", map[string]string{"display_name": "G", "password": "gone-password"}), http.StatusNotFound, "not_found")

		// A user of another workspace joins with their existing password.
		other := e.signup("other")
		tok4, _ := e.invite(o, other.email, "customer")
		if e.do("GET", "acme", "/api/v1/invites/"+tok4, nil).json(t)["existing_account"] != true {
			t.Fatal("preview does not say the account exists")
		}
		want(t, e.do("POST", "acme", "/api/v1/invites/"+tok4+"/accept", map[string]string{"password": "wrong-password"}), http.StatusUnauthorized, "unauthenticated")
		r = e.do("POST", "acme", "/api/v1/invites/"+tok4+"/accept", map[string]string{"password": other.password})
		want(t, r, http.StatusCreated, "")
		if r.json(t)["user"].(map[string]any)["id"] != other.userID {
			t.Fatal("existing account got a second identity")
		}
		// Now they can sign in to both, and each session works only at home.
		li := e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": other.email, "password": other.password})
		want(t, li, http.StatusOK, "")
		acmeTok := li.json(t)["token"].(string)
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(acmeTok)), http.StatusOK, "")
		want(t, e.do("GET", "other", "/api/v1/auth/me", nil, bearer(acmeTok)), http.StatusUnauthorized, "unauthenticated")
		want(t, e.do("GET", "acme", "/api/v1/members", nil, bearer(acmeTok)), http.StatusForbidden, "forbidden") // a customer
	})
}

func TestSessions(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{LoginPerIP: 1000})
	o := e.signup("acme")
	m := e.join(o, "mia", "member")

	// Cookie authentication works for reads and same-origin writes.
	li := e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": m.email, "password": m.password})
	want(t, li, http.StatusOK, "")
	ck := li.json(t)["token"].(string)
	want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, cookie(ck)), http.StatusOK, "")
	want(t, e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "t"}, cookie(ck),
		header("Sec-Fetch-Site", "same-origin")), http.StatusCreated, "")

	// Cross-origin browser writes with the cookie are refused; reads and
	// bearer-authenticated writes are not affected.
	for _, h := range []opt{header("Sec-Fetch-Site", "cross-site"), header("Origin", "http://evil.example")} {
		want(t, e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "csrf"}, cookie(ck), h), http.StatusForbidden, "forbidden")
		want(t, e.do("POST", "acme", "/api/v1/auth/logout", nil, cookie(ck), h), http.StatusForbidden, "forbidden")
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, cookie(ck), h), http.StatusOK, "")
		want(t, e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "api"}, bearer(ck), h), http.StatusCreated, "")
	}
	// A cross-site login form cannot plant a session either.
	want(t, e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": m.email, "password": m.password},
		header("Sec-Fetch-Site", "cross-site")), http.StatusForbidden, "forbidden")

	// Logout ends that session only.
	want(t, e.do("POST", "acme", "/api/v1/auth/logout", nil, bearer(m.token)), http.StatusNoContent, "")
	want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(m.token)), http.StatusUnauthorized, "unauthenticated")
	want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, cookie(ck)), http.StatusOK, "")

	// API tokens: shown once, listed without the secret, revocable.
	r := e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "ci bot"}, cookie(ck), header("Sec-Fetch-Site", "same-origin"))
	want(t, r, http.StatusCreated, "")
	api, apiID := r.json(t)["token"].(string), r.json(t)["id"].(string)
	want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(api)), http.StatusOK, "")
	l := e.do("GET", "acme", "/api/v1/tokens", nil, bearer(api))
	if !strings.Contains(l.String(), `"ci bot"`) || strings.Contains(l.String(), api) {
		t.Fatalf("token list: %s", l.body)
	}
	// Another member cannot see or revoke it.
	if strings.Contains(e.do("GET", "acme", "/api/v1/tokens", nil, bearer(o.token)).String(), apiID) {
		t.Fatal("owner sees a member's tokens")
	}
	want(t, e.do("DELETE", "acme", "/api/v1/tokens/"+apiID, nil, bearer(o.token)), http.StatusNotFound, "not_found")
	want(t, e.do("DELETE", "acme", "/api/v1/tokens/"+apiID, nil, bearer(api)), http.StatusNoContent, "")
	want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(api)), http.StatusUnauthorized, "unauthenticated")

	// Sessions expire after 30 idle days; a stale cookie is cleared.
	e.clock.Advance(31 * 24 * time.Hour)
	r = e.do("GET", "acme", "/api/v1/auth/me", nil, cookie(ck))
	want(t, r, http.StatusUnauthorized, "unauthenticated")
	if !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("stale cookie not cleared: %q", r.header.Get("Set-Cookie"))
	}
	// …but a stale cookie never blocks a public page.
	want(t, e.do("GET", "acme", "/api/v1/workspace", nil, cookie(ck)), http.StatusOK, "")

	// The janitor deletes what expired; live API tokens stay.
	n, _, err := e.srv.app.Purge(context.Background())
	if err != nil || n < 2 {
		t.Fatalf("purged %d sessions (%v); want the expired ones (at least 2)", n, err)
	}
	r = e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "late"}, bearer(o.token))
	want(t, r, http.StatusUnauthorized, "unauthenticated") // the owner's signup session expired too
}

func TestSessionSlidesWithUse(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	o := e.signup("acme")
	for i := 0; i < 3; i++ { // 60 days of use, 20 days apart: still signed in
		e.clock.Advance(20 * 24 * time.Hour)
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(o.token)), http.StatusOK, "")
	}
}

func TestMembersAndRoles(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		o := e.signup("acme")
		ad := e.join(o, "ada", "admin")
		ag := e.join(o, "gus", "agent")
		me := e.join(o, "mia", "member")
		cu := e.join(o, "cal", "customer")

		ms := e.do("GET", "acme", "/api/v1/members", nil, bearer(me.token))
		want(t, ms, http.StatusOK, "")
		if n := len(ms.json(t)["members"].([]any)); n != 5 {
			t.Fatalf("%d members, want 5", n)
		}
		want(t, e.do("GET", "acme", "/api/v1/members", nil, bearer(cu.token)), http.StatusForbidden, "forbidden")

		role := func(by account, target account, r string) res {
			return e.do("PATCH", "acme", "/api/v1/members/"+target.userID, map[string]string{"role": r}, bearer(by.token))
		}
		want(t, role(ad, o, "member"), http.StatusForbidden, "forbidden") // admins cannot touch owners
		want(t, role(ad, me, "owner"), http.StatusForbidden, "forbidden") // nor make owners
		want(t, role(ag, me, "admin"), http.StatusForbidden, "forbidden") // agents manage nobody
		want(t, role(me, me, "admin"), http.StatusForbidden, "forbidden") // nor do members, even themselves
		want(t, role(cu, cu, "owner"), http.StatusForbidden, "forbidden") // nor customers
		want(t, role(ad, me, "agent"), http.StatusOK, "")                 // admins manage the rest
		want(t, role(o, ad, "owner"), http.StatusOK, "")                  // owners may add owners
		want(t, role(ad, o, "admin"), http.StatusOK, "")                  // …and then one may step down
		want(t, role(ad, ad, "admin"), http.StatusConflict, "conflict")   // but never the last one
		// Role changes apply at once, to sessions already open.
		if got := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(o.token)).json(t)["membership"].(map[string]any)["role"]; got != "admin" {
			t.Fatalf("former owner's role = %v", got)
		}

		// Transfer: the owner (now ada) hands over to gus and becomes admin.
		want(t, e.do("POST", "acme", "/api/v1/workspace/transfer", map[string]string{"user_id": cu.userID}, bearer(ad.token)), http.StatusBadRequest, "invalid")
		want(t, e.do("POST", "acme", "/api/v1/workspace/transfer", map[string]string{"user_id": ag.userID}, bearer(o.token)), http.StatusForbidden, "forbidden")
		want(t, e.do("POST", "acme", "/api/v1/workspace/transfer", map[string]string{"user_id": ag.userID}, bearer(ad.token)), http.StatusNoContent, "")
		for who, wantRole := range map[account]string{ad: "admin", ag: "owner"} {
			if got := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(who.token)).json(t)["membership"].(map[string]any)["role"]; got != wantRole {
				t.Fatalf("%s role = %v, want %s", who.email, got, wantRole)
			}
		}

		// Removal ends the removed member's sessions; a member may leave.
		want(t, e.do("DELETE", "acme", "/api/v1/members/"+ag.userID, nil, bearer(ad.token)), http.StatusForbidden, "forbidden")
		want(t, e.do("DELETE", "acme", "/api/v1/members/"+me.userID, nil, bearer(ad.token)), http.StatusNoContent, "")
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(me.token)), http.StatusUnauthorized, "unauthenticated")
		want(t, e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": me.email, "password": me.password}), http.StatusUnauthorized, "unauthenticated")
		want(t, e.do("DELETE", "acme", "/api/v1/members/"+cu.userID, nil, bearer(cu.token)), http.StatusNoContent, "")
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(cu.token)), http.StatusUnauthorized, "unauthenticated")

		// Only the owner deletes the workspace; then its host is gone.
		want(t, e.do("DELETE", "acme", "/api/v1/workspace", map[string]string{"confirm": "acme"}, bearer(ad.token)), http.StatusForbidden, "forbidden")
		want(t, e.do("DELETE", "acme", "/api/v1/workspace", map[string]string{"confirm": "acme"}, bearer(ag.token)), http.StatusNoContent, "")
		want(t, e.do("GET", "acme", "/api/v1/workspace", nil), http.StatusNotFound, "not_found")
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(ag.token)), http.StatusNotFound, "not_found")
		// The people remain: the subdomain can be signed up again.
		want(t, e.do("POST", "", "/api/v1/signup", map[string]string{"workspace_name": "Acme 2", "subdomain": "acme",
			"email": ag.email, "password": ag.password, "display_name": "Gus"}), http.StatusCreated, "")
	})
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{LoginPerEmail: 3, LoginPerIP: 6, LoginWindow: time.Minute, SignupPerIP: 2})
	o := e.signup("acme")
	login := func(email, pw, ip string) res {
		return e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": email, "password": pw}, header("X-Forwarded-For", ip))
	}
	// Per email: three failures, then 429 even with the right password.
	for i := 0; i < 3; i++ {
		want(t, login(o.email, "wrong-password", ""), http.StatusUnauthorized, "unauthenticated")
	}
	r := login(o.email, o.password, "")
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	// Per IP: other emails from the same address run out too (6 attempts in all,
	// counting the refused one: X-Forwarded-For is not trusted by default).
	want(t, login("x@acme.example", "nope-nope", ""), http.StatusUnauthorized, "unauthenticated")
	want(t, login("y@acme.example", "nope-nope", ""), http.StatusUnauthorized, "unauthenticated")
	want(t, login("z@acme.example", "nope-nope", ""), http.StatusTooManyRequests, "rate_limited")
	// Time heals.
	e.clock.Advance(time.Duration(secs) * time.Second * 3)
	want(t, login(o.email, o.password, ""), http.StatusOK, "")
	// Sign-ups per IP.
	e.signup("beta")
	r = e.do("POST", "", "/api/v1/signup", map[string]string{"workspace_name": "G", "subdomain": "gamma", "email": "g@x.example",
		"password": "long-enough", "display_name": "G"})
	want(t, r, http.StatusTooManyRequests, "rate_limited")
}

// TestLoginDeviceCookie: a login sets the device cookie (HttpOnly, sent to
// the login endpoint only); with it the owner gets in although the address
// and the email have spent their login budgets; without it, or on another
// workspace's host, the budgets hold.
func TestLoginDeviceCookie(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerEmail: 3, LoginPerIP: 6, LoginWindow: time.Minute})
		o := e.signup("acme")
		e.signup("bravo")
		login := func(sub, pw string, opts ...opt) res {
			return e.do("POST", sub, "/api/v1/auth/login", map[string]string{"email": o.email, "password": pw}, opts...)
		}
		r := login("acme", o.password)
		want(t, r, http.StatusOK, "")
		var dev *http.Cookie
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			if c.Name == DeviceCookieName {
				dev = c
			}
		}
		if dev == nil || dev.Value == "" || !dev.HttpOnly || dev.Path != "/api/v1/auth/login" || dev.SameSite != http.SameSiteStrictMode ||
			dev.Domain != "" || !dev.Expires.After(time.Now().Add(24*time.Hour)) {
			t.Fatalf("device cookie %+v", dev)
		}
		withDevice := func(v string) opt {
			return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: DeviceCookieName, Value: v}) }
		}
		// An attacker spends the budgets (this test's client has one address).
		for i := 0; i < 6; i++ {
			r := login("acme", "wrong-password")
			if r.status != http.StatusUnauthorized && r.status != http.StatusTooManyRequests {
				t.Fatalf("attempt %d: %d %s", i+1, r.status, r.body)
			}
		}
		want(t, login("acme", o.password), http.StatusTooManyRequests, "rate_limited")
		want(t, login("acme", o.password, withDevice("forged"+dev.Value)), http.StatusTooManyRequests, "rate_limited")
		// The device cookie means nothing on another workspace's host.
		want(t, login("bravo", o.password, withDevice(dev.Value)), http.StatusTooManyRequests, "rate_limited")
		r = login("acme", o.password, withDevice(dev.Value))
		want(t, r, http.StatusOK, "")
		if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), DeviceCookieName+"=") {
			t.Fatal("no fresh device cookie")
		}
		// A known device's wrong passwords have their own budget.
		for i := 0; i < 3; i++ {
			want(t, login("acme", "wrong-password", withDevice(dev.Value)), http.StatusUnauthorized, "unauthenticated")
		}
		want(t, login("acme", o.password, withDevice(dev.Value)), http.StatusTooManyRequests, "rate_limited")
	})
}

func TestSignupHandoff(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		r := e.do("POST", "", "/api/v1/signup", map[string]string{"workspace_name": "Acme", "subdomain": "acme",
			"email": "o@acme.example", "password": "owner-password", "display_name": "Olive"})
		want(t, r, http.StatusCreated, "")
		m := r.json(t)
		port := "" // the requests name the host without a port
		if m["workspace_url"] != "http://acme."+base+port {
			t.Fatalf("workspace_url = %v", m["workspace_url"])
		}
		hu, _ := m["handoff_url"].(string)
		prefix := "http://acme." + base + port + "/handoff#code="
		if !strings.HasPrefix(hu, prefix) {
			t.Fatalf("handoff_url = %q, want %s…", hu, prefix)
		}
		code := strings.TrimPrefix(hu, prefix)
		e.signup("bravo")

		// The code means nothing on another workspace's host, and trying it
		// there does not use it up.
		want(t, e.do("POST", "bravo", "/api/v1/auth/handoff", map[string]string{"code": code}), http.StatusUnauthorized, "unauthenticated")
		// Nor is it a bearer token.
		want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(code)), http.StatusUnauthorized, "unauthenticated")

		for _, tt := range []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"no code", map[string]string{}, 400, "invalid"},
			{"not JSON", "code=" + code, 400, "invalid"},
			{"garbage", map[string]string{"code": "nope"}, 401, "unauthenticated"},
			{"unknown", map[string]string{"code": code[:len(code)-4] + "AAAA"}, 401, "unauthenticated"},
		} {
			want(t, e.do("POST", "acme", "/api/v1/auth/handoff", tt.body), tt.status, tt.code)
		}

		r = e.do("POST", "acme", "/api/v1/auth/handoff", map[string]string{"code": code})
		want(t, r, http.StatusOK, "")
		var sess string
		for _, c := range r.header.Values("Set-Cookie") {
			if v, ok := strings.CutPrefix(c, CookieName+"="); ok {
				sess = v[:strings.Index(v, ";")]
				if !strings.Contains(c, "HttpOnly") {
					t.Errorf("session cookie not HttpOnly: %s", c)
				}
			}
		}
		if sess == "" {
			t.Fatalf("no session cookie set: %v", r.header)
		}
		me := e.do("GET", "acme", "/api/v1/auth/me", nil, cookie(sess))
		want(t, me, http.StatusOK, "")
		if u := me.json(t)["user"].(map[string]any); u["email"] != "o@acme.example" {
			t.Fatalf("me = %v", u)
		}
		// Single use.
		want(t, e.do("POST", "acme", "/api/v1/auth/handoff", map[string]string{"code": code}), http.StatusUnauthorized, "unauthenticated")

		// Codes expire after a minute.
		late := e.signup("late")
		e.clock.Advance(app.HandoffTTL + time.Second)
		want(t, e.do("POST", "late", "/api/v1/auth/handoff", map[string]string{"code": late.handoff}), http.StatusUnauthorized, "unauthenticated")
	})
}
