package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// The audit log names what it is about: the target (a ticket by number and
// subject, a connector, a channel's webhook, a removed member as they were
// named), the people and channels its details mention, and what changed
// (from → to) — from the viewer's workspace only.
func TestAuditNames(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{SignupPerIP: 1000})
		owner := e.signup("acme")
		agent := e.join(owner, "gus", "agent")
		cust := e.join(owner, "cal", "customer")
		leaver := e.join(owner, "meg", "member")
		do := func(method, path string, body any, who account) res {
			r := e.do(method, "acme", path, body, bearer(who.token))
			if r.status >= 300 {
				t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
			}
			return r
		}
		tk := do("POST", "/api/v1/tickets", map[string]any{"subject": "Kettle broken", "description": "It never boiled."}, cust).json(t)
		tid := tk["id"].(string)
		do("PATCH", "/api/v1/tickets/"+tid+"/assign", map[string]any{"assignee_id": agent.userID}, owner)
		do("PATCH", "/api/v1/tickets/"+tid, map[string]any{"priority": "high"}, owner)
		do("PATCH", "/api/v1/workspace", map[string]any{"primary_color": "#112233"}, owner)
		general := e.channelNamed(owner, "general")
		gone := do("POST", "/api/v1/channels/"+general+"/incoming-webhooks", map[string]string{"name": "Old hook"}, owner).json(t)
		do("DELETE", "/api/v1/incoming-webhooks/"+gone["id"].(string), nil, owner)
		do("POST", "/api/v1/channels/"+general+"/incoming-webhooks", map[string]string{"name": "Deploy bot"}, owner)
		do("DELETE", "/api/v1/members/"+leaver.userID, nil, owner)

		type event struct {
			Action     string
			TargetID   string            `json:"target_id"`
			TargetName string            `json:"target_name"`
			Names      map[string]string `json:"names"`
			Data       map[string]any
		}
		list := func(who account, sub string) map[string]event {
			r := e.do("GET", sub, "/api/v1/audit", nil, bearer(who.token))
			want(t, r, http.StatusOK, "")
			var body struct{ Events []event }
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			out := map[string]event{}
			for _, ev := range body.Events {
				if _, ok := out[ev.Action]; !ok {
					out[ev.Action] = ev // newest of each action
				}
			}
			return out
		}
		got := list(owner, "acme")
		if ev := got["ticket.assigned"]; ev.TargetName != "#1001 Kettle broken" || ev.Names[agent.userID] != "gus" {
			t.Errorf("ticket.assigned: %+v", ev)
		}
		if ev := got["ticket.updated"]; ev.TargetName != "#1001 Kettle broken" ||
			ev.Data["priority"].(map[string]any)["from"] != "normal" || ev.Data["priority"].(map[string]any)["to"] != "high" {
			t.Errorf("ticket.updated: %+v", ev)
		}
		if ev := got["workspace.branding_changed"]; ev.TargetName != "Acme Inc" || ev.Data["primary_color"].(map[string]any)["to"] != "#112233" {
			t.Errorf("branding: %+v", ev)
		}
		if ev := got["incoming_webhook.created"]; ev.TargetName != "Deploy bot" || ev.Names[general] != "#general" {
			t.Errorf("incoming webhook: %+v", ev)
		}
		if ev := got["incoming_webhook.deleted"]; ev.TargetName != "Old hook" {
			t.Errorf("deleted incoming webhook: %+v", ev)
		}
		if ev := got["member.removed"]; ev.TargetName != "meg" {
			t.Errorf("removed member: %+v", ev)
		}
		if ev := got["member.role_changed"]; ev.TargetID != "" && ev.TargetName == "" {
			t.Errorf("role change unnamed: %+v", ev)
		}

		// Another workspace's event naming acme's ticket and people by id
		// (written straight to the store) gets no name from acme.
		other := e.signup("globex")
		wr := e.do("GET", "globex", "/api/v1/workspace", nil, bearer(other.token))
		want(t, wr, http.StatusOK, "")
		wsj := wr.json(t)
		if w, ok := wsj["workspace"].(map[string]any); ok {
			wsj = w
		}
		gid, err := relay.ParseID(wsj["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		ticketID, _ := relay.ParseID(tid)
		ctx := context.Background()
		for i, ev := range []*relay.AuditEvent{
			{Action: relay.AuditTicketAssigned, TargetKind: relay.AuditTargetTicket, TargetID: ticketID,
				Data: json.RawMessage(`{"from":null,"to":"` + agent.userID + `"}`)},
			{Action: relay.AuditIncomingWebhookCreated, TargetKind: "incoming_webhook", TargetID: 1,
				Data: json.RawMessage(`{"channel_id":"` + general + `","name":"x"}`)},
		} {
			ev.ID, ev.WorkspaceID, ev.CreatedAt = relay.ID(int64(9_000_000_000)+int64(i)), gid, time.Now()
			if err := db.AppendAudit(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		g := list(other, "globex")
		if ev := g["ticket.assigned"]; ev.TargetName != "" || len(ev.Names) != 0 {
			t.Errorf("globex sees acme's names: %+v", ev)
		}
		if ev := g["incoming_webhook.created"]; len(ev.Names) != 0 {
			t.Errorf("globex sees acme's channel: %+v", ev)
		}
	})
}

// openapi.json lists the audit vocabulary exactly (relay.AuditActions).
func TestOpenAPIAuditActions(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas struct {
				AuditEvent struct {
					Properties struct {
						Action struct {
							Enum []string `json:"enum"`
						} `json:"action"`
					} `json:"properties"`
				} `json:"AuditEvent"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapiJSON, &spec); err != nil {
		t.Fatal(err)
	}
	got := spec.Components.Schemas.AuditEvent.Properties.Action.Enum
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(relay.AuditActions))) {
		t.Errorf("AuditEvent.action enum %v\nwant the vocabulary %v", got, relay.AuditActions)
	}
}
