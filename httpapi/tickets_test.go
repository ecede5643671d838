package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// deskEnv is a workspace with an owner, an agent, a member and two customers.
type deskEnv struct {
	e                              *env
	owner, agent, member, carl, di account
}

func newDeskEnv(t *testing.T, db *store.DB) deskEnv {
	e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
	owner := e.signup("acme")
	return deskEnv{e: e, owner: owner, agent: e.join(owner, "ed", "agent"), member: e.join(owner, "mo", "member"),
		carl: e.join(owner, "carl", "customer"), di: e.join(owner, "di", "customer")}
}

func (d deskEnv) do(method, path string, body any, who account) res {
	return d.e.do(method, "acme", path, body, bearer(who.token))
}

func (d deskEnv) ticket(t *testing.T, who account, body map[string]any) map[string]any {
	t.Helper()
	r := d.do("POST", "/api/v1/tickets", body, who)
	want(t, r, http.StatusCreated, "")
	return r.json(t)
}

func TestTicketLifecycleHTTP(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		tk := d.ticket(t, d.carl, map[string]any{"subject": "Printer", "description": "It prints blank pages.", "tags": []string{"HW"}})
		id := tk["id"].(string)
		if tk["number"].(float64) != 1001 || tk["status"] != "open" || tk["priority"] != "normal" || tk["notes_channel_id"] != nil {
			t.Fatalf("created: %v", tk)
		}
		if req := tk["requester"].(map[string]any); req["display_name"] != "carl" || req["email"] != nil {
			t.Fatalf("requester: %v", req)
		}
		base := "/api/v1/tickets/" + id

		// Viewing never assigns.
		want(t, d.do("GET", base, nil, d.agent), http.StatusOK, "")
		if r := d.do("GET", base, nil, d.agent); r.json(t)["assignee"] != nil {
			t.Fatalf("viewing assigned: %s", r.body)
		}
		// The agent takes it; the customer sees the assignee without an email.
		r := d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.agent.userID}, d.agent)
		want(t, r, http.StatusOK, "")
		if r.json(t)["status"] != "assigned" {
			t.Fatalf("after assign: %s", r.body)
		}
		r = d.do("GET", base, nil, d.carl)
		want(t, r, http.StatusOK, "")
		if strings.Contains(string(r.body), "@") {
			t.Fatalf("a customer sees an email: %s", r.body)
		}
		// The agent cannot hand it to the owner; the owner can.
		want(t, d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.owner.userID}, d.agent), http.StatusForbidden, "forbidden")
		want(t, d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.member.userID}, d.owner), http.StatusBadRequest, "invalid")
		want(t, d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.carl.userID}, d.owner), http.StatusBadRequest, "invalid")

		// Chat both ways; the agent's reply is the first response.
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "Hello?"}, d.carl), http.StatusCreated, "")
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "Looking into it."}, d.agent), http.StatusCreated, "")
		r = d.do("GET", base, nil, d.agent)
		if r.json(t)["first_response_at"] == nil {
			t.Fatalf("no first response: %s", r.body)
		}

		// Illegal steps are 409 with the reason.
		r = d.do("PATCH", base+"/status", map[string]any{"status": "open"}, d.agent)
		want(t, r, http.StatusConflict, "conflict")
		want(t, d.do("PATCH", base+"/status", map[string]any{"status": "resolved"}, d.carl), http.StatusForbidden, "forbidden")
		want(t, d.do("PATCH", base+"/status", map[string]any{"status": "resolved"}, d.agent), http.StatusOK, "")
		r = d.do("PATCH", base+"/status", map[string]any{"status": "resolved"}, d.agent)
		want(t, r, http.StatusConflict, "conflict")
		if !strings.Contains(r.String(), "already resolved") {
			t.Fatalf("409 without the reason: %s", r.body)
		}
		// The customer's reply reopens it, back to the assignee.
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "Still broken."}, d.carl), http.StatusCreated, "")
		r = d.do("GET", base, nil, d.carl)
		if r.json(t)["status"] != "assigned" {
			t.Fatalf("after the customer's reply: %s", r.body)
		}
		// Unassign returns it to open; close is final.
		r = d.do("PATCH", base+"/assign", map[string]any{"assignee_id": nil}, d.agent)
		want(t, r, http.StatusOK, "")
		if r.json(t)["status"] != "open" {
			t.Fatalf("after unassign: %s", r.body)
		}
		want(t, d.do("PATCH", base+"/status", map[string]any{"status": "closed"}, d.owner), http.StatusOK, "")
		want(t, d.do("PATCH", base+"/assign", map[string]any{"assignee_id": d.agent.userID}, d.agent), http.StatusConflict, "conflict")
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "hello?"}, d.carl), http.StatusConflict, "conflict")
		want(t, d.do("PATCH", base, map[string]any{"priority": "high"}, d.agent), http.StatusConflict, "conflict")

		// Every transition and assignment is an event and a system line.
		r = d.do("GET", base+"/events", nil, d.agent)
		want(t, r, http.StatusOK, "")
		var kinds []string
		for _, ev := range r.json(t)["events"].([]any) {
			kinds = append(kinds, ev.(map[string]any)["kind"].(string))
		}
		if got := strings.Join(kinds, ","); got != "created,assigned,status,status,unassigned,status" {
			t.Fatalf("events = %s", got)
		}
		want(t, d.do("GET", base+"/events", nil, d.carl), http.StatusForbidden, "forbidden")
		r = d.do("GET", base+"/messages", nil, d.carl)
		want(t, r, http.StatusOK, "")
		system := 0
		for _, m := range r.json(t)["messages"].([]any) {
			m := m.(map[string]any)
			if m["source"] == "system" && m["author"].(map[string]any)["kind"] == "system" {
				system++
			}
		}
		if system != 5 {
			t.Fatalf("system lines = %d, want 5: %s", system, r.body)
		}

		// A follow-up references the closed ticket.
		tk2 := d.ticket(t, d.carl, map[string]any{"description": "Again", "reference_id": id})
		if tk2["reference_id"] != id || tk2["number"].(float64) != 1002 {
			t.Fatalf("follow-up: %v", tk2)
		}
		want(t, d.do("POST", "/api/v1/tickets", map[string]any{"description": "x", "reference_id": tk2["id"]}, d.carl), http.StatusConflict, "conflict")
	})
}

