package httpapi

import (
	"strings"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/web"
)

// TestNoSniffOnEveryResponse checks that every kind of response tells
// browsers not to guess its type: JSON, JSON errors (from a handler, from
// routing, from a refused method) and pages.
func TestNoSniffOnEveryResponse(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{SignupPerIP: 1000})
	e.srv.web = web.New(fakeBuild)
	acme := e.signup("acme")
	for _, tc := range []struct {
		name, method, sub, path string
		body                    any
		opts                    []opt
		status                  int
		ctype                   string
	}{
		{"json", "GET", "acme", "/api/v1/auth/me", nil, []opt{bearer(acme.token)}, 200, "application/json"},
		{"json health", "GET", "", "/healthz", nil, nil, 200, "application/json"},
		{"handler error", "GET", "acme", "/api/v1/auth/me", nil, nil, 401, "application/json"},
		{"bad body", "POST", "acme", "/api/v1/channels", `{"name":`, []opt{bearer(acme.token)}, 400, "application/json"},
		{"no route", "GET", "acme", "/api/v1/nope", nil, nil, 404, "application/json"},
		{"method", "DELETE", "acme", "/api/v1/auth/me", nil, []opt{bearer(acme.token)}, 405, "application/json"},
		{"page", "GET", "", "/", nil, nil, 200, "text/html"},
		{"deep link page", "GET", "acme", "/channels/1", nil, nil, 200, "text/html"},
		{"asset", "GET", "", "/assets/index-abc123.js", nil, nil, 200, "text/javascript"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.sub, tc.path, tc.body, tc.opts...)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, tc.ctype) {
				t.Errorf("Content-Type = %q, want %s", got, tc.ctype)
			}
			if got := r.header.Values("X-Content-Type-Options"); len(got) != 1 || got[0] != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want exactly [nosniff]", got)
			}
		})
	}
}

// TestUnavailableSaysWhenToRetry: every 503 carries Retry-After, also when
// the error that caused it names no wait (the readiness probe with the
// database closed).
func TestUnavailableSaysWhenToRetry(t *testing.T) {
	db := testdb.SQLite(t)
	e := newEnv(t, db, app.Limits{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "", "/readyz", nil)
	want(t, r, 503, "unavailable")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q, want a positive number of seconds", ra)
	}
}
