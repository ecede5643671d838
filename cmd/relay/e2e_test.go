//go:build linux

package main

// The end-to-end test: the shipped binary, started as a child process, driven
// over HTTP as clients would drive it, once on SQLite and once on PostgreSQL.
// Steps run in order and build on each other's state (two workspaces and
// their members); a failing step stops the rest, unless no later step needs
// its work.

import (
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
)

func TestE2E(t *testing.T) {
	engines := []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"--database-url", testdb.PostgresURL(t)} }},
	}
	steps := []struct {
		name string
		fn   func(*testing.T, *world)
		// alone: no later step needs what this one does, so a failure
		// here does not stop the scenario.
		alone bool
	}{
		{"system", testSystem, false},
		{"signup", testSignup, false},
		{"invites", testInvites, false},
		{"roles", testRoles, false},
		{"branding", testBranding, false},
		{"cross-tenant", testCrossTenant, false},
		{"bad-input", testBadInput, false},
		{"api-tokens", testAPITokens, false},
		{"logout", testLogout, false},
		{"ownership", testOwnership, false},
		{"accept-race", testAcceptRace, true},
		{"foreign-auth-scheme", testForeignAuthScheme, true},
		{"metrics", testMetrics, true},
		{"shutdown", testShutdown, false},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			srv := startRelay(t, e.args(t)...)
			// Sign-ups and invitation accepts are rate limited per client IP
			// (20 an hour). The bad-input step connects from 127.0.0.2 so its
			// refused sign-ups do not eat the main client's allowance.
			w := &world{srv: srv, c: newClient(t, srv.addr, ""), other: newClient(t, srv.addr, "127.0.0.2")}
			for _, s := range steps {
				if !t.Run(s.name, func(t *testing.T) { s.fn(t, w) }) && !s.alone {
					return // later steps need this one's state
				}
			}
		})
	}
}

func testSystem(t *testing.T, w *world) {
	// Besides the JSON logs, one line on stdout says where to go.
	_, port, _ := net.SplitHostPort(w.srv.addr)
	banner := "Relay is running: open http://localhost:" + port + "\n"
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if !strings.Contains(w.srv.logs.String(), banner) {
			return fmt.Errorf("no %q in the output", banner)
		}
		return nil
	})
	for _, host := range []string{w.c.apex(), w.c.host("nosuch")} {
		for _, path := range []string{"/healthz", "/readyz"} {
			var got map[string]string
			w.c.do(t, "GET", host, path).want(t, 200).decode(t, &got)
			if got["status"] != "ok" {
				t.Errorf("GET %s%s: got %v, want status ok", host, path, got)
			}
		}
		var doc struct {
			OpenAPI string         `json:"openapi"`
			Paths   map[string]any `json:"paths"`
		}
		w.c.do(t, "GET", host, "/api/v1/openapi.json").want(t, 200).decode(t, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Paths) == 0 {
			t.Errorf("openapi.json: got version %q with %d paths, want 3.1.x with paths", doc.OpenAPI, len(doc.Paths))
		}
		w.c.do(t, "GET", host, "/metrics").wantError(t, 401, "unauthenticated") // without the metrics token
		if r := w.c.do(t, "GET", host, "/metrics", bearer(metricsToken)).want(t, 200); !bytes.Contains(r.body, []byte("relay_build_info")) {
			t.Errorf("GET %s/metrics: no relay_build_info in:\n%s", host, r.body)
		}
	}
	// Workspace endpoints answer only on a workspace that exists.
	w.c.do(t, "GET", w.c.apex(), "/api/v1/workspace").wantError(t, 404, "not_found")
	w.c.do(t, "GET", w.c.host("nosuch"), "/api/v1/workspace").wantError(t, 404, "not_found")
}

func testSignup(t *testing.T, w *world) {
	w.alpha = signup(t, w.c, "alpha", "Alpha Inc")
	w.bravo = signup(t, w.c, "bravo", "Bravo Ltd")
	// Sign-up is served on the apex only.
	w.c.do(t, "POST", w.alpha.host, "/api/v1/signup", jsonBody(map[string]string{"workspace_name": "Delta",
		"subdomain": "delta", "email": "owner@delta.test", "password": "owner-pass-delta", "display_name": "D"})).
		wantError(t, 404, "not_found")
	w.c.do(t, "GET", w.c.host("delta"), "/api/v1/workspace").wantError(t, 404, "not_found")
}

