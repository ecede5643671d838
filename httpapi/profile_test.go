package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/store"
)

// recorder is a bus that keeps what was published.
type recorder struct {
	mu  sync.Mutex
	evs []relay.Event
}

func (r *recorder) Publish(_ context.Context, ev relay.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
	return nil
}

// take returns the member:updated payloads published as name, by topic,
// and forgets every event recorded so far.
func (r *recorder) take(name string) map[string]app.MemberUpdatedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]app.MemberUpdatedEvent{}
	for _, ev := range r.evs {
		if ev.Name == name {
			var p app.MemberUpdatedEvent
			_ = json.Unmarshal(ev.Payload, &p)
			out[ev.Topic] = p
		}
	}
	r.evs = nil
	return out
}

// newEnvBus is newEnv with the app's events going to bus.
func newEnvBus(t *testing.T, db *store.DB, limits app.Limits, bus app.Publisher) *env {
	t.Helper()
	dir := t.TempDir()
	fs, err := files.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	log := logging.New(io.Discard, "error")
	a := app.New(app.Config{Store: db, Files: fs, Logger: log, Limits: limits, Now: clk.Now, Bus: bus,
		PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1}})
	t.Cleanup(a.Close)
	srv := New(Config{App: a, BaseDomain: base, Logger: log})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, srv: srv, clock: clk, db: db, files: dir}
}

