package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestTicketPreviewAndReads: the inbox row's last message preview (never a
// note) and each person's unread marker, moved by POST /tickets/{id}/read
// and by writing in the conversation.
func TestTicketPreviewAndReads(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		tk := d.ticket(t, d.carl, map[string]any{"subject": "Printer", "description": "It prints blank pages."})
		id := tk["id"].(string)
		base := "/api/v1/tickets/" + id
		if tk["last_message"] != nil || tk["unread"] != false || tk["read_seq"] != float64(0) {
			t.Fatalf("new ticket: %v", tk)
		}
		get := func(who account) map[string]any {
			t.Helper()
			r := d.do("GET", base, nil, who)
			want(t, r, http.StatusOK, "")
			return r.json(t)
		}
		row := func(who account) map[string]any {
			t.Helper()
			r := d.do("GET", "/api/v1/tickets", nil, who)
			want(t, r, http.StatusOK, "")
			for _, x := range r.json(t)["tickets"].([]any) {
				if x := x.(map[string]any); x["id"] == id {
					return x
				}
			}
			t.Fatalf("ticket not in %s's list: %s", who.email, r.body)
			return nil
		}

		want(t, d.do("POST", base+"/messages", map[string]any{"body": "Hello\n\nanyone   there?"}, d.carl), http.StatusCreated, "")
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "secret-note", "internal": true}, d.agent), http.StatusCreated, "")
		for _, tk := range []map[string]any{get(d.agent), row(d.agent), get(d.carl), row(d.carl)} {
			lm, _ := tk["last_message"].(map[string]any)
			if lm == nil || lm["body"] != "Hello anyone there?" || lm["author"].(map[string]any)["display_name"] != "carl" || lm["created_at"] == nil {
				t.Fatalf("last_message = %v", tk["last_message"])
			}
		}
		// The writer has read it; staff have not.
		if c := get(d.carl); c["unread"] != false || c["unread_count"] != float64(0) {
			t.Fatalf("carl after writing: %v", c)
		}
		a := row(d.agent)
		if a["unread"] != true || a["unread_count"] != float64(1) || a["read_seq"] != float64(0) {
			t.Fatalf("agent's row before reading: %v", a)
		}
		seq := a["last_seq"].(float64)

		r := d.do("POST", base+"/read", map[string]any{"seq": seq}, d.agent)
		want(t, r, http.StatusOK, "")
		if m := r.json(t); m["unread"] != false || m["read_seq"] != seq || m["notes_channel_id"] == nil {
			t.Fatalf("after read: %s", r.body)
		}
		// Never backwards.
		r = d.do("POST", base+"/read", map[string]any{"seq": 0}, d.agent)
		want(t, r, http.StatusOK, "")
		if r.json(t)["read_seq"] != seq {
			t.Fatalf("read went backwards: %s", r.body)
		}
		if a := row(d.agent); a["unread"] != false {
			t.Fatalf("agent's row after reading: %v", a)
		}
		// Per person: the owner has not read it.
		if o := row(d.owner); o["unread"] != true {
			t.Fatalf("owner's row: %v", o)
		}
		// The agent's reply: unread for the customer, not for the agent.
		want(t, d.do("POST", base+"/messages", map[string]any{"body": "On it."}, d.agent), http.StatusCreated, "")
		if c := row(d.carl); c["unread"] != true || c["unread_count"] != float64(1) || c["last_message"].(map[string]any)["body"] != "On it." {
			t.Fatalf("carl's row after the reply: %v", c)
		}
		if a := get(d.agent); a["unread"] != false {
			t.Fatalf("agent after replying: %v", a)
		}
		r = d.do("POST", base+"/read", map[string]any{"seq": 1000}, d.carl)
		want(t, r, http.StatusOK, "")
		if m := r.json(t); m["unread"] != false || m["notes_channel_id"] != nil || strings.Contains(r.String(), "secret-note") {
			t.Fatalf("carl after reading: %s", r.body)
		}

		for _, tt := range []struct {
			name   string
			path   string
			body   any
			who    account
			status int
		}{
			{"no seq", base + "/read", map[string]any{}, d.agent, 400},
			{"negative seq", base + "/read", map[string]any{"seq": -1}, d.agent, 400},
			{"seq not a number", base + "/read", map[string]any{"seq": "3"}, d.agent, 400},
			{"unknown field", base + "/read", map[string]any{"seq": 1, "all": true}, d.agent, 400},
			{"bad id", "/api/v1/tickets/abc/read", map[string]any{"seq": 1}, d.agent, 404},
			{"unknown id", "/api/v1/tickets/12345/read", map[string]any{"seq": 1}, d.agent, 404},
			{"another customer's ticket", base + "/read", map[string]any{"seq": 1}, d.di, 404},
			{"member", base + "/read", map[string]any{"seq": 1}, d.member, 403},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if r := d.do("POST", tt.path, tt.body, tt.who); r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
			})
		}
		// di's attempt left no read state of hers on carl's ticket, and her list does not show it.
		r = d.do("GET", "/api/v1/tickets", nil, d.di)
		want(t, r, http.StatusOK, "")
		if strings.Contains(r.String(), id) || strings.Contains(r.String(), "On it.") {
			t.Fatalf("di's list shows carl's ticket: %s", r.body)
		}
	})
}