func testInvites(t *testing.T, w *world) {
	for _, tn := range []*tenant{w.alpha, w.bravo} {
		for _, role := range invitedRoles {
			p := &person{role: role, email: role + "@" + tn.sub + ".test", password: role + "-pass-" + tn.sub,
				name: strings.ToUpper(role[:1]) + role[1:] + " of " + tn.sub}
			inv := invite(t, w.c, tn, p.email, role)
			p.invite = inv.Token

			var preview struct {
				Email           string `json:"email"`
				Role            string `json:"role"`
				ExistingAccount bool   `json:"existing_account"`
				Workspace       wsJSON `json:"workspace"`
			}
			w.c.do(t, "GET", tn.host, "/api/v1/invites/"+inv.Token).want(t, 200).decode(t, &preview)
			if preview.Email != p.email || preview.Role != role || preview.ExistingAccount || preview.Workspace.ID != tn.id {
				t.Fatalf("preview of %s's invitation: got %+v", p.email, preview)
			}

			r := w.c.do(t, "POST", tn.host, "/api/v1/invites/"+inv.Token+"/accept",
				jsonBody(map[string]string{"display_name": p.name, "password": p.password})).want(t, 201)
			var acc authJSON
			r.decode(t, &acc)
			if !strings.HasPrefix(acc.Token, "rly_") || acc.Membership.Role != role || acc.User.Email != p.email ||
				acc.User.DisplayName != p.name || acc.Workspace.ID != tn.id {
				t.Fatalf("accept as %s: got %+v", p.email, acc)
			}
			wantSessionCookie(t, r, acc.Token)
			p.id, p.token = acc.User.ID, acc.Token
			tn.staff[role] = p

			r = w.c.do(t, "POST", tn.host, "/api/v1/auth/login",
				jsonBody(map[string]string{"email": p.email, "password": p.password})).want(t, 200)
			var login authJSON
			r.decode(t, &login)
			if !strings.HasPrefix(login.Token, "rly_") || login.Token == p.token || login.Membership.Role != role || login.User.ID != p.id {
				t.Fatalf("login as %s: got %+v", p.email, login)
			}
			wantSessionCookie(t, r, login.Token)
			p.login = login.Token

			wantMe(t, w.c, tn, p, bearer(p.login))
			wantMe(t, w.c, tn, p, bearer(p.token))
			wantMe(t, w.c, tn, p, withCookie(p.token))
		}

		// Accepted invitations leave the pending list; the members are all there.
		var invs struct{ Invites []inviteJSON }
		w.c.do(t, "GET", tn.host, "/api/v1/invites", tn.owner.session()).want(t, 200).decode(t, &invs)
		if len(invs.Invites) != 0 {
			t.Errorf("%s: got pending invitations %+v after all were accepted, want none", tn.sub, invs.Invites)
		}
		want := map[string]string{}
		for _, role := range allRoles {
			want[tn.as(role).id] = role
		}
		if diff := cmp.Diff(want, members(t, w.c, tn)); diff != "" {
			t.Errorf("%s: members by user id (-want +got):\n%s", tn.sub, diff)
		}
	}
	// For the cross-tenant step: an invitation of alpha's nobody accepts.
	w.alpha.pending = invite(t, w.c, w.alpha, "pending@alpha.test", "member")
}

func testRoles(t *testing.T, w *world) {
	for _, tn := range []*tenant{w.alpha, w.bravo} {
		t.Run(tn.sub, func(t *testing.T) { testRolesIn(t, w.c, tn) })
	}
}