func TestUpdateProfile(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		bus := &recorder{}
		e := newEnvBus(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000}, bus)
		alpha, bravo := e.signup("alpha"), e.signup("bravo")
		mia := e.join(alpha, "mia", "member")
		// Mia also belongs to bravo, as the same global user.
		tok, _ := e.invite(bravo, mia.email, "customer")
		want(t, e.do("POST", "bravo", "/api/v1/invites/"+tok+"/accept", map[string]string{"password": mia.password}), http.StatusCreated, "")
		bus.take(app.EvMemberUpdated)

		r := e.do("PATCH", "alpha", "/api/v1/users/me", map[string]string{"display_name": "  Mia Wallace "}, bearer(mia.token))
		want(t, r, http.StatusOK, "")
		if u := r.json(t); u["display_name"] != "Mia Wallace" || u["id"] != mia.userID || u["email"] != mia.email {
			t.Fatalf("PATCH users/me = %s", r.body)
		}
		if me := e.do("GET", "alpha", "/api/v1/auth/me", nil, bearer(mia.token)).json(t); me["user"].(map[string]any)["display_name"] != "Mia Wallace" {
			t.Fatalf("me after rename: %v", me)
		}
		// Both workspaces see the new name, and each was told.
		for _, by := range []account{alpha, bravo} {
			if !strings.Contains(e.do("GET", by.sub, "/api/v1/members", nil, bearer(by.token)).String(), `"Mia Wallace"`) {
				t.Fatalf("%s's member list lacks the new name", by.sub)
			}
		}
		evs := bus.take(app.EvMemberUpdated)
		if len(evs) != 2 {
			t.Fatalf("member:updated on %v, want alpha's and bravo's workspace topics", evs)
		}
		for topic, p := range evs {
			if !strings.HasPrefix(topic, "workspace:") || p.UserID.String() != mia.userID || p.DisplayName != "Mia Wallace" {
				t.Fatalf("event on %s = %+v", topic, p)
			}
		}
		// The owner of alpha, in alpha only: one event.
		want(t, e.do("PATCH", "alpha", "/api/v1/users/me", `{"display_name":"Boss"}`, bearer(alpha.token)), http.StatusOK, "")
		if evs := bus.take(app.EvMemberUpdated); len(evs) != 1 {
			t.Fatalf("member:updated on %v, want alpha's topic only", evs)
		}

		before := e.do("GET", "alpha", "/api/v1/auth/me", nil, bearer(mia.token)).json(t)["user"]
		for _, tt := range []badCase{
			{"bad JSON", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":`, nil, 400, "invalid"},
			{"wrong type", "PATCH", "alpha", "/api/v1/users/me", `{"display_name": 7}`, nil, 400, "invalid"},
			{"null name", "PATCH", "alpha", "/api/v1/users/me", `{"display_name": null}`, nil, 400, "invalid"},
			{"nothing to change", "PATCH", "alpha", "/api/v1/users/me", `{}`, nil, 400, "invalid"},
			{"unknown field", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":"x","email":"x@y.example"}`, nil, 400, "invalid"},
			{"blank name", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":"   "}`, nil, 400, "invalid"},
			{"long name", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":"` + strings.Repeat("m", 81) + `"}`, nil, 400, "invalid"},
			{"control chars", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":"a\u0000b"}`, nil, 400, "invalid"},
			{"oversize body", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":"` + strings.Repeat("m", 70<<10) + `"}`, nil, 413, "too_large"},
			{"anonymous", "PATCH", "alpha", "/api/v1/users/me", `{"display_name":"x"}`, []opt{}, 401, "unauthenticated"},
			{"on the apex", "PATCH", "", "/api/v1/users/me", `{"display_name":"x"}`, nil, 404, "not_found"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if tt.opts == nil {
					tt.opts = []opt{bearer(mia.token)}
				}
				want(t, e.do(tt.method, tt.sub, tt.path, tt.body, tt.opts...), tt.status, tt.code)
			})
		}
		if after := e.do("GET", "alpha", "/api/v1/auth/me", nil, bearer(mia.token)).json(t)["user"]; !jsonEqual(before, after) {
			t.Fatalf("bad input changed the user: %v → %v", before, after)
		}
		if evs := bus.take(app.EvMemberUpdated); len(evs) != 0 {
			t.Fatalf("bad input published %v", evs)
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestAvatar(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		bus := &recorder{}
		e := newEnvBus(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000}, bus)
		o := e.signup("acme")
		cu := e.join(o, "cal", "customer")
		want(t, e.do("GET", "acme", "/api/v1/users/"+o.userID+"/avatar", nil, bearer(cu.token)), http.StatusNotFound, "not_found")

		for _, tt := range sampleImages(t) {
			t.Run(tt.name, func(t *testing.T) {
				// The declared type is a lie on purpose: the server sniffs.
				r := e.do("PUT", "acme", "/api/v1/users/me/avatar", tt.data, bearer(o.token), header("Content-Type", "text/plain"))
				want(t, r, http.StatusOK, "")
				url := r.json(t)["avatar_url"].(string)
				if !strings.HasPrefix(url, "/api/v1/users/"+o.userID+"/avatar?v=") {
					t.Fatalf("avatar_url = %q", url)
				}
				// Another member (a customer, even) fetches it.
				g := e.do("GET", "acme", url, nil, bearer(cu.token))
				want(t, g, http.StatusOK, "")
				if !bytes.Equal(g.body, tt.data) {
					t.Fatal("avatar bytes differ")
				}
				if ct := g.header.Get("Content-Type"); ct != tt.ctype {
					t.Fatalf("Content-Type = %q, want %q", ct, tt.ctype)
				}
				cc := g.header.Get("Cache-Control")
				if g.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(cc, "immutable") || !strings.Contains(cc, "private") {
					t.Fatalf("headers: %v", g.header)
				}
				if nm := e.do("GET", "acme", url, nil, bearer(cu.token), header("If-None-Match", g.header.Get("ETag"))); nm.status != http.StatusNotModified {
					t.Fatalf("conditional GET: %d, want 304", nm.status)
				}
				// Unversioned (or stale) URLs are not cached for long.
				if cc := e.do("GET", "acme", "/api/v1/users/me/avatar", nil, bearer(o.token)).header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
					t.Fatalf("unversioned Cache-Control = %q", cc)
				}
				// Everywhere the user shows, the URL is the new one.
				if me := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(o.token)).json(t); me["user"].(map[string]any)["avatar_url"] != url {
					t.Fatalf("me avatar_url = %v, want %v", me["user"], url)
				}
				if !strings.Contains(e.do("GET", "acme", "/api/v1/members", nil, bearer(o.token)).String(), url) {
					t.Fatal("member list lacks the new avatar_url")
				}
				if evs := bus.take(app.EvMemberUpdated); len(evs) != 1 {
					t.Fatalf("member:updated = %v", evs)
				} else {
					for _, p := range evs {
						if p.AvatarURL != url {
							t.Fatalf("event avatar_url = %q, want %q", p.AvatarURL, url)
						}
					}
				}
			})
		}
		if n := len(dirFiles(t, e)); n != 1 {
			t.Fatalf("%d avatar files on disk, want only the current one", n)
		}

		m := e.join(o, "mia", "member")
		before := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(o.token)).json(t)["user"]
		big := pngBytes(t, 4097, 1)
		for _, tt := range []badCase{
			{"text as avatar", "PUT", "acme", "/api/v1/users/me/avatar", []byte("hello, I am not an image"), nil, 415, "unsupported_media"},
			{"gif avatar", "PUT", "acme", "/api/v1/users/me/avatar", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), nil, 415, "unsupported_media"},
			{"svg avatar", "PUT", "acme", "/api/v1/users/me/avatar", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), []opt{bearer(o.token), header("Content-Type", "image/png")}, 415, "unsupported_media"},
			{"JSON as avatar", "PUT", "acme", "/api/v1/users/me/avatar", `{"avatar": "x"}`, nil, 415, "unsupported_media"},
			{"png header, junk body", "PUT", "acme", "/api/v1/users/me/avatar", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...), nil, 415, "unsupported_media"},
			{"empty avatar", "PUT", "acme", "/api/v1/users/me/avatar", []byte{}, nil, 400, "invalid"},
			{"too wide", "PUT", "acme", "/api/v1/users/me/avatar", big, nil, 400, "invalid"},
			{"oversize avatar", "PUT", "acme", "/api/v1/users/me/avatar", append(pngBytes(t, 2, 2), make([]byte, 1<<20)...), nil, 413, "too_large"},
			{"anonymous upload", "PUT", "acme", "/api/v1/users/me/avatar", pngBytes(t, 2, 2), []opt{}, 401, "unauthenticated"},
			{"cross-site cookie upload", "PUT", "acme", "/api/v1/users/me/avatar", pngBytes(t, 2, 2), []opt{cookie(o.token), header("Sec-Fetch-Site", "cross-site")}, 403, "forbidden"},
			{"anonymous fetch", "GET", "acme", "/api/v1/users/" + o.userID + "/avatar", nil, []opt{}, 401, "unauthenticated"},
			{"unknown user", "GET", "acme", "/api/v1/users/123/avatar", nil, nil, 404, "not_found"},
			{"non-numeric id", "GET", "acme", "/api/v1/users/abc/avatar", nil, nil, 404, "not_found"},
			{"member without avatar", "GET", "acme", "/api/v1/users/" + m.userID + "/avatar", nil, nil, 404, "not_found"},
			{"avatar of someone else by PUT", "PUT", "acme", "/api/v1/users/" + m.userID + "/avatar", pngBytes(t, 2, 2), nil, 405, "method_not_allowed"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if tt.opts == nil {
					tt.opts = []opt{bearer(o.token)}
				}
				r := e.do(tt.method, tt.sub, tt.path, tt.body, tt.opts...)
				want(t, r, tt.status, tt.code)
			})
		}
		if after := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(o.token)).json(t)["user"]; !jsonEqual(before, after) {
			t.Fatalf("bad input changed the user: %v → %v", before, after)
		}

		// Delete: the URL empties, the file goes, fetching is 404; again is fine.
		r := e.do("DELETE", "acme", "/api/v1/users/me/avatar", nil, bearer(o.token))
		want(t, r, http.StatusOK, "")
		if r.json(t)["avatar_url"] != "" {
			t.Fatalf("avatar_url after delete: %s", r.body)
		}
		want(t, e.do("GET", "acme", "/api/v1/users/"+o.userID+"/avatar", nil, bearer(cu.token)), http.StatusNotFound, "not_found")
		want(t, e.do("DELETE", "acme", "/api/v1/users/me/avatar", nil, bearer(o.token)), http.StatusOK, "")
		if n := len(dirFiles(t, e)); n != 0 {
			t.Fatalf("%d avatar files left on disk after delete", n)
		}
	})
}

