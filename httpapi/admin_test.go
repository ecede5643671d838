package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// auditActions lists the actions of an audit page, newest first.
func auditActions(t *testing.T, r res) []string {
	t.Helper()
	var out []string
	for _, e := range r.json(t)["events"].([]any) {
		out = append(out, e.(map[string]any)["action"].(string))
	}
	return out
}

func TestAuditLog(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{SignupPerIP: 1000})
		owner := e.signup("acme")
		admin := e.join(owner, "ada", "admin")
		agent := e.join(owner, "gus", "agent")
		member := e.join(owner, "meg", "member")
		cust := e.join(owner, "cal", "customer")

		want(t, e.do("PATCH", "acme", "/api/v1/members/"+agent.userID, map[string]string{"role": "admin"}, bearer(admin.token)), http.StatusOK, "")
		_, invID := e.invite(owner, "later@acme.example", "member")
		want(t, e.do("DELETE", "acme", "/api/v1/invites/"+invID, nil, bearer(owner.token)), http.StatusNoContent, "")
		want(t, e.do("PATCH", "acme", "/api/v1/workspace", map[string]any{"name": "Acme Two", "customer_signup": true}, bearer(owner.token)), http.StatusOK, "")
		want(t, e.do("PUT", "acme", "/api/v1/workspace/logo", pngBytes(t, 8, 8), bearer(admin.token)), http.StatusOK, "")
		want(t, e.do("DELETE", "acme", "/api/v1/workspace/logo", nil, bearer(admin.token)), http.StatusOK, "")
		want(t, e.do("DELETE", "acme", "/api/v1/members/"+member.userID, nil, bearer(owner.token)), http.StatusNoContent, "")
		want(t, e.do("POST", "acme", "/api/v1/workspace/transfer", map[string]string{"user_id": admin.userID}, bearer(owner.token)), http.StatusNoContent, "")

		r := e.do("GET", "acme", "/api/v1/audit", nil, bearer(admin.token))
		want(t, r, http.StatusOK, "")
		got := strings.Join(auditActions(t, r), " ")
		wantSeq := "workspace.ownership_transferred member.removed workspace.branding_changed workspace.branding_changed " +
			"workspace.settings_changed workspace.branding_changed invite.revoked invite.created member.role_changed"
		if !strings.HasPrefix(got, wantSeq) {
			t.Fatalf("audit actions (newest first):\n got %s\nwant prefix %s", got, wantSeq)
		}
		// The joins before: five invitations created and accepted.
		if n := strings.Count(got, "invite.accepted"); n != 4 {
			t.Fatalf("%d invite.accepted, want 4: %s", n, got)
		}
		role := r.json(t)["events"].([]any)[8].(map[string]any)
		if role["target_id"] != agent.userID || role["actor_id"] != admin.userID || role["ip"] != "127.0.0.1" ||
			role["data"].(map[string]any)["from"] != "agent" || role["data"].(map[string]any)["to"] != "admin" ||
			role["actor"].(map[string]any)["display_name"] != "ada" {
			t.Fatalf("role change event = %v", role)
		}

		// Filters and pages.
		r = e.do("GET", "acme", "/api/v1/audit?action=workspace.branding_changed&limit=2", nil, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		if a := auditActions(t, r); len(a) != 2 || r.json(t)["next_cursor"] == nil {
			t.Fatalf("first page %v, next %v", a, r.json(t)["next_cursor"])
		}
		r = e.do("GET", "acme", "/api/v1/audit?action=workspace.branding_changed&limit=2&cursor="+r.json(t)["next_cursor"].(string), nil, bearer(owner.token))
		if a := auditActions(t, r); len(a) != 1 || r.json(t)["next_cursor"] != nil {
			t.Fatalf("last page %v, next %v", a, r.json(t)["next_cursor"])
		}
		r = e.do("GET", "acme", "/api/v1/audit?target_kind=user&target_id="+member.userID, nil, bearer(owner.token))
		if a := auditActions(t, r); strings.Join(a, " ") != "member.removed" {
			t.Fatalf("events about meg: %v", a)
		}
		r = e.do("GET", "acme", "/api/v1/audit?actor_id="+owner.userID+"&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z", nil, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		for _, bad := range []string{"action=nope", "actor_id=x", "since=yesterday", "limit=0", "limit=201",
			"since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"} {
			want(t, e.do("GET", "acme", "/api/v1/audit?"+bad, nil, bearer(owner.token)), http.StatusBadRequest, "invalid")
		}

		// Only owners and admins read it; nobody changes it.
		for _, a := range []account{member, cust} {
			if a.userID == member.userID {
				continue // removed above
			}
			want(t, e.do("GET", "acme", "/api/v1/audit", nil, bearer(a.token)), http.StatusForbidden, "forbidden")
		}
		gina := e.join(admin, "gina", "agent")
		want(t, e.do("GET", "acme", "/api/v1/audit", nil, bearer(gina.token)), http.StatusForbidden, "forbidden")
		want(t, e.do("GET", "acme", "/api/v1/audit", nil), http.StatusUnauthorized, "unauthenticated")
		for _, m := range []string{"PUT", "PATCH", "DELETE", "POST"} {
			r := e.do(m, "acme", "/api/v1/audit", map[string]string{}, bearer(admin.token))
			want(t, r, http.StatusMethodNotAllowed, "")
			if r.header.Get("Allow") != "GET" {
				t.Fatalf("%s: Allow = %q, want GET", m, r.header.Get("Allow"))
			}
		}
		for _, rt := range e.srv.routes() {
			if strings.HasPrefix(rt.path, "/api/v1/audit") && rt.method != "GET" {
				t.Errorf("route %s %s changes the audit log", rt.method, rt.path)
			}
		}
	})
}