// testRolesIn is the policy matrix over HTTP: every row is one request tried
// as each role it lists. Rows change nothing (or only what they restore).
func testRolesIn(t *testing.T, c *client, tn *tenant) {
	owner, admin, member, customer := tn.owner, tn.staff["admin"], tn.staff["member"], tn.staff["customer"]
	const (
		ok, forbidden, conflict = 200, 403, 409
	)
	staffOnly := map[string]int{"owner": ok, "admin": ok, "agent": forbidden, "member": forbidden, "customer": forbidden}
	notStaff := map[string]int{"agent": forbidden, "member": forbidden, "customer": forbidden}
	rows := []struct {
		name, method, path string
		body               reqOpt
		want               map[string]int // by role; roles left out are not tried
	}{
		{"me", "GET", "/api/v1/auth/me", nil,
			map[string]int{"owner": ok, "admin": ok, "agent": ok, "member": ok, "customer": ok}},
		{"list own tokens", "GET", "/api/v1/tokens", nil,
			map[string]int{"owner": ok, "admin": ok, "agent": ok, "member": ok, "customer": ok}},
		{"list members", "GET", "/api/v1/members", nil,
			map[string]int{"owner": ok, "admin": ok, "agent": ok, "member": ok, "customer": forbidden}},
		{"update branding", "PATCH", "/api/v1/workspace", jsonBody(map[string]string{"accent_color": "#f59e0b"}), staffOnly},
		{"remove the logo", "DELETE", "/api/v1/workspace/logo", nil, staffOnly},
		{"upload a logo", "PUT", "/api/v1/workspace/logo", rawBody(pngImage(t, 4, 4), "image/png"), notStaff},
		{"list invitations", "GET", "/api/v1/invites", nil, staffOnly},
		{"invite", "POST", "/api/v1/invites", jsonBody(map[string]string{"email": "new@" + tn.sub + ".test", "role": "member"}), notStaff},
		{"invite an owner", "POST", "/api/v1/invites", jsonBody(map[string]string{"email": "boss@" + tn.sub + ".test", "role": "owner"}),
			map[string]int{"owner": forbidden, "admin": forbidden, "agent": forbidden, "member": forbidden, "customer": forbidden}},
		{"delete the workspace", "DELETE", "/api/v1/workspace", jsonBody(map[string]string{"confirm": tn.sub}),
			map[string]int{"admin": forbidden, "agent": forbidden, "member": forbidden, "customer": forbidden}},
		{"transfer ownership", "POST", "/api/v1/workspace/transfer", jsonBody(map[string]string{"user_id": admin.id}),
			map[string]int{"admin": forbidden, "agent": forbidden, "member": forbidden, "customer": forbidden}},
		{"demote the owner", "PATCH", "/api/v1/members/" + owner.id, jsonBody(map[string]string{"role": "admin"}),
			map[string]int{"owner": conflict, "admin": forbidden, "agent": forbidden, "member": forbidden, "customer": forbidden}},
		{"remove the owner (the owner: leave)", "DELETE", "/api/v1/members/" + owner.id, nil,
			map[string]int{"owner": conflict, "admin": forbidden, "agent": forbidden, "member": forbidden, "customer": forbidden}},
		{"make a member owner", "PATCH", "/api/v1/members/" + member.id, jsonBody(map[string]string{"role": "owner"}),
			map[string]int{"admin": forbidden, "agent": forbidden, "member": forbidden, "customer": forbidden}},
		{"remove a member", "DELETE", "/api/v1/members/" + member.id, nil,
			map[string]int{"agent": forbidden, "customer": forbidden}},
		{"set a customer's role", "PATCH", "/api/v1/members/" + customer.id, jsonBody(map[string]string{"role": "customer"}),
			map[string]int{"owner": ok, "admin": ok, "agent": forbidden, "member": forbidden, "customer": forbidden}},
	}
	codes := map[int]string{ok: "", forbidden: "forbidden", conflict: "conflict"}
	for _, row := range rows {
		for _, role := range allRoles {
			want, tried := row.want[role]
			if !tried {
				continue
			}
			opts := []reqOpt{tn.as(role).session()}
			if row.body != nil {
				opts = append(opts, row.body)
			}
			r := c.do(t, row.method, tn.host, row.path, opts...)
			if p := r.problem(want, codes[want]); p != "" {
				t.Errorf("%s as %s: %s", row.name, role, p)
			}
		}
	}

	// Owners and admins change roles below owner; the member sees the change.
	var m struct {
		User userJSON `json:"user"`
		Role string   `json:"role"`
	}
	c.do(t, "PATCH", tn.host, "/api/v1/members/"+member.id, owner.session(),
		jsonBody(map[string]string{"role": "agent"})).want(t, 200).decode(t, &m)
	if m.User.ID != member.id || m.Role != "agent" {
		t.Fatalf("owner sets member to agent: got %+v", m)
	}
	member.role = "agent"
	wantMe(t, c, tn, member, member.session())
	c.do(t, "PATCH", tn.host, "/api/v1/members/"+member.id, admin.session(),
		jsonBody(map[string]string{"role": "member"})).want(t, 200).decode(t, &m)
	if m.User.ID != member.id || m.Role != "member" {
		t.Fatalf("admin sets the agent back to member: got %+v", m)
	}
	member.role = "member"
	wantMe(t, c, tn, member, member.session())

	want := map[string]string{}
	for _, role := range allRoles {
		want[tn.as(role).id] = role
	}
	if diff := cmp.Diff(want, members(t, c, tn)); diff != "" {
		t.Errorf("members by user id after the role checks (-want +got):\n%s", diff)
	}
}

func testBranding(t *testing.T, w *world) {
	tn, c := w.alpha, w.c
	owner := tn.owner.session()
	want := wsJSON{ID: tn.id, Subdomain: tn.sub, Name: "Alpha Support", PrimaryColor: "#0f766e", AccentColor: "#be185d"}
	var got wsJSON
	c.do(t, "PATCH", tn.host, "/api/v1/workspace", owner, jsonBody(map[string]string{
		"name": "Alpha Support", "primary_color": "#0F766E", "accent_color": "#be185d"})).want(t, 200).decode(t, &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("PATCH workspace (-want +got):\n%s", diff)
	}
	tn.name = want.Name
	wantWorkspace(t, c, tn, want)

	// Bad values are refused whole: nothing changes.
	for _, body := range []string{`{"primary_color":"#12345"}`, `{"accent_color":"red"}`,
		`{"primary_color":"#1234567"}`, `{"name":"Ok","accent_color":"#12345g"}`, `{"name":"   "}`, `{}`} {
		c.do(t, "PATCH", tn.host, "/api/v1/workspace", owner, jsonBody(body)).wantError(t, 400, "invalid")
	}
	wantWorkspace(t, c, tn, want)

	// The server sniffs the logo's type; the Content-Type header is a lie here.
	logo := pngImage(t, 32, 16)
	c.do(t, "PUT", tn.host, "/api/v1/workspace/logo", owner, rawBody(logo, "text/plain")).want(t, 200).decode(t, &got)
	if !strings.HasPrefix(got.LogoURL, "/api/v1/workspace/logo?v=") {
		t.Fatalf("PUT logo: got logo_url %q, want /api/v1/workspace/logo?v=…", got.LogoURL)
	}
	want.LogoURL = got.LogoURL
	wantWorkspace(t, c, tn, want)
	wantLogo := func() {
		t.Helper()
		r := c.do(t, "GET", tn.host, want.LogoURL).want(t, 200)
		if ct := r.header.Get("Content-Type"); ct != "image/png" || !bytes.Equal(r.body, logo) {
			t.Fatalf("GET %s: got %d bytes of %q, want the %d bytes uploaded as image/png", want.LogoURL, len(r.body), ct, len(logo))
		}
	}
	wantLogo()
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"text", []byte("this is not an image at all")},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")},
		{"png signature, broken image", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("junk"), 16)...)},
	} {
		r := c.do(t, "PUT", tn.host, "/api/v1/workspace/logo", owner, rawBody(tc.body, "image/png"))
		if p := r.problem(415, "unsupported_media"); p != "" {
			t.Errorf("logo %s: %s", tc.name, p)
		}
	}
	c.do(t, "PUT", tn.host, "/api/v1/workspace/logo", owner,
		rawBody(append(logo, make([]byte, 1<<20)...), "image/png")).wantError(t, 413, "too_large")
	wantWorkspace(t, c, tn, want)
	wantLogo()
	c.do(t, "GET", w.bravo.host, "/api/v1/workspace/logo").wantError(t, 404, "not_found")

	// The pages carry each workspace's own branding.
	for _, tc := range []struct {
		host          string
		want, notWant []string
	}{
		{tn.host, []string{"Alpha Support", "#0f766e"}, nil},
		{w.bravo.host, []string{"Bravo Ltd"}, []string{"Alpha Support", "#0f766e"}},
		{c.apex(), []string{"<html"}, []string{"Alpha Support", "Bravo Ltd"}},
	} {
		r := c.do(t, "GET", tc.host, "/").want(t, 200)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s/: got Content-Type %q, want text/html", tc.host, ct)
		}
		for _, s := range tc.want {
			if !bytes.Contains(r.body, []byte(s)) {
				t.Errorf("GET %s/: page lacks %q", tc.host, s)
			}
		}
		for _, s := range tc.notWant {
			if bytes.Contains(r.body, []byte(s)) {
				t.Errorf("GET %s/: page shows %q", tc.host, s)
			}
		}
	}
}