// TestAvatarTenancy: an avatar is served on a workspace's host only for its
// members, whatever other workspace the people share.
func TestAvatarTenancy(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		alpha, bravo := e.signup("alpha"), e.signup("bravo")
		amy := e.join(alpha, "amy", "member") // alpha only
		bob := e.join(bravo, "bob", "member") // bravo only
		// Bea (bravo's owner) also joins alpha.
		tok, _ := e.invite(alpha, bravo.email, "member")
		want(t, e.do("POST", "alpha", "/api/v1/invites/"+tok+"/accept", map[string]string{"password": bravo.password}), http.StatusCreated, "")
		for _, who := range []account{amy, bob, bravo} {
			want(t, e.do("PUT", who.sub, "/api/v1/users/me/avatar", pngBytes(t, 4, 4), bearer(who.token)), http.StatusOK, "")
		}
		avatar := func(a account) string { return "/api/v1/users/" + a.userID + "/avatar" }
		tests := []struct {
			name      string
			sub, path string
			o         opt
			status    int
		}{
			{"alpha member, alpha-only user, alpha host", "alpha", avatar(amy), bearer(alpha.token), 200},
			{"alpha member, user of both, alpha host", "alpha", avatar(bravo), bearer(amy.token), 200},
			{"alpha member, bravo-only user, alpha host", "alpha", avatar(bob), bearer(amy.token), 404},
			{"alpha owner, bravo-only user, alpha host", "alpha", avatar(bob), bearer(alpha.token), 404},
			{"user of both with bravo's session, alpha-only user, bravo host", "bravo", avatar(amy), bearer(bravo.token), 404},
			{"alpha bearer on bravo host", "bravo", avatar(bob), bearer(amy.token), 401},
			{"alpha cookie on bravo host", "bravo", avatar(bob), cookie(amy.token), 401},
			{"alpha bearer on bravo host, own avatar", "bravo", "/api/v1/users/me/avatar", bearer(amy.token), 401},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do("GET", tt.sub, tt.path, nil, tt.o)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				if tt.status != 200 && r.header.Get("Content-Type") != "application/json; charset=utf-8" {
					t.Fatalf("refusal carries %q", r.header.Get("Content-Type"))
				}
			})
		}
		// Alpha's credentials cannot change anything through bravo's host.
		want(t, e.do("PUT", "bravo", "/api/v1/users/me/avatar", pngBytes(t, 2, 2), bearer(amy.token)), http.StatusUnauthorized, "unauthenticated")
		want(t, e.do("DELETE", "bravo", "/api/v1/users/me/avatar", nil, cookie(amy.token)), http.StatusUnauthorized, "unauthenticated")
		want(t, e.do("PATCH", "bravo", "/api/v1/users/me", `{"display_name":"x"}`, bearer(amy.token)), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestMeStatus(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{})
		o := e.signup("acme")
		status := func() map[string]any {
			r := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(o.token))
			want(t, r, http.StatusOK, "")
			return r.json(t)["status"].(map[string]any)
		}
		empty := map[string]any{"presence": "online", "text": "", "emoji": "", "expires_at": nil}
		if got := status(); !jsonEqual(got, empty) {
			t.Fatalf("fresh status = %v", got)
		}
		exp := e.clock.Now().Add(time.Hour).UTC().Truncate(time.Second)
		want(t, e.do("PUT", "acme", "/api/v1/users/me/status", map[string]any{"presence": "dnd", "text": "Focus",
			"emoji": "🎧", "expires_at": exp}, bearer(o.token)), http.StatusOK, "")
		got := status()
		if got["presence"] != "dnd" || got["text"] != "Focus" || got["emoji"] != "🎧" || got["expires_at"] != exp.Format(time.RFC3339) {
			t.Fatalf("status = %v", got)
		}
		e.clock.Advance(time.Hour + time.Second)
		if got := status(); !jsonEqual(got, empty) {
			t.Fatalf("expired status = %v, want %v", got, empty)
		}
	})
}