func TestTicketInput(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		tk := d.ticket(t, d.carl, map[string]any{"description": "Case"})
		base := "/api/v1/tickets/" + tk["id"].(string)
		for _, tt := range []struct {
			name, method, path string
			body               any
			who                account
			status             int
		}{
			{"no description", "POST", "/api/v1/tickets", map[string]any{"subject": "x"}, d.carl, 400},
			{"blank description", "POST", "/api/v1/tickets", map[string]any{"description": "  "}, d.carl, 400},
			{"bad priority", "POST", "/api/v1/tickets", map[string]any{"description": "x", "priority": "asap"}, d.carl, 400},
			{"bad tag", "POST", "/api/v1/tickets", map[string]any{"description": "x", "tags": []string{"no spaces"}}, d.carl, 400},
			{"too many tags", "POST", "/api/v1/tickets", map[string]any{"description": "x", "tags": strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}, d.carl, 400},
			{"unknown field", "POST", "/api/v1/tickets", map[string]any{"description": "x", "status": "closed"}, d.carl, 400},
			{"customer on behalf of another", "POST", "/api/v1/tickets", map[string]any{"description": "x", "requester_id": d.di.userID}, d.carl, 403},
			{"member opens a ticket", "POST", "/api/v1/tickets", map[string]any{"description": "x"}, d.member, 403},
			{"requester not a member", "POST", "/api/v1/tickets", map[string]any{"description": "x", "requester_id": "12345"}, d.agent, 404},
			{"bad sort", "GET", "/api/v1/tickets?sort=sideways", nil, d.agent, 400},
			{"bad status filter", "GET", "/api/v1/tickets?status=done", nil, d.agent, 400},
			{"bad assignee filter", "GET", "/api/v1/tickets?assignee=someone", nil, d.agent, 400},
			{"bad cursor", "GET", "/api/v1/tickets?cursor=zzz", nil, d.agent, 400},
			{"bad limit", "GET", "/api/v1/tickets?limit=0", nil, d.agent, 400},
			{"member lists", "GET", "/api/v1/tickets", nil, d.member, 403},
			{"bad id", "GET", "/api/v1/tickets/abc", nil, d.agent, 404},
			{"unknown id", "GET", "/api/v1/tickets/12345", nil, d.agent, 404},
			{"empty patch", "PATCH", base, map[string]any{}, d.agent, 400},
			{"customer patches", "PATCH", base, map[string]any{"priority": "urgent"}, d.carl, 403},
			{"bad status", "PATCH", base + "/status", map[string]any{"status": "done"}, d.agent, 400},
			{"assign without the field", "PATCH", base + "/assign", map[string]any{}, d.agent, 400},
			{"assign a bad id", "PATCH", base + "/assign", map[string]any{"assignee_id": "x"}, d.agent, 400},
			{"assign a stranger", "PATCH", base + "/assign", map[string]any{"assignee_id": "12345"}, d.owner, 404},
			{"empty message", "POST", base + "/messages", map[string]any{"body": " "}, d.carl, 400},
			{"bad history bound", "GET", base + "/messages?before=-1", nil, d.carl, 400},
			{"bad internal flag", "GET", base + "/messages?internal=maybe", nil, d.agent, 400},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := d.do(tt.method, tt.path, tt.body, tt.who)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
			})
		}
		// A valid update records what changed.
		r := d.do("PATCH", base, map[string]any{"priority": "urgent", "tags": []string{"VIP", "vip"}, "subject": " New "}, d.agent)
		want(t, r, http.StatusOK, "")
		m := r.json(t)
		if m["priority"] != "urgent" || m["subject"] != "New" || len(m["tags"].([]any)) != 1 {
			t.Fatalf("after update: %s", r.body)
		}
	})
}