func testCrossTenant(t *testing.T, w *world) {
	a, b, c := w.alpha, w.bravo, w.c
	var tok tokenJSON
	c.do(t, "POST", a.host, "/api/v1/tokens", a.owner.session(),
		jsonBody(map[string]string{"name": "alpha-bot"})).want(t, 201).decode(t, &tok)
	beforeA, beforeB := snapshot(t, c, a), snapshot(t, c, b)

	// Nothing of alpha's may show in an answer on bravo's host.
	leaks := []string{a.sub, a.name, "Alpha", a.id, a.pending.ID, a.pending.Email, a.pending.Token, tok.ID, tok.Token}
	for _, role := range allRoles {
		p := a.as(role)
		leaks = append(leaks, p.email, p.id, p.name, p.token)
	}
	noLeak := func(t *testing.T, r res) {
		t.Helper()
		var shown []string
		for _, s := range leaks {
			if s != "" && bytes.Contains(r.body, []byte(s)) {
				shown = append(shown, s)
			}
		}
		if len(shown) > 0 {
			t.Errorf("%s: answer shows alpha's %q: %s", r.what, shown, r.body)
		}
	}

	member := a.staff["member"]
	routes := []struct {
		method, path string
		body         reqOpt
	}{
		{"GET", "/api/v1/auth/me", nil},
		{"POST", "/api/v1/auth/logout", nil},
		{"PATCH", "/api/v1/workspace", jsonBody(map[string]string{"name": "Hijacked"})},
		{"DELETE", "/api/v1/workspace", jsonBody(map[string]string{"confirm": b.sub})},
		{"POST", "/api/v1/workspace/transfer", jsonBody(map[string]string{"user_id": member.id})},
		{"PUT", "/api/v1/workspace/logo", rawBody(pngImage(t, 4, 4), "image/png")},
		{"DELETE", "/api/v1/workspace/logo", nil},
		{"POST", "/api/v1/invites", jsonBody(map[string]string{"email": "mallory@evil.test", "role": "admin"})},
		{"GET", "/api/v1/invites", nil},
		{"DELETE", "/api/v1/invites/" + a.pending.ID, nil},
		{"GET", "/api/v1/members", nil},
		{"PATCH", "/api/v1/members/" + member.id, jsonBody(map[string]string{"role": "admin"})},
		{"DELETE", "/api/v1/members/" + member.id, nil},
		{"POST", "/api/v1/tokens", jsonBody(map[string]string{"name": "hijack"})},
		{"GET", "/api/v1/tokens", nil},
		{"DELETE", "/api/v1/tokens/" + tok.ID, nil},
	}
	creds := []struct {
		name string
		cred reqOpt
	}{
		{"owner's session", a.owner.session()},
		{"owner's API token", bearer(tok.Token)},
		{"admin's cookie", withCookie(a.staff["admin"].token)},
	}
	for _, rt := range routes {
		for _, cr := range creds {
			opts := []reqOpt{cr.cred}
			if rt.body != nil {
				opts = append(opts, rt.body)
			}
			r := c.do(t, rt.method, b.host, rt.path, opts...)
			if p := r.problem(401, "unauthenticated"); p != "" {
				t.Errorf("alpha's %s on bravo: %s", cr.name, p)
			}
			noLeak(t, r)
		}
	}

	// Bravo's owner, on bravo, naming alpha's things: they do not exist here.
	for _, rt := range []struct {
		method, path string
		body         reqOpt
	}{
		{"DELETE", "/api/v1/invites/" + a.pending.ID, nil},
		{"PATCH", "/api/v1/members/" + member.id, jsonBody(map[string]string{"role": "customer"})},
		{"DELETE", "/api/v1/members/" + member.id, nil},
		{"POST", "/api/v1/workspace/transfer", jsonBody(map[string]string{"user_id": member.id})},
		{"DELETE", "/api/v1/tokens/" + tok.ID, nil},
	} {
		opts := []reqOpt{b.owner.session()}
		if rt.body != nil {
			opts = append(opts, rt.body)
		}
		r := c.do(t, rt.method, b.host, rt.path, opts...)
		if p := r.problem(404, "not_found"); p != "" {
			t.Errorf("bravo's owner with alpha's id: %s", p)
		}
		noLeak(t, r)
	}

	// Alpha's invitation, alpha's password and alpha's cookie, at bravo's door.
	for _, r := range []res{
		c.do(t, "GET", b.host, "/api/v1/invites/"+a.pending.Token),
		c.do(t, "POST", b.host, "/api/v1/invites/"+a.pending.Token+"/accept",
			jsonBody(map[string]string{"display_name": "Mallory", "password": "mallory-pass"})),
	} {
		if p := r.problem(404, "not_found"); p != "" {
			t.Errorf("alpha's invitation on bravo: %s", p)
		}
		noLeak(t, r)
	}
	r := c.do(t, "POST", b.host, "/api/v1/auth/login", jsonBody(map[string]string{"email": a.owner.email, "password": a.owner.password}))
	if p := r.problem(401, "unauthenticated"); p != "" {
		t.Errorf("alpha's owner logging in on bravo: %s", p)
	}
	noLeak(t, r)
	if r.cookie() != nil {
		t.Errorf("%s: refused login set a cookie: %q", r.what, r.header.Values("Set-Cookie"))
	}

	// Nothing changed on either side, and everything still works at home
	// (checked after the comparison: a token's first use at home records
	// its last_used_at, which is not a change the other tenant made).
	wantUnchanged(t, c, a, beforeA)
	wantUnchanged(t, c, b, beforeB)
	wantMe(t, c, a, a.staff["admin"], withCookie(a.staff["admin"].token))
	wantMe(t, c, a, a.owner, bearer(tok.Token))
}

