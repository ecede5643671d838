package httpapi

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// badCase is one request that must be refused with status and code.
type badCase struct {
	name, method, sub, path string
	body                    any
	opts                    []opt
	status                  int
	code                    string
}

// TestBadInput sends malformed and invalid requests; each must get a clear
// 4xx error in the JSON shape and change nothing.
func TestBadInput(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		o := e.signup("acme")
		m := e.join(o, "mia", "member")
		before := snapshot(t, e, o)
		big := `{"name":"` + strings.Repeat("x", 70<<10) + `"}`
		signup := func(sub string) map[string]string {
			return map[string]string{"workspace_name": "W", "subdomain": sub, "email": "new@x.example",
				"password": "long-enough", "display_name": "N"}
		}

		tests := []badCase{
			{"malformed JSON", "PATCH", "acme", "/api/v1/workspace", "{", []opt{bearer(o.token)}, 400, "invalid"},
			{"not an object", "PATCH", "acme", "/api/v1/workspace", "[1,2]", []opt{bearer(o.token)}, 400, "invalid"},
			{"wrong type", "PATCH", "acme", "/api/v1/workspace", `{"name": 5}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"unknown field", "PATCH", "acme", "/api/v1/workspace", `{"primary_colour": "#000000"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"trailing data", "PATCH", "acme", "/api/v1/workspace", `{"name":"A"} {"name":"B"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"empty body", "PATCH", "acme", "/api/v1/workspace", "", []opt{bearer(o.token)}, 400, "invalid"},
			{"duplicate key", "PATCH", "acme", "/api/v1/workspace", `{"name":"A","name":"B"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"duplicate key escaped", "PATCH", "acme", "/api/v1/workspace", `{"name":"A","\u006eame":"B"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"duplicate key nested", "PATCH", "acme", "/api/v1/tickets/1/assign", `{"assignee_id":{"a":1,"a":2}}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"duplicate key on login", "POST", "acme", "/api/v1/auth/login", `{"email":"mia@acme.example","password":"x","password":"mia-password"}`, nil, 400, "invalid"},
			{"empty patch", "PATCH", "acme", "/api/v1/workspace", `{}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"oversize body", "PATCH", "acme", "/api/v1/workspace", big, []opt{bearer(o.token)}, 413, "too_large"},
			{"empty name", "PATCH", "acme", "/api/v1/workspace", `{"name": "  "}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"long name", "PATCH", "acme", "/api/v1/workspace", `{"name": "` + strings.Repeat("n", 81) + `"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"control chars in name", "PATCH", "acme", "/api/v1/workspace", `{"name": "a\u0007b"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"short colour", "PATCH", "acme", "/api/v1/workspace", `{"primary_color": "#12345"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"named colour", "PATCH", "acme", "/api/v1/workspace", `{"primary_color": "red"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"colour without #", "PATCH", "acme", "/api/v1/workspace", `{"accent_color": "123456"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"non-hex colour", "PATCH", "acme", "/api/v1/workspace", `{"accent_color": "#12345g"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"colour with alpha", "PATCH", "acme", "/api/v1/workspace", `{"accent_color": "#12345678"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"good name, bad colour", "PATCH", "acme", "/api/v1/workspace", `{"name": "Changed", "accent_color": "#zzz"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"text as logo", "PUT", "acme", "/api/v1/workspace/logo", []byte("hello, I am not an image"), []opt{bearer(o.token)}, 415, "unsupported_media"},
			{"gif logo", "PUT", "acme", "/api/v1/workspace/logo", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), []opt{bearer(o.token)}, 415, "unsupported_media"},
			{"svg logo", "PUT", "acme", "/api/v1/workspace/logo", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), []opt{bearer(o.token), header("Content-Type", "image/png")}, 415, "unsupported_media"},
			{"png header, junk body", "PUT", "acme", "/api/v1/workspace/logo", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...), []opt{bearer(o.token)}, 415, "unsupported_media"},
			{"empty logo", "PUT", "acme", "/api/v1/workspace/logo", []byte{}, []opt{bearer(o.token)}, 400, "invalid"},
			{"oversize logo", "PUT", "acme", "/api/v1/workspace/logo", append(pngBytes(t, 2, 2), make([]byte, 1<<20)...), []opt{bearer(o.token)}, 413, "too_large"},
			{"logo by a member", "PUT", "acme", "/api/v1/workspace/logo", pngBytes(t, 2, 2), []opt{bearer(m.token)}, 403, "forbidden"},
			{"invite bad email", "POST", "acme", "/api/v1/invites", `{"email": "not-an-email", "role": "member"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"invite bad role", "POST", "acme", "/api/v1/invites", `{"email": "a@b.example", "role": "king"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"invite as owner", "POST", "acme", "/api/v1/invites", `{"email": "a@b.example", "role": "owner"}`, []opt{bearer(o.token)}, 403, "forbidden"},
			{"invite existing member", "POST", "acme", "/api/v1/invites", `{"email": "MIA@acme.example", "role": "admin"}`, []opt{bearer(o.token)}, 409, "conflict"},
			{"invite by a member", "POST", "acme", "/api/v1/invites", `{"email": "a@b.example", "role": "member"}`, []opt{bearer(m.token)}, 403, "forbidden"},
			{"role bad value", "PATCH", "acme", "/api/v1/members/" + m.userID, `{"role": "god"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"role of unknown id", "PATCH", "acme", "/api/v1/members/123", `{"role": "admin"}`, []opt{bearer(o.token)}, 404, "not_found"},
			{"role of non-numeric id", "PATCH", "acme", "/api/v1/members/abc", `{"role": "admin"}`, []opt{bearer(o.token)}, 404, "not_found"},
			{"last owner demoted", "PATCH", "acme", "/api/v1/members/" + o.userID, `{"role": "admin"}`, []opt{bearer(o.token)}, 409, "conflict"},
			{"last owner leaves", "DELETE", "acme", "/api/v1/members/" + o.userID, nil, []opt{bearer(o.token)}, 409, "conflict"},
			{"member removes owner", "DELETE", "acme", "/api/v1/members/" + o.userID, nil, []opt{bearer(m.token)}, 403, "forbidden"},
			{"delete without confirm", "DELETE", "acme", "/api/v1/workspace", `{"confirm": "nope"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"delete by a member", "DELETE", "acme", "/api/v1/workspace", `{"confirm": "acme"}`, []opt{bearer(m.token)}, 403, "forbidden"},
			{"transfer to self", "POST", "acme", "/api/v1/workspace/transfer", `{"user_id": "` + o.userID + `"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"transfer by a member", "POST", "acme", "/api/v1/workspace/transfer", `{"user_id": "` + m.userID + `"}`, []opt{bearer(m.token)}, 403, "forbidden"},
			{"transfer bad id", "POST", "acme", "/api/v1/workspace/transfer", `{"user_id": "x1"}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"token without name", "POST", "acme", "/api/v1/tokens", `{"name": ""}`, []opt{bearer(o.token)}, 400, "invalid"},
			{"revoke unknown token", "DELETE", "acme", "/api/v1/tokens/42", nil, []opt{bearer(o.token)}, 404, "not_found"},
			{"revoke unknown invite", "DELETE", "acme", "/api/v1/invites/42", nil, []opt{bearer(o.token)}, 404, "not_found"},
			{"accept unknown invite", "POST", "acme", "/api/v1/invites/rly_nope/accept", `{"display_name": "X", "password": "long-enough"}`, nil, 404, "not_found"},
			{"bad authorization scheme", "GET", "acme", "/api/v1/auth/me", nil, []opt{header("Authorization", "Basic Zm9vOmJhcg==")}, 401, "unauthenticated"},
			{"empty bearer", "GET", "acme", "/api/v1/auth/me", nil, []opt{header("Authorization", "Bearer ")}, 401, "unauthenticated"},
			{"garbage token", "GET", "acme", "/api/v1/auth/me", nil, []opt{bearer("rly_" + strings.Repeat("A", 43))}, 401, "unauthenticated"},
			{"no credentials", "GET", "acme", "/api/v1/members", nil, nil, 401, "unauthenticated"},
			{"login missing password", "POST", "acme", "/api/v1/auth/login", `{"email": "mia@acme.example"}`, nil, 400, "invalid"},
			{"login wrong password", "POST", "acme", "/api/v1/auth/login", `{"email": "mia@acme.example", "password": "nope-nope"}`, nil, 401, "unauthenticated"},
			{"login unknown email", "POST", "acme", "/api/v1/auth/login", `{"email": "who@acme.example", "password": "nope-nope"}`, nil, 401, "unauthenticated"},
		}
		for _, sub := range []string{"ab", "-abc", "abc-", "ABC", "www", "api", "admin", "a_b", "a.b", "a b", "ünï", strings.Repeat("a", 41), ""} {
			tests = append(tests, badCase{"signup subdomain " + sub, "POST", "", "/api/v1/signup", signup(sub), nil, 400, "invalid"})
		}
		badSignups := []struct {
			name string
			edit func(map[string]string)
			code string
			st   int
		}{
			{"taken subdomain", func(m map[string]string) { m["subdomain"] = "acme" }, "conflict", 409},
			{"short password", func(m map[string]string) { m["password"] = "short" }, "invalid", 400},
			{"bad email", func(m map[string]string) { m["email"] = "@nope" }, "invalid", 400},
			{"no display name", func(m map[string]string) { m["display_name"] = "" }, "invalid", 400},
			{"no workspace name", func(m map[string]string) { m["workspace_name"] = "" }, "invalid", 400},
			{"existing email, wrong password", func(m map[string]string) { m["email"] = o.email; m["password"] = "wrong-password" }, "conflict", 409},
		}
		for _, b := range badSignups {
			body := signup("fresh")
			b.edit(body)
			tests = append(tests, badCase{"signup " + b.name, "POST", "", "/api/v1/signup", body, nil, b.st, b.code})
		}

		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(tt.method, tt.sub, tt.path, tt.body, tt.opts...)
				want(t, r, tt.status, tt.code)
				if msg := r.json(t)["error"].(map[string]any)["message"].(string); len(msg) < 5 {
					t.Fatalf("unhelpful message %q", msg)
				}
			})
		}
		if diff := cmp.Diff(before, snapshot(t, e, o)); diff != "" {
			t.Fatalf("bad input changed state (-before +after):\n%s", diff)
		}
		want(t, e.do("GET", "fresh", "/api/v1/workspace", nil), http.StatusNotFound, "not_found")
	})
}

