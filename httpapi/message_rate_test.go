package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestMessageRateLimit: every workspace starts with the default per-user
// message rate limit; only an owner changes it or turns it off; a member
// over it gets 429 rate_limited with Retry-After on every post path
// (channel and ticket messages); other members and other workspaces are
// unaffected. The env's clock stands still, so no token refills unasked.
func TestMessageRateLimit(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		o := e.signup("acme")
		mel := e.join(o, "mel", "member")
		ada := e.join(o, "ada", "admin")
		cleo := e.join(o, "cleo", "customer")
		b := e.signup("bravo")
		general, bravoGeneral := e.general(o), e.general(b)
		setting := func(sub string) (rate, burst any) {
			ws := e.do("GET", sub, "/api/v1/workspace", nil).json(t)
			return ws["message_rate"], ws["message_burst"]
		}
		if r, bu := setting("acme"); r != 50.0 || bu != 200.0 {
			t.Fatalf("a new workspace's limit = %v/%v, want 50/200", r, bu)
		}

		// Only an owner changes it; an admin still changes the rest; bad
		// values change nothing.
		for _, tt := range []struct {
			name   string
			who    account
			body   string
			status int
			code   string
		}{
			{"a member", mel, `{"message_rate": 0}`, 403, "forbidden"},
			{"an admin", ada, `{"message_rate": 0}`, 403, "forbidden"},
			{"an admin, burst only", ada, `{"message_burst": 1, "name": "Acme"}`, 403, "forbidden"},
			{"negative", o, `{"message_rate": -1}`, 400, "invalid"},
			{"too large", o, `{"message_burst": 1000001}`, 400, "invalid"},
			{"not a number", o, `{"message_rate": "fast"}`, 400, "invalid"},
			{"a fraction", o, `{"message_rate": 1.5}`, 400, "invalid"},
			{"another workspace's owner", b, `{"message_rate": 0}`, 401, "unauthenticated"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				want(t, e.do("PATCH", "acme", "/api/v1/workspace", []byte(tt.body), bearer(tt.who.token)), tt.status, tt.code)
				if r, bu := setting("acme"); r != 50.0 || bu != 200.0 {
					t.Fatalf("limit = %v/%v after a refused change", r, bu)
				}
			})
		}
		want(t, e.do("PATCH", "acme", "/api/v1/workspace", map[string]any{"name": "Acme Two"}, bearer(ada.token)), http.StatusOK, "")

		r := e.do("PATCH", "acme", "/api/v1/workspace", map[string]any{"message_rate": 1, "message_burst": 3}, bearer(o.token))
		want(t, r, http.StatusOK, "")
		if ws := r.json(t); ws["message_rate"] != 1.0 || ws["message_burst"] != 3.0 {
			t.Fatalf("PATCH returned %v", ws)
		}

		// A member's burst in a channel, and a customer's in their ticket:
		// three pass, then 429 with Retry-After.
		tk := e.do("POST", "acme", "/api/v1/tickets", map[string]string{"subject": "Help", "description": "Please."}, bearer(cleo.token))
		want(t, tk, http.StatusCreated, "")
		ticketMsgs := "/api/v1/tickets/" + tk.json(t)["id"].(string) + "/messages"
		chanMsgs := "/api/v1/channels/" + general + "/messages"
		for _, p := range []struct {
			who  account
			path string
		}{{mel, chanMsgs}, {cleo, ticketMsgs}} {
			for i := range 3 {
				want(t, e.do("POST", "acme", p.path, map[string]string{"body": fmt.Sprint("burst ", i)}, bearer(p.who.token)), http.StatusCreated, "")
			}
			r := e.do("POST", "acme", p.path, map[string]string{"body": "one too many"}, bearer(p.who.token))
			want(t, r, http.StatusTooManyRequests, "rate_limited")
			if r.header.Get("Retry-After") != "1" {
				t.Fatalf("%s: Retry-After = %q, want 1 (one message a second)", p.path, r.header.Get("Retry-After"))
			}
		}
		// Nothing was stored by the refused posts.
		h := e.do("GET", "acme", chanMsgs+"?limit=50", nil, bearer(mel.token)).json(t)
		for _, m := range h["messages"].([]any) {
			if m.(map[string]any)["body"] == "one too many" {
				t.Fatal("a refused post was stored")
			}
		}
		// The owner of the same workspace, and another workspace, are unaffected.
		for i := range 3 { // the owner's own burst
			want(t, e.do("POST", "acme", chanMsgs, map[string]string{"body": fmt.Sprint("owner ", i)}, bearer(o.token)), http.StatusCreated, "")
		}
		for i := range 10 { // bravo keeps the default limit
			want(t, e.do("POST", "bravo", "/api/v1/channels/"+bravoGeneral+"/messages", map[string]string{"body": fmt.Sprint("bravo ", i)}, bearer(b.token)), http.StatusCreated, "")
		}
		// A second later, one more.
		e.clock.Advance(1001 * time.Millisecond)
		want(t, e.do("POST", "acme", chanMsgs, map[string]string{"body": "after a second"}, bearer(mel.token)), http.StatusCreated, "")
		want(t, e.do("POST", "acme", chanMsgs, map[string]string{"body": "one too many"}, bearer(mel.token)), http.StatusTooManyRequests, "rate_limited")

		// The owner turns it off: the burst passes.
		r = e.do("PATCH", "acme", "/api/v1/workspace", map[string]any{"message_rate": 0}, bearer(o.token))
		want(t, r, http.StatusOK, "")
		if ws := r.json(t); ws["message_rate"] != 0.0 || ws["message_burst"] != 3.0 {
			t.Fatalf("PATCH returned %v", ws)
		}
		for i := range 20 {
			want(t, e.do("POST", "acme", chanMsgs, map[string]string{"body": fmt.Sprint("unlimited ", i)}, bearer(mel.token)), http.StatusCreated, "")
		}
		// The change is in the audit log.
		audit := e.do("GET", "acme", "/api/v1/audit?action=workspace.settings_changed", nil, bearer(o.token))
		want(t, audit, http.StatusOK, "")
		if s := audit.String(); !strings.Contains(s, `"message_rate"`) {
			t.Fatalf("audit log lacks the change: %s", s)
		}
	})
}