func testBadInput(t *testing.T, w *world) {
	a, c := w.alpha, w.c
	before := snapshot(t, c, a)
	owner := a.owner.session()
	endpoints := []struct {
		name, method, host, path string
		cred                     reqOpt
		wrongType                string
	}{
		{"signup", "POST", c.apex(), "/api/v1/signup", nil, `{"subdomain": 5}`},
		{"login", "POST", a.host, "/api/v1/auth/login", nil, `{"email": 5}`},
		{"accept", "POST", a.host, "/api/v1/invites/" + a.pending.Token + "/accept", nil, `{"password": 5}`},
		{"update workspace", "PATCH", a.host, "/api/v1/workspace", owner, `{"name": 5}`},
		{"transfer", "POST", a.host, "/api/v1/workspace/transfer", owner, `{"user_id": true}`},
		{"invite", "POST", a.host, "/api/v1/invites", owner, `{"email": 5, "role": "member"}`},
		{"change role", "PATCH", a.host, "/api/v1/members/" + a.staff["member"].id, owner, `{"role": 5}`},
		{"create token", "POST", a.host, "/api/v1/tokens", owner, `{"name": 5}`},
	}
	huge := `{"name":"` + strings.Repeat("x", 100<<10) + `"}`
	for _, ep := range endpoints {
		for _, tc := range []struct {
			name, body string
			status     int
			code       string
		}{
			{"malformed JSON", `{"email":`, 400, "invalid"},
			{"not JSON", `email=a@b.test`, 400, "invalid"},
			{"not an object", `[1, 2]`, 400, "invalid"},
			{"wrong type", ep.wrongType, 400, "invalid"},
			{"unknown field", `{"colour": "red"}`, 400, "invalid"},
			{"trailing data", `{} {}`, 400, "invalid"},
			{"empty body", ``, 400, "invalid"},
			{"100 KiB body", huge, 413, "too_large"},
		} {
			opts := []reqOpt{jsonBody(tc.body)}
			if ep.cred != nil {
				opts = append(opts, ep.cred)
			}
			r := w.other.do(t, ep.method, ep.host, ep.path, opts...)
			if p := r.problem(tc.status, tc.code); p != "" {
				t.Errorf("%s, %s: %s", ep.name, tc.name, p)
			}
		}
	}

	// Sign-up's rules on subdomains. The same new email is used each time.
	probe := func(sub, password string) reqOpt {
		return jsonBody(map[string]string{"workspace_name": "Probe", "subdomain": sub,
			"email": "probe@probe.test", "password": password, "display_name": "Probe"})
	}
	for _, sub := range []string{"ab", "-abc", "abc-", "ABC", "www", "api", "a_b", "a.bc", strings.Repeat("a", 41)} {
		r := w.other.do(t, "POST", c.apex(), "/api/v1/signup", probe(sub, "probe-pass-1"))
		if p := r.problem(400, "invalid"); p != "" {
			t.Errorf("subdomain %q: %s", sub, p)
		}
		if sub != "a.bc" {
			c.do(t, "GET", c.host(strings.ToLower(sub)), "/api/v1/workspace").wantError(t, 404, "not_found")
		}
	}
	w.other.do(t, "POST", c.apex(), "/api/v1/signup", probe(a.sub, "probe-pass-1")).wantError(t, 409, "conflict")
	// Had a refused sign-up created the account, another password would now be refused (409).
	var ch authJSON
	w.other.do(t, "POST", c.apex(), "/api/v1/signup", probe("charlie", "probe-pass-2")).want(t, 201).decode(t, &ch)
	w.charlie = &tenant{sub: "charlie", host: c.host("charlie"), name: "Probe", id: ch.Workspace.ID, staff: map[string]*person{},
		owner: &person{role: "owner", email: "probe@probe.test", password: "probe-pass-2", id: ch.User.ID, token: ch.Token}}

	// Used invitations are gone; members cannot be invited again.
	used := a.staff["admin"].invite
	w.other.do(t, "GET", a.host, "/api/v1/invites/"+used).wantError(t, 410, "gone")
	w.other.do(t, "POST", a.host, "/api/v1/invites/"+used+"/accept",
		jsonBody(map[string]string{"display_name": "Again", "password": "another-pass"})).wantError(t, 410, "gone")
	c.do(t, "POST", a.host, "/api/v1/invites", owner,
		jsonBody(map[string]string{"email": a.staff["member"].email, "role": "agent"})).wantError(t, 409, "conflict")

	wantUnchanged(t, c, a, before)
}