func TestDeskStats(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{SignupPerIP: 1000})
		owner := e.signup("acme")
		admin := e.join(owner, "ada", "admin")
		agent := e.join(owner, "gus", "agent")
		member := e.join(owner, "meg", "member")
		cust := e.join(owner, "cal", "customer")
		r := e.do("GET", "acme", "/api/v1/admin/stats", nil, bearer(admin.token))
		want(t, r, http.StatusOK, "")
		m := r.json(t)
		for _, k := range []string{"by_status", "by_priority", "daily", "median_first_response_seconds",
			"median_resolution_seconds", "agents", "users_by_role", "connected_clients", "connected_agents", "active_ticket_rooms"} {
			if _, ok := m[k]; !ok {
				t.Errorf("stats lack %q: %s", k, r.body)
			}
		}
		if d := m["daily"].([]any); len(d) != app.StatsDays {
			t.Fatalf("%d days, want %d", len(d), app.StatsDays)
		}
		if m["median_first_response_seconds"] != nil || m["by_status"].(map[string]any)["open"] != 0.0 {
			t.Fatalf("empty desk stats: %s", r.body)
		}
		roles := m["users_by_role"].(map[string]any)
		if roles["owner"] != 1.0 || roles["admin"] != 1.0 || roles["agent"] != 1.0 || roles["member"] != 1.0 || roles["customer"] != 1.0 {
			t.Fatalf("users by role: %v", roles)
		}
		if n := len(m["agents"].([]any)); n != 3 {
			t.Fatalf("%d agents, want owner, admin and agent", n)
		}
		want(t, e.do("GET", "acme", "/api/v1/admin/stats", nil, bearer(owner.token)), http.StatusOK, "")
		for _, a := range []account{agent, member, cust} {
			want(t, e.do("GET", "acme", "/api/v1/admin/stats", nil, bearer(a.token)), http.StatusForbidden, "forbidden")
		}
		// Another workspace's owner sees their own figures only.
		other := e.signup("other")
		r = e.do("GET", "other", "/api/v1/admin/stats", nil, bearer(other.token))
		want(t, r, http.StatusOK, "")
		if roles := r.json(t)["users_by_role"].(map[string]any); roles["customer"] != 0.0 || roles["owner"] != 1.0 {
			t.Fatalf("other's users by role: %v", roles)
		}
	})
}