// TestTicketInbox checks filters, sorts, pagination and that customers list
// only their own tickets.
func TestTicketInbox(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		var ids []string
		for i, who := range []account{d.carl, d.di, d.carl, d.di, d.carl} {
			body := map[string]any{"subject": "Case " + string(rune('a'+i)), "description": "x"}
			if i == 1 {
				body["priority"], body["tags"] = "urgent", []string{"vip"}
			}
			ids = append(ids, d.ticket(t, who, body)["id"].(string))
		}
		want(t, d.do("PATCH", "/api/v1/tickets/"+ids[2]+"/assign", map[string]any{"assignee_id": d.agent.userID}, d.agent), http.StatusOK, "")
		numbers := func(who account, query string) string {
			t.Helper()
			var out []string
			cursor := ""
			for {
				path := "/api/v1/tickets?limit=2&" + query
				if cursor != "" {
					path += "&cursor=" + cursor
				}
				r := d.do("GET", path, nil, who)
				want(t, r, http.StatusOK, "")
				m := r.json(t)
				for _, tk := range m["tickets"].([]any) {
					out = append(out, strings.TrimSuffix(strings.TrimPrefix(tk.(map[string]any)["subject"].(string), "Case "), ""))
				}
				if cursor, _ = m["next_cursor"].(string); cursor == "" {
					return strings.Join(out, "")
				}
			}
		}
		for _, tt := range []struct {
			who         account
			query, want string
		}{
			{d.agent, "", "edcba"},
			{d.agent, "sort=oldest", "abcde"},
			{d.agent, "sort=priority", "bacde"},
			{d.agent, "assignee=me", "c"},
			{d.agent, "assignee=unassigned", "edba"},
			{d.agent, "status=assigned", "c"},
			{d.agent, "status=open,assigned", "edcba"},
			{d.agent, "tag=vip", "b"},
			{d.agent, "priority=urgent", "b"},
			{d.agent, "q=CASE%20D", "d"},
			{d.agent, "q=%231003", "c"},
			{d.agent, "requester_id=" + d.di.userID, "db"},
			{d.carl, "", "eca"},
			{d.carl, "requester_id=" + d.di.userID, "eca"},
			{d.di, "tag=vip", "b"},
		} {
			if got := numbers(tt.who, tt.query); got != tt.want {
				t.Errorf("%s ?%s: got %q, want %q", tt.who.email, tt.query, got, tt.want)
			}
		}
		// A customer naming another's ticket: 404 on every ticket route.
		for _, p := range []string{"", "/messages", "/events", "/messages?internal=true"} {
			want(t, d.do("GET", "/api/v1/tickets/"+ids[1]+p, nil, d.carl), http.StatusNotFound, "not_found")
		}
		want(t, d.do("POST", "/api/v1/tickets/"+ids[1]+"/messages", map[string]any{"body": "hi"}, d.carl), http.StatusNotFound, "not_found")
		want(t, d.do("PATCH", "/api/v1/tickets/"+ids[1]+"/status", map[string]any{"status": "closed"}, d.carl), http.StatusNotFound, "not_found")
	})
}