// A 1×1 lossless WebP.
var webp1x1, _ = base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")

func TestLogo(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	o := e.signup("acme")
	want(t, e.do("GET", "acme", "/api/v1/workspace/logo", nil), http.StatusNotFound, "not_found")

	for _, tt := range sampleImages(t) {
		t.Run(tt.name, func(t *testing.T) {
			// The declared type is a lie on purpose: the server sniffs.
			r := e.do("PUT", "acme", "/api/v1/workspace/logo", tt.data, bearer(o.token), header("Content-Type", "text/plain"))
			want(t, r, http.StatusOK, "")
			url := r.json(t)["logo_url"].(string)
			if !strings.HasPrefix(url, "/api/v1/workspace/logo?v=") {
				t.Fatalf("logo_url = %q", url)
			}
			g := e.do("GET", "acme", url, nil) // anonymous: the login page shows it
			want(t, g, http.StatusOK, "")
			if !bytes.Equal(g.body, tt.data) {
				t.Fatal("logo bytes differ")
			}
			if ct := g.header.Get("Content-Type"); ct != tt.ctype {
				t.Fatalf("Content-Type = %q, want %q", ct, tt.ctype)
			}
			if g.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(g.header.Get("Cache-Control"), "immutable") {
				t.Fatalf("headers: %v", g.header)
			}
			nm := e.do("GET", "acme", url, nil, header("If-None-Match", g.header.Get("ETag")))
			if nm.status != http.StatusNotModified {
				t.Fatalf("conditional GET: %d, want 304", nm.status)
			}
			if ws := e.do("GET", "acme", "/api/v1/workspace", nil).json(t); ws["logo_url"] != url {
				t.Fatalf("workspace logo_url = %v, want %v", ws["logo_url"], url)
			}
		})
	}
	r := e.do("DELETE", "acme", "/api/v1/workspace/logo", nil, bearer(o.token))
	want(t, r, http.StatusOK, "")
	if r.json(t)["logo_url"] != "" {
		t.Fatalf("logo_url after delete: %s", r.body)
	}
	want(t, e.do("GET", "acme", "/api/v1/workspace/logo", nil), http.StatusNotFound, "not_found")
	if n := len(dirFiles(t, e)); n != 0 {
		t.Fatalf("%d logo files left on disk after delete", n)
	}
}