func TestCustomerSignup(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{SignupPerIP: 14})
		owner := e.signup("acme")
		other := e.signup("other")
		agent := e.join(owner, "gus", "agent")
		body := func(name, email, pw string) map[string]string {
			return map[string]string{"display_name": name, "email": email, "password": pw}
		}
		// Off by default: refused, and the workspace says so.
		if e.do("GET", "acme", "/api/v1/workspace", nil).json(t)["customer_signup"] != false {
			t.Fatal("customer_signup should be false by default")
		}
		want(t, e.do("POST", "acme", "/api/v1/auth/signup", body("Cleo", "cleo@example.com", "cleo-password")), http.StatusForbidden, "forbidden")
		// Only owners and admins turn it on.
		want(t, e.do("PATCH", "acme", "/api/v1/workspace", map[string]bool{"customer_signup": true}, bearer(agent.token)), http.StatusForbidden, "forbidden")
		r := e.do("PATCH", "acme", "/api/v1/workspace", map[string]bool{"customer_signup": true}, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		if r.json(t)["customer_signup"] != true || r.json(t)["name"] != "Acme Inc" {
			t.Fatalf("patched workspace: %s", r.body)
		}

		r = e.do("POST", "acme", "/api/v1/auth/signup", body("Cleo", "Cleo@Example.com", "cleo-password"))
		want(t, r, http.StatusCreated, "")
		m := r.json(t)
		if m["membership"].(map[string]any)["role"] != "customer" || m["user"].(map[string]any)["email"] != "cleo@example.com" {
			t.Fatalf("sign-up result: %s", r.body)
		}
		if !strings.Contains(r.header.Get("Set-Cookie"), CookieName+"=") {
			t.Fatalf("no session cookie: %v", r.header)
		}
		tok := m["token"].(string)
		me := e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(tok))
		want(t, me, http.StatusOK, "")
		// A customer: no member list, no audit log.
		want(t, e.do("GET", "acme", "/api/v1/members", nil, bearer(tok)), http.StatusForbidden, "forbidden")
		// The token is acme's only.
		want(t, e.do("GET", "other", "/api/v1/auth/me", nil, bearer(tok)), http.StatusUnauthorized, "unauthenticated")

		// An existing member's email is a conflict, whatever the password.
		want(t, e.do("POST", "acme", "/api/v1/auth/signup", body("Cleo", "cleo@example.com", "cleo-password")), http.StatusConflict, "conflict")
		want(t, e.do("POST", "acme", "/api/v1/auth/signup", body("Gus", agent.email, agent.password)), http.StatusConflict, "conflict")
		// Bad input.
		for _, b := range []any{
			body("", "new@example.com", "new-password"),
			body("New", "not-an-email", "new-password"),
			body("New", "new@example.com", "short"),
			map[string]string{"email": "new@example.com", "password": "new-password", "role": "admin"},
		} {
			want(t, e.do("POST", "acme", "/api/v1/auth/signup", b), http.StatusBadRequest, "invalid")
		}
		// Another workspace's owner reuses their account with its password...
		want(t, e.do("POST", "acme", "/api/v1/auth/signup", body("x", other.email, "wrong-password")), http.StatusConflict, "conflict")
		r = e.do("POST", "acme", "/api/v1/auth/signup", body("ignored", other.email, other.password))
		want(t, r, http.StatusCreated, "")
		if r.json(t)["user"].(map[string]any)["id"] != other.userID {
			t.Fatalf("reused account: %s", r.body)
		}
		// ...and the other workspace, which does not allow sign-ups, is untouched.
		want(t, e.do("POST", "other", "/api/v1/auth/signup", body("Cleo", "cleo@example.com", "cleo-password")), http.StatusForbidden, "forbidden")
		// Audited.
		r = e.do("GET", "acme", "/api/v1/audit?action=member.signed_up", nil, bearer(owner.token))
		if n := len(auditActions(t, r)); n != 2 {
			t.Fatalf("%d sign-ups audited, want 2", n)
		}
		// Limited per IP, shared with sign-ups and invitation accepts (14
		// per hour here, nearly all used above).
		for i := 0; ; i++ {
			r = e.do("POST", "acme", "/api/v1/auth/signup", body("Late", fmt.Sprintf("late%d@example.com", i), "late-password"))
			if r.status != http.StatusCreated || i == 3 {
				break
			}
		}
		want(t, r, http.StatusTooManyRequests, "rate_limited")
		if r.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	})
}