// TestInternalNotesNeverReachCustomers posts notes and checks every REST
// path a customer has: ticket messages, the notes channel by id, channel
// lists, channel messages and unread counts.
func TestInternalNotesNeverReachCustomers(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		tk := d.ticket(t, d.carl, map[string]any{"description": "Case"})
		base := "/api/v1/tickets/" + tk["id"].(string)
		conv := tk["channel_id"].(string)
		r := d.do("POST", base+"/messages", map[string]any{"body": "secret-note: the customer is wrong", "internal": true}, d.agent)
		want(t, r, http.StatusCreated, "")
		if r.json(t)["internal"] != true {
			t.Fatalf("a note without internal: %s", r.body)
		}
		staffView := d.do("GET", base, nil, d.agent).json(t)
		notes := staffView["notes_channel_id"].(string)
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "public reply"}, d.agent), http.StatusCreated, "")

		// Staff see both streams.
		r = d.do("GET", base+"/messages?internal=true", nil, d.agent)
		want(t, r, http.StatusOK, "")
		if !strings.Contains(r.String(), "secret-note") {
			t.Fatalf("staff do not see the note: %s", r.body)
		}
		// Customers: a note may not be posted or read by any path.
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "x", "internal": true}, d.carl), http.StatusNotFound, "not_found")
		want(t, d.do("GET", base+"/messages?internal=true", nil, d.carl), http.StatusNotFound, "not_found")
		for _, path := range []string{
			base, base + "/messages", "/api/v1/tickets", "/api/v1/channels", "/api/v1/channels?archived=true",
		} {
			r := d.do("GET", path, nil, d.carl)
			want(t, r, http.StatusOK, "")
			if strings.Contains(r.String(), "secret-note") || strings.Contains(r.String(), notes) {
				t.Fatalf("GET %s shows the customer the notes: %s", path, r.body)
			}
		}
		for _, path := range []string{"/api/v1/channels/" + notes, "/api/v1/channels/" + notes + "/messages",
			"/api/v1/channels/" + notes + "/members", "/api/v1/channels/" + conv + "/messages"} {
			want(t, d.do("GET", path, nil, d.carl), http.StatusNotFound, "not_found")
		}
		want(t, d.do("POST", "/api/v1/channels/"+notes+"/read", map[string]any{"seq": 1}, d.carl), http.StatusNotFound, "not_found")
		want(t, d.do("POST", "/api/v1/channels/"+conv+"/messages", map[string]any{"body": "bypass"}, d.carl), http.StatusNotFound, "not_found")
		// Unread counts are the conversation's only: the reply, not the note.
		if got := d.do("GET", base, nil, d.carl).json(t)["unread_count"]; got != float64(1) {
			t.Fatalf("customer's unread = %v, want 1", got)
		}
		// Staff cannot reach ticket channels as channels either.
		want(t, d.do("GET", "/api/v1/channels/"+notes+"/messages", nil, d.owner), http.StatusNotFound, "not_found")
	})
}