func testAPITokens(t *testing.T, w *world) {
	tn, c := w.bravo, w.c
	p := tn.staff["agent"]
	c.do(t, "POST", tn.host, "/api/v1/tokens", p.session(), jsonBody(map[string]string{"name": " "})).wantError(t, 400, "invalid")
	var tok tokenJSON
	c.do(t, "POST", tn.host, "/api/v1/tokens", p.session(),
		jsonBody(map[string]string{"name": "ci-bot"})).want(t, 201).decode(t, &tok)
	if tok.ID == "" || tok.Name != "ci-bot" || tok.ExpiresAt != nil || !strings.HasPrefix(tok.Token, "rly_") {
		t.Fatalf("create token: got %+v, want ci-bot with a secret and no expiry", tok)
	}
	wantMe(t, c, tn, p, bearer(tok.Token))

	r := c.do(t, "GET", tn.host, "/api/v1/tokens", p.session()).want(t, 200)
	if bytes.Contains(r.body, []byte(tok.Token)) {
		t.Fatalf("GET /api/v1/tokens shows the secret: %s", r.body)
	}
	var list struct{ Tokens []map[string]any }
	r.decode(t, &list)
	if len(list.Tokens) != 1 || list.Tokens[0]["id"] != tok.ID || list.Tokens[0]["name"] != "ci-bot" {
		t.Fatalf("GET /api/v1/tokens: got %v, want the one token ci-bot", list.Tokens)
	}
	if _, shown := list.Tokens[0]["token"]; shown {
		t.Fatalf("GET /api/v1/tokens: listed token has a token field: %v", list.Tokens[0])
	}

	// Only its owner may revoke it.
	c.do(t, "DELETE", tn.host, "/api/v1/tokens/"+tok.ID, tn.staff["admin"].session()).wantError(t, 404, "not_found")
	c.do(t, "DELETE", tn.host, "/api/v1/tokens/"+tok.ID, p.session()).want(t, 204)
	c.do(t, "GET", tn.host, "/api/v1/auth/me", bearer(tok.Token)).wantError(t, 401, "unauthenticated")
	c.do(t, "DELETE", tn.host, "/api/v1/tokens/"+tok.ID, p.session()).wantError(t, 404, "not_found")
	c.do(t, "GET", tn.host, "/api/v1/tokens", p.session()).want(t, 200).decode(t, &list)
	if len(list.Tokens) != 0 {
		t.Fatalf("tokens after revoking: got %v, want none", list.Tokens)
	}
}

func testLogout(t *testing.T, w *world) {
	tn, c := w.alpha, w.c
	p := tn.staff["customer"]
	me := "/api/v1/auth/me"

	// A cross-site request riding on the cookie is refused, and changes nothing.
	c.do(t, "POST", tn.host, "/api/v1/auth/logout", withCookie(p.token),
		withHeader("Sec-Fetch-Site", "cross-site"), withHeader("Origin", "http://evil.localhost")).wantError(t, 403, "forbidden")
	wantMe(t, c, tn, p, withCookie(p.token))

	// Logging out ends that session only, and clears the cookie.
	r := c.do(t, "POST", tn.host, "/api/v1/auth/logout", bearer(p.login)).want(t, 204)
	if ck := r.cookie(); ck == nil || ck.Value != "" || ck.MaxAge >= 0 {
		t.Errorf("logout: got Set-Cookie %q, want relay_session cleared", r.header.Values("Set-Cookie"))
	}
	c.do(t, "GET", tn.host, me, bearer(p.login)).wantError(t, 401, "unauthenticated")
	wantMe(t, c, tn, p, bearer(p.token))

	// The browser way: the cookie alone.
	c.do(t, "POST", tn.host, "/api/v1/auth/logout", withCookie(p.token)).want(t, 204)
	c.do(t, "GET", tn.host, me, withCookie(p.token)).wantError(t, 401, "unauthenticated")
	c.do(t, "GET", tn.host, me, bearer(p.token)).wantError(t, 401, "unauthenticated")
	// Logging in again works.
	c.do(t, "POST", tn.host, "/api/v1/auth/login", jsonBody(map[string]string{"email": p.email, "password": p.password})).want(t, 200)
}