func TestWorkspaceLookup(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LookupPerIP: 1000})
		o := e.signup("acme")
		e.signup("plain")
		logo := e.do("PUT", "acme", "/api/v1/workspace/logo", pngBytes(t, 4, 4), bearer(o.token))
		want(t, logo, http.StatusOK, "")
		logoPath := logo.json(t)["logo_url"].(string)

		r := e.do("GET", "", "/api/v1/workspaces/acme", nil)
		want(t, r, http.StatusOK, "")
		got := r.json(t)
		wantBody := map[string]any{"subdomain": "acme", "name": "Acme Inc", "url": "http://acme." + base,
			"logo_url": "http://acme." + base + logoPath}
		if !jsonEqual(got, wantBody) {
			t.Fatalf("lookup = %v, want %v", got, wantBody)
		}
		// The port of the request's Host carries over; case is ignored; no logo is "".
		r = e.do("GET", "", "/api/v1/workspaces/PLAIN", nil, func(r *http.Request) { r.Host = base + ":8443" })
		want(t, r, http.StatusOK, "")
		if got := r.json(t); got["url"] != "http://plain."+base+":8443" || got["logo_url"] != "" || got["subdomain"] != "plain" {
			t.Fatalf("lookup with port = %v", got)
		}
		// The logo URL really serves the logo.
		want(t, e.do("GET", "acme", logoPath, nil), http.StatusOK, "")

		for _, tt := range []badCase{
			{"unknown", "GET", "", "/api/v1/workspaces/nosuch", nil, nil, 404, "not_found"},
			{"too short", "GET", "", "/api/v1/workspaces/ab", nil, nil, 400, "invalid"},
			{"bad characters", "GET", "", "/api/v1/workspaces/a_b-c", nil, nil, 400, "invalid"},
			{"leading hyphen", "GET", "", "/api/v1/workspaces/-acme", nil, nil, 400, "invalid"},
			{"too long", "GET", "", "/api/v1/workspaces/" + strings.Repeat("a", 41), nil, nil, 400, "invalid"},
			{"on a workspace host", "GET", "acme", "/api/v1/workspaces/acme", nil, nil, 404, "not_found"},
			{"wrong method", "POST", "", "/api/v1/workspaces/acme", nil, nil, 405, "method_not_allowed"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(tt.method, tt.sub, tt.path, tt.body, tt.opts...)
				want(t, r, tt.status, tt.code)
				if strings.Contains(r.String(), "Acme Inc") {
					t.Fatalf("refusal leaks the workspace: %s", r.body)
				}
			})
		}

		// Behind a trusted proxy, the scheme is the one the client used.
		proxied := New(Config{App: e.srv.app, BaseDomain: base, TrustProxy: true})
		req := httptest.NewRequest("GET", "/api/v1/workspaces/acme", nil)
		req.Host = base
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		proxied.ServeHTTP(rec, req)
		var pm map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &pm); err != nil || pm["url"] != "https://acme."+base || pm["logo_url"] != "https://acme."+base+logoPath {
			t.Fatalf("proxied lookup = %d %s", rec.Code, rec.Body)
		}
		// Untrusted, the header is ignored.
		req.Header.Set("X-Forwarded-Proto", "https")
		if r := e.do("GET", "", "/api/v1/workspaces/acme", nil, header("X-Forwarded-Proto", "https")); r.json(t)["url"] != "http://acme."+base {
			t.Fatalf("untrusted X-Forwarded-Proto was believed: %s", r.body)
		}
	})
}

