package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestDeskGrant: owners and admins give a member the support desk with
// PATCH /members/{user_id} {"desk": true}; the member then works tickets
// exactly as an agent, and loses them again when it is taken away.
func TestDeskGrant(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		admin := d.e.join(d.owner, "ada", "admin")
		mo := "/api/v1/members/" + d.member.userID
		tk := d.ticket(t, d.carl, map[string]any{"subject": "Wifi", "description": "It drops."})
		base := "/api/v1/tickets/" + tk["id"].(string)

		// Without the grant, a member has no desk.
		want(t, d.do("GET", "/api/v1/tickets", nil, d.member), http.StatusForbidden, "forbidden")
		want(t, d.do("GET", base, nil, d.member), http.StatusForbidden, "forbidden")
		if r := d.do("GET", "/api/v1/auth/me", nil, d.member); r.json(t)["membership"].(map[string]any)["desk"] != false {
			t.Fatalf("me before the grant: %s", r.body)
		}

		// Only owners and admins grant it.
		for _, who := range []account{d.agent, d.member, d.carl} {
			r := d.do("PATCH", mo, map[string]any{"desk": true}, who)
			if r.status != http.StatusForbidden {
				t.Fatalf("%s granted the desk: %d %s", who.userID, r.status, r.body)
			}
		}
		want(t, d.do("PATCH", mo, map[string]any{}, d.owner), http.StatusBadRequest, "invalid")
		r := d.do("PATCH", mo, map[string]any{"desk": true}, admin)
		want(t, r, http.StatusOK, "")
		if m := r.json(t); m["desk"] != true || m["role"] != "member" {
			t.Fatalf("granted: %s", r.body)
		}
		r = d.do("GET", "/api/v1/members", nil, d.owner)
		want(t, r, http.StatusOK, "")
		for _, m := range r.json(t)["members"].([]any) {
			m := m.(map[string]any)
			if got, wantDesk := m["desk"], m["user"].(map[string]any)["id"] == d.member.userID; got != wantDesk {
				t.Fatalf("member list desk flags: %s", r.body)
			}
		}
		if r := d.do("GET", "/api/v1/auth/me", nil, d.member); r.json(t)["membership"].(map[string]any)["desk"] != true {
			t.Fatalf("me after the grant: %s", r.body)
		}

		// An agent's desk rights: inbox, read, post, notes, take it, status,
		// priority.
		r = d.do("GET", "/api/v1/tickets", nil, d.member)
		want(t, r, http.StatusOK, "")
		if !strings.Contains(r.String(), tk["id"].(string)) {
			t.Fatalf("inbox: %s", r.body)
		}
		r = d.do("GET", base, nil, d.member)
		want(t, r, http.StatusOK, "")
		if r.json(t)["notes_channel_id"] == nil {
			t.Fatalf("desk staff see the notes channel: %s", r.body)
		}
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "On it."}, d.member), http.StatusCreated, "")
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "note", "internal": true}, d.member), http.StatusCreated, "")
		want(t, d.do("GET", base+"/messages?internal=true", nil, d.member), http.StatusOK, "")
		want(t, d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.member.userID}, d.member), http.StatusOK, "")
		want(t, d.do("PATCH", base, map[string]any{"priority": "high"}, d.member), http.StatusOK, "")
		want(t, d.do("PATCH", base+"/status", map[string]any{"status": "resolved"}, d.member), http.StatusOK, "")
		want(t, d.do("PATCH", base+"/status", map[string]any{"status": "resolved"}, d.member), http.StatusConflict, "conflict")
		// … and nothing more: no assigning others, dashboard or audit log.
		want(t, d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.agent.userID}, d.member), http.StatusForbidden, "forbidden")
		want(t, d.do("GET", "/api/v1/admin/stats", nil, d.member), http.StatusForbidden, "forbidden")
		want(t, d.do("GET", "/api/v1/audit", nil, d.member), http.StatusForbidden, "forbidden")
		want(t, d.do("PATCH", "/api/v1/members/"+d.agent.userID, map[string]any{"desk": true}, d.member), http.StatusForbidden, "forbidden")
		// Admins may give them tickets; the dashboard counts them among agents.
		tk2 := d.ticket(t, d.di, map[string]any{"description": "Second."})
		want(t, d.do("PATCH", "/api/v1/tickets/"+tk2["id"].(string)+"/assign", map[string]any{"assignee_id": d.member.userID}, admin), http.StatusOK, "")
		r = d.do("GET", "/api/v1/admin/stats", nil, d.owner)
		want(t, r, http.StatusOK, "")
		if !strings.Contains(r.String(), d.member.userID) {
			t.Fatalf("stats agents lack the granted member: %s", r.body)
		}

		// Customers can never be given the desk.
		r = d.do("PATCH", "/api/v1/members/"+d.carl.userID, map[string]any{"desk": true}, d.owner)
		want(t, r, http.StatusBadRequest, "invalid")
		if !strings.Contains(r.String(), "Customers cannot be given the support desk") {
			t.Fatalf("no reason: %s", r.body)
		}
		want(t, d.do("PATCH", "/api/v1/members/"+d.di.userID, map[string]any{"role": "customer", "desk": true}, d.owner), http.StatusBadRequest, "invalid")
		want(t, d.do("PATCH", "/api/v1/members/"+d.carl.userID, map[string]any{"desk": false}, d.owner), http.StatusOK, "")
		// Role and grant in one request: the role first.
		r = d.do("PATCH", "/api/v1/members/"+d.di.userID, map[string]any{"role": "member", "desk": true}, d.owner)
		want(t, r, http.StatusOK, "")
		if m := r.json(t); m["desk"] != true || m["role"] != "member" {
			t.Fatalf("role and desk: %s", r.body)
		}
		// Becoming a customer drops the grant.
		r = d.do("PATCH", "/api/v1/members/"+d.di.userID, map[string]any{"role": "customer"}, d.owner)
		want(t, r, http.StatusOK, "")
		if r.json(t)["desk"] != false {
			t.Fatalf("a customer kept the desk: %s", r.body)
		}
		want(t, d.do("PATCH", "/api/v1/members/"+d.di.userID, map[string]any{"role": "member"}, d.owner), http.StatusOK, "")
		want(t, d.do("GET", "/api/v1/tickets", nil, d.di), http.StatusForbidden, "forbidden")

		// Revoked: 403 again.
		r = d.do("PATCH", mo, map[string]any{"desk": false}, d.owner)
		want(t, r, http.StatusOK, "")
		if r.json(t)["desk"] != false {
			t.Fatalf("revoked: %s", r.body)
		}
		want(t, d.do("GET", "/api/v1/tickets", nil, d.member), http.StatusForbidden, "forbidden")
		want(t, d.do("GET", base, nil, d.member), http.StatusForbidden, "forbidden")
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "again"}, d.member), http.StatusForbidden, "forbidden")

		// Audited, with who, from and to.
		r = d.do("GET", "/api/v1/audit?action=member.desk_access_changed&target_kind=user&target_id="+d.member.userID, nil, d.owner)
		want(t, r, http.StatusOK, "")
		evs := r.json(t)["events"].([]any)
		if len(evs) != 2 {
			t.Fatalf("desk audit events: %s", r.body)
		}
		last, first := evs[0].(map[string]any), evs[1].(map[string]any)
		if first["actor_id"] != admin.userID || first["data"].(map[string]any)["to"] != true ||
			last["actor_id"] != d.owner.userID || last["data"].(map[string]any)["to"] != false {
			t.Fatalf("desk audit events: %s", r.body)
		}
	})
}