func testOwnership(t *testing.T, w *world) {
	tn, c := w.bravo, w.c
	owner, admin := tn.owner, tn.staff["admin"]
	transfer := func(from, to *person) res {
		return c.do(t, "POST", tn.host, "/api/v1/workspace/transfer", from.session(), jsonBody(map[string]string{"user_id": to.id}))
	}
	transfer(owner, tn.staff["customer"]).wantError(t, 400, "invalid")
	transfer(owner, owner).wantError(t, 400, "invalid")

	// Ownership goes over and back; in between the old owner is an admin.
	transfer(owner, admin).want(t, 204)
	owner.role, admin.role = "admin", "owner"
	wantMe(t, c, tn, owner, owner.session())
	wantMe(t, c, tn, admin, admin.session())
	c.do(t, "DELETE", tn.host, "/api/v1/workspace", owner.session(),
		jsonBody(map[string]string{"confirm": tn.sub})).wantError(t, 403, "forbidden")
	transfer(owner, admin).wantError(t, 403, "forbidden")
	transfer(admin, owner).want(t, 204)
	owner.role, admin.role = "owner", "admin"
	wantMe(t, c, tn, owner, owner.session())
	wantMe(t, c, tn, admin, admin.session())

	// Deleting a workspace (charlie, from the bad-input step) frees its
	// subdomain, keeps its owner's account and touches no other workspace.
	before := snapshot(t, c, w.alpha)
	ch := w.charlie
	del := func(confirm string) res {
		return c.do(t, "DELETE", ch.host, "/api/v1/workspace", ch.owner.session(), jsonBody(map[string]string{"confirm": confirm}))
	}
	del(w.alpha.sub).wantError(t, 400, "invalid")
	del(ch.sub).want(t, 204)
	c.do(t, "GET", ch.host, "/api/v1/workspace").wantError(t, 404, "not_found")
	c.do(t, "GET", ch.host, "/api/v1/auth/me", ch.owner.session()).wantError(t, 404, "not_found")
	w.other.do(t, "POST", c.apex(), "/api/v1/signup", jsonBody(map[string]string{"workspace_name": "Charlie again",
		"subdomain": ch.sub, "email": ch.owner.email, "password": ch.owner.password})).want(t, 201)
	wantUnchanged(t, c, w.alpha, before)
}

// The accept race: rounds of racers accepting one invitation at once.
const raceRounds, racers = 6, 10

// testAcceptRace accepts each of several fresh invitations many times at
// once. An invitation is used up atomically: exactly one accept wins (201);
// every other one is told the invitation was used (410 gone) — not that the
// new account's email is taken (409), which is not what happened.
func testAcceptRace(t *testing.T, w *world) {
	tn, c := w.bravo, w.c
	// Accepts are rate limited per IP (20 an hour): spread the racers over
	// 127.0.0.3–8, raceRounds*racers/6 = 10 each.
	var clients []*client
	for i := 3; i <= 8; i++ {
		clients = append(clients, newClient(t, c.addr, "127.0.0."+strconv.Itoa(i)))
	}
	before := members(t, c, tn)
	for round := range raceRounds {
		email := "racer" + strconv.Itoa(round) + "@" + tn.sub + ".test"
		inv := invite(t, c, tn, email, "agent")
		results := make(chan res, racers)
		errs := make(chan error, racers)
		for i := range racers {
			go func() {
				r, err := clients[(round*racers+i)%len(clients)].send("POST", tn.host, "/api/v1/invites/"+inv.Token+"/accept",
					jsonBody(map[string]string{"display_name": "Racer", "password": "racer-pass-" + tn.sub}))
				if err != nil {
					errs <- err
					return
				}
				results <- r
			}()
		}
		wins := 0
		for range racers {
			select {
			case err := <-errs:
				t.Fatal(err)
			case r := <-results:
				if r.status == 201 {
					wins++
				} else if p := r.problem(410, "gone"); p != "" {
					t.Errorf("round %d, a losing accept: %s", round, p)
				}
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d accepts won, want exactly 1", round, wins)
		}
	}
	if got, want := len(members(t, c, tn)), len(before)+raceRounds; got != want {
		t.Errorf("members after the race: got %d, want %d", got, want)
	}
}

// testForeignAuthScheme sends an Authorization header of another scheme, as
// a reverse proxy guarding a staging site with HTTP basic auth passes on.
// Routes that need credentials refuse it (401); public routes ignore it, as
// they ignore a stale bearer token or cookie: the health check, the sign-in
// page and sign-in itself must keep working.
func testForeignAuthScheme(t *testing.T, w *world) {
	tn, c := w.alpha, w.c
	basic := withHeader("Authorization", "Basic dXNlcjpwYXNzd29yZA==")
	c.do(t, "GET", tn.host, "/api/v1/auth/me", basic).wantError(t, 401, "unauthenticated")
	for _, rt := range []struct {
		method, host, path string
		body               reqOpt
	}{
		{"GET", c.apex(), "/healthz", nil},
		{"GET", tn.host, "/readyz", nil},
		{"GET", tn.host, "/", nil},
		{"GET", tn.host, "/api/v1/workspace", nil},
		{"POST", tn.host, "/api/v1/auth/login", jsonBody(map[string]string{"email": tn.owner.email, "password": tn.owner.password})},
	} {
		opts := []reqOpt{basic}
		if rt.body != nil {
			opts = append(opts, rt.body)
		}
		if p := c.do(t, rt.method, rt.host, rt.path, opts...).problem(200, ""); p != "" {
			t.Errorf("public route with a Basic Authorization header: %s", p)
		}
	}
}

var (
	// The route label holds {…} wildcards, so the label set ends at the last "} ".
	requestsLine = regexp.MustCompile(`(?m)^relay_http_requests_total\{(.*)\} (\S+)$`)
	rawIDLabel   = regexp.MustCompile(`route="[^"]*(\d{6,}|rly_)`)
)

func testMetrics(t *testing.T, w *world) {
	r := w.c.do(t, "GET", w.c.apex(), "/metrics", bearer(metricsToken)).want(t, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("metrics Content-Type: got %q, want text/plain", ct)
	}
	counts := map[string]float64{} // label set → value
	for _, m := range requestsLine.FindAllStringSubmatch(string(r.body), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", m[0], err)
		}
		counts[m[1]] = v
	}
	for _, tc := range []struct {
		labels string  // a regexp matching whole label sets
		want   float64 // summed over the matching sets; -1: present
	}{
		// alpha, bravo, and charlie twice (bad-input and ownership steps).
		{`method="POST",route="POST /api/v1/signup",status="201"`, 4},
		// 8 members, and one winner per round of the accept race.
		{`method="POST",route="POST /api/v1/invites/\{\w+\}/accept",status="201"`, 8 + raceRounds},
		{`method="PATCH",route="PATCH /api/v1/members/\{user_id\}",status="200"`, -1},
		{`method="DELETE",route="DELETE /api/v1/tokens/\{id\}",status="204"`, -1},
		{`method="GET",route="GET /api/v1/workspace/logo",status="200"`, -1},
	} {
		re := regexp.MustCompile("^" + tc.labels + "$")
		got, found := 0.0, false
		for labels, v := range counts {
			if re.MatchString(labels) {
				got, found = got+v, true
			}
		}
		if !found || (tc.want >= 0 && got != tc.want) {
			t.Errorf("relay_http_requests_total{%s}: got %v (found: %v), want %v", tc.labels, got, found, tc.want)
		}
	}
	if m := rawIDLabel.FindString(string(r.body)); m != "" {
		t.Errorf("metrics label a raw path, not a route pattern: %s", m)
	}
}