func TestWorkspaceLookupRateLimit(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{LookupPerIP: 3})
	e.signup("acme")
	for _, sub := range []string{"acme", "nosuch", "a_b"} {
		if r := e.do("GET", "", "/api/v1/workspaces/"+sub, nil); r.status == http.StatusTooManyRequests {
			t.Fatalf("limited too early: %s", r.body)
		}
	}
	r := e.do("GET", "", "/api/v1/workspaces/acme", nil)
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	e.clock.Advance(time.Minute)
	want(t, e.do("GET", "", "/api/v1/workspaces/acme", nil), http.StatusOK, "")
}

// TestMembershipEvents: clients already open learn about new and departed
// members (and #general's member list) without a reload.
func TestMembershipEvents(t *testing.T) {
	bus := &recorder{}
	e := newEnvBus(t, testdb.SQLite(t), app.Limits{LoginPerIP: 1000, SignupPerIP: 1000}, bus)
	o := e.signup("alpha")
	general := ""
	for _, c := range e.do("GET", "alpha", "/api/v1/channels", nil, bearer(o.token)).json(t)["channels"].([]any) {
		if c := c.(map[string]any); c["name"] == "general" {
			general = c["id"].(string)
		}
	}
	events := func() map[string][]relay.Event {
		bus.mu.Lock()
		defer bus.mu.Unlock()
		out := map[string][]relay.Event{}
		for _, ev := range bus.evs {
			out[ev.Name] = append(out[ev.Name], ev)
		}
		bus.evs = nil
		return out
	}
	events()

	mia := e.join(o, "mia", "member")
	evs := events()
	if got := evs[app.EvMemberAdded]; len(got) != 1 || got[0].Topic != "workspace:"+got[0].WorkspaceID.String() ||
		!strings.Contains(string(got[0].Payload), `"user_id":"`+mia.userID+`"`) || !strings.Contains(string(got[0].Payload), `"role":"member"`) ||
		strings.Contains(string(got[0].Payload), "@") {
		t.Fatalf("member:added = %+v", got)
	}
	if got := evs[app.EvMemberJoined]; len(got) != 1 || got[0].Topic != "channel:"+general ||
		!strings.Contains(string(got[0].Payload), mia.userID) || strings.Contains(string(got[0].Payload), mia.email) {
		t.Fatalf("member:joined on #general = %+v", got)
	}

	// A customer joins no channel.
	e.join(o, "carl", "customer")
	if evs := events(); len(evs[app.EvMemberAdded]) != 1 || len(evs[app.EvMemberJoined]) != 0 {
		t.Fatalf("customer accepted: %v", evs)
	}

	want(t, e.do("DELETE", "alpha", "/api/v1/members/"+mia.userID, nil, bearer(o.token)), http.StatusNoContent, "")
	if got := events()[app.EvMemberRemoved]; len(got) != 1 || string(got[0].Payload) != `{"user_id":"`+mia.userID+`"}` {
		t.Fatalf("member:removed = %+v", got)
	}
}

