package store_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func auditEvent(tn tenant, actor relay.ID, action, kind string, target relay.ID, at time.Time) *relay.AuditEvent {
	return &relay.AuditEvent{ID: ids.New(), WorkspaceID: tn.ws.ID, ActorID: actor, Action: action, TargetKind: kind,
		TargetID: target, Data: json.RawMessage(`{"to":"admin"}`), IP: "203.0.113.7", CreatedAt: at}
}

func auditIDs(es []relay.AuditEvent) []relay.ID {
	out := make([]relay.ID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestAudit(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		bob := mustMember(t, db, a, "bob@example.com")

		e1 := auditEvent(a, a.owner.ID, relay.AuditRoleChanged, relay.AuditTargetUser, bob.ID, t0)
		e2 := auditEvent(a, a.owner.ID, relay.AuditInviteCreated, relay.AuditTargetInvite, 77, t0.Add(time.Minute))
		e3 := auditEvent(a, bob.ID, relay.AuditBrandingChanged, relay.AuditTargetWorkspace, a.ws.ID, t0.Add(2*time.Minute))
		e4 := auditEvent(a, 0, relay.AuditInviteAccepted, relay.AuditTargetUser, bob.ID, t0.Add(3*time.Minute))
		e4.Data = nil // stored as {}
		e4.IP = ""
		eb := auditEvent(b, b.owner.ID, relay.AuditRoleChanged, relay.AuditTargetUser, bob.ID, t0.Add(time.Minute))
		for _, e := range []*relay.AuditEvent{e1, e2, e3, e4, eb} {
			must(t, db.AppendAudit(ctx, e))
		}
		wantCode(t, db.AppendAudit(ctx, e1), relay.ECONFLICT, "")
		wantCode(t, db.AppendAudit(ctx, auditEvent(tenant{ws: &relay.Workspace{ID: ids.New()}}, 1, relay.AuditRoleChanged, "", 0, t0)), relay.ENOTFOUND, "")

		all, err := db.ListAudit(ctx, a.ws.ID, relay.AuditFilter{})
		must(t, err)
		diff(t, "whole log, newest first", auditIDs(all), []relay.ID{e4.ID, e3.ID, e2.ID, e1.ID})
		got := all[3]
		want := *e1
		want.Actor = &relay.AuditActor{DisplayName: a.owner.DisplayName, Email: a.owner.Email, AvatarURL: a.owner.AvatarURL}
		want.CreatedAt = t0.Truncate(time.Microsecond)
		diff(t, "a stored event", got, want)
		if all[0].Actor != nil || string(all[0].Data) != "{}" || all[0].IP != "" {
			t.Fatalf("system event = %+v, want no actor, data {}, no ip", all[0])
		}

		tests := []struct {
			name string
			f    relay.AuditFilter
			want []relay.ID
		}{
			{"action", relay.AuditFilter{Action: relay.AuditRoleChanged}, []relay.ID{e1.ID}},
			{"actor", relay.AuditFilter{ActorID: bob.ID}, []relay.ID{e3.ID}},
			{"target kind", relay.AuditFilter{TargetKind: relay.AuditTargetUser}, []relay.ID{e4.ID, e1.ID}},
			{"target", relay.AuditFilter{TargetKind: relay.AuditTargetUser, TargetID: bob.ID}, []relay.ID{e4.ID, e1.ID}},
			{"since (inclusive)", relay.AuditFilter{Since: t0.Add(2 * time.Minute)}, []relay.ID{e4.ID, e3.ID}},
			{"until (exclusive)", relay.AuditFilter{Until: t0.Add(2 * time.Minute)}, []relay.ID{e2.ID, e1.ID}},
			{"window", relay.AuditFilter{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}, []relay.ID{e3.ID, e2.ID}},
			{"limit", relay.AuditFilter{Limit: 2}, []relay.ID{e4.ID, e3.ID}},
			{"cursor", relay.AuditFilter{Before: e3.ID, Limit: 2}, []relay.ID{e2.ID, e1.ID}},
			{"cursor and filter", relay.AuditFilter{Before: e4.ID, TargetKind: relay.AuditTargetUser}, []relay.ID{e1.ID}},
			{"nothing", relay.AuditFilter{Action: relay.AuditTicketAssigned}, []relay.ID{}},
		}
		for _, tt := range tests {
			got, err := db.ListAudit(ctx, a.ws.ID, tt.f)
			must(t, err)
			diff(t, tt.name, auditIDs(got), tt.want)
		}

		// Tenancy: b's log holds only b's event, whatever the filter names.
		got2, err := db.ListAudit(ctx, b.ws.ID, relay.AuditFilter{})
		must(t, err)
		diff(t, "b's log", auditIDs(got2), []relay.ID{eb.ID})
		got2, err = db.ListAudit(ctx, b.ws.ID, relay.AuditFilter{ActorID: a.owner.ID})
		must(t, err)
		diff(t, "b's log by a's actor", auditIDs(got2), []relay.ID{})

		// Removing the actor keeps the record.
		must(t, db.RemoveMember(ctx, a.ws.ID, bob.ID))
		got2, err = db.ListAudit(ctx, a.ws.ID, relay.AuditFilter{ActorID: bob.ID})
		must(t, err)
		diff(t, "a removed member's actions", auditIDs(got2), []relay.ID{e3.ID})

		// Deleting the workspace is the one way rows go.
		must(t, db.DeleteWorkspace(ctx, a.ws.ID))
		if n := count(t, db, `SELECT count(*) FROM audit_events WHERE workspace_id = $1`, a.ws.ID); n != 0 {
			t.Fatalf("%d audit rows outlived their workspace", n)
		}
		if n := count(t, db, `SELECT count(*) FROM audit_events WHERE workspace_id = $1`, b.ws.ID); n != 1 {
			t.Fatalf("b has %d audit rows, want 1", n)
		}
	})
}

// TestAuditAppendOnly pins the contract: the database type has no method
// that names the audit log other than appending and listing (no update, no
// delete). The app's AuditStore interface is pinned likewise in app.
func TestAuditAppendOnly(t *testing.T) {
	dt := reflect.TypeFor[*store.DB]()
	for i := range dt.NumMethod() {
		name := dt.Method(i).Name
		if strings.Contains(strings.ToLower(name), "audit") && name != "AppendAudit" && name != "ListAudit" {
			t.Errorf("store.DB has %s: the audit log must stay append-only", name)
		}
	}
}