func testShutdown(t *testing.T, w *world) {
	w.c.hc.CloseIdleConnections()
	w.other.hc.CloseIdleConnections()
	if code := w.srv.terminate(t); code != 0 {
		t.Fatalf("exit code after SIGTERM: got %d, want 0", code)
	}
	if logs := w.srv.logs.String(); !strings.Contains(logs, `"msg":"stopped"`) {
		t.Fatalf("no \"stopped\" line in the log after SIGTERM")
	}
}

// TestRelayCommands runs the binary's one-shot commands and its refusals of
// bad configuration.
func TestRelayCommands(t *testing.T) {
	tests := []struct {
		name     string
		args     func(t *testing.T) []string
		wantCode int
		stdout   string // a regexp; "" checks nothing
		stderr   string
	}{
		{"version", func(*testing.T) []string { return []string{"version"} }, 0, `^relay \S+\n$`, ""},
		{"migrate/sqlite", func(t *testing.T) []string { return []string{"migrate", "--data", t.TempDir()} },
			0, `^database \(sqlite\) at migration version [1-9][0-9]*\n$`, ""},
		{"migrate/postgres", func(t *testing.T) []string {
			return []string{"migrate", "--data", t.TempDir(), "--database-url", testdb.PostgresURL(t)}
		}, 0, `^database \(postgres\) at migration version [1-9][0-9]*\n$`, ""},
		{"reindex/sqlite", func(t *testing.T) []string { return []string{"reindex", "--data", t.TempDir()} },
			0, `^search index \(sqlite\) rebuilt in \S+\n$`, ""},
		{"reindex/postgres", func(t *testing.T) []string {
			return []string{"reindex", "--data", t.TempDir(), "--database-url", testdb.PostgresURL(t)}
		}, 0, `^search index \(postgres\) rebuilt in \S+\n$`, ""},
		{"serve/bad base domain", func(t *testing.T) []string {
			return []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--base-domain", "bad domain!"}
		}, 2, `^$`, `--base-domain "bad domain!" is not a valid domain name`},
		{"serve/mysql url", func(t *testing.T) []string {
			return []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", "mysql://x"}
		}, 2, `^$`, `--database-url must start with postgres://`},
		{"unknown command", func(*testing.T) []string { return []string{"frobnicate"} }, 2, `^$`, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args(t)
			code, stdout, stderr := runRelay(t, args...)
			if code != tt.wantCode {
				t.Errorf("relay %s: got exit code %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, tt.wantCode, stdout, stderr)
			}
			if tt.stdout != "" && !regexp.MustCompile(tt.stdout).MatchString(stdout) {
				t.Errorf("relay %s: got stdout %q, want it to match %q", strings.Join(args, " "), stdout, tt.stdout)
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("relay %s: got stderr %q, want it to contain %q", strings.Join(args, " "), stderr, tt.stderr)
			}
		})
	}
}