// TestDeskStatsFollowTickets: opening and resolving a ticket tells
// dashboards (stats:updated on the desk topic, debounced) to refresh.
func TestDeskStatsFollowTickets(t *testing.T) {
	bus := &recorder{}
	e := newEnvBus(t, testdb.SQLite(t), app.Limits{LoginPerIP: 1000, SignupPerIP: 1000}, bus)
	o := e.signup("alpha")
	cust := e.join(o, "cora", "customer")
	statsEvents := func() int {
		bus.mu.Lock()
		defer bus.mu.Unlock()
		n := 0
		for _, ev := range bus.evs {
			if ev.Name == app.EvStatsUpdated && strings.HasPrefix(ev.Topic, "desk:") && strings.Contains(string(ev.Payload), `"tickets"`) {
				n++
			}
		}
		bus.evs = nil
		return n
	}
	statsEvents()
	r := e.do("POST", "alpha", "/api/v1/tickets", map[string]any{"description": "The kettle never came."}, bearer(cust.token))
	want(t, r, http.StatusCreated, "")
	id := r.json(t)["id"].(string)
	testenv.CheckFor(t, 5*time.Second, 20*time.Millisecond, func() error {
		if statsEvents() == 0 {
			return fmt.Errorf("no stats:updated after a ticket was opened")
		}
		return nil
	})
	want(t, e.do("PATCH", "alpha", "/api/v1/tickets/"+id+"/status", map[string]string{"status": "resolved"}, bearer(o.token)), http.StatusOK, "")
	testenv.CheckFor(t, 5*time.Second, 20*time.Millisecond, func() error {
		if statsEvents() == 0 {
			return fmt.Errorf("no stats:updated after the ticket was resolved")
		}
		return nil
	})
}
