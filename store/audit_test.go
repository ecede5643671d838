package store_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func auditEvent(tn tenant, actor relay.ID, action, kind string, target relay.ID, at time.Time) *app.AuditEvent {
	return &app.AuditEvent{ID: ids.New(), WorkspaceID: tn.ws.ID, ActorID: actor, Action: action, TargetKind: kind,
		TargetID: target, Data: json.RawMessage(`{"to":"admin"}`), IP: "203.0.113.7", CreatedAt: at}
}

func auditIDs(es []app.AuditEvent) []relay.ID {
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

		e1 := auditEvent(a, a.owner.ID, app.AuditRoleChanged, app.AuditTargetUser, bob.ID, t0)
		e2 := auditEvent(a, a.owner.ID, app.AuditInviteCreated, app.AuditTargetInvite, 77, t0.Add(time.Minute))
		e3 := auditEvent(a, bob.ID, app.AuditBrandingChanged, app.AuditTargetWorkspace, a.ws.ID, t0.Add(2*time.Minute))
		e4 := auditEvent(a, 0, app.AuditInviteAccepted, app.AuditTargetUser, bob.ID, t0.Add(3*time.Minute))
		e4.Data = nil // stored as {}
		e4.IP = ""
		eb := auditEvent(b, b.owner.ID, app.AuditRoleChanged, app.AuditTargetUser, bob.ID, t0.Add(time.Minute))
		for _, e := range []*app.AuditEvent{e1, e2, e3, e4, eb} {
			must(t, db.AppendAudit(ctx, e))
		}
		wantCode(t, db.AppendAudit(ctx, e1), relay.ECONFLICT, "")
		wantCode(t, db.AppendAudit(ctx, auditEvent(tenant{ws: &relay.Workspace{ID: ids.New()}}, 1, app.AuditRoleChanged, "", 0, t0)), relay.ENOTFOUND, "")

		all, err := db.ListAudit(ctx, a.ws.ID, app.AuditFilter{})
		must(t, err)
		diff(t, "whole log, newest first", auditIDs(all), []relay.ID{e4.ID, e3.ID, e2.ID, e1.ID})
		got := all[3]
		want := *e1
		want.Actor = &app.AuditActor{DisplayName: a.owner.DisplayName, Email: a.owner.Email, AvatarURL: a.owner.AvatarURL}
		want.CreatedAt = t0.Truncate(time.Microsecond)
		diff(t, "a stored event", got, want)
		if all[0].Actor != nil || string(all[0].Data) != "{}" || all[0].IP != "" {
			t.Fatalf("system event = %+v, want no actor, data {}, no ip", all[0])
		}

		tests := []struct {
			name string
			f    app.AuditFilter
			want []relay.ID
		}{
			{"action", app.AuditFilter{Action: app.AuditRoleChanged}, []relay.ID{e1.ID}},
			{"actor", app.AuditFilter{ActorID: bob.ID}, []relay.ID{e3.ID}},
			{"target kind", app.AuditFilter{TargetKind: app.AuditTargetUser}, []relay.ID{e4.ID, e1.ID}},
			{"target", app.AuditFilter{TargetKind: app.AuditTargetUser, TargetID: bob.ID}, []relay.ID{e4.ID, e1.ID}},
			{"since (inclusive)", app.AuditFilter{Since: t0.Add(2 * time.Minute)}, []relay.ID{e4.ID, e3.ID}},
			{"until (exclusive)", app.AuditFilter{Until: t0.Add(2 * time.Minute)}, []relay.ID{e2.ID, e1.ID}},
			{"window", app.AuditFilter{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}, []relay.ID{e3.ID, e2.ID}},
			{"limit", app.AuditFilter{Limit: 2}, []relay.ID{e4.ID, e3.ID}},
			{"cursor", app.AuditFilter{Before: e3.ID, Limit: 2}, []relay.ID{e2.ID, e1.ID}},
			{"cursor and filter", app.AuditFilter{Before: e4.ID, TargetKind: app.AuditTargetUser}, []relay.ID{e1.ID}},
			{"nothing", app.AuditFilter{Action: app.AuditTicketAssigned}, []relay.ID{}},
		}
		for _, tt := range tests {
			got, err := db.ListAudit(ctx, a.ws.ID, tt.f)
			must(t, err)
			diff(t, tt.name, auditIDs(got), tt.want)
		}

		// Tenancy: b's log holds only b's event, whatever the filter names.
		got2, err := db.ListAudit(ctx, b.ws.ID, app.AuditFilter{})
		must(t, err)
		diff(t, "b's log", auditIDs(got2), []relay.ID{eb.ID})
		got2, err = db.ListAudit(ctx, b.ws.ID, app.AuditFilter{ActorID: a.owner.ID})
		must(t, err)
		diff(t, "b's log by a's actor", auditIDs(got2), []relay.ID{})

		// Removing the actor keeps the record.
		must(t, db.RemoveMember(ctx, a.ws.ID, bob.ID))
		got2, err = db.ListAudit(ctx, a.ws.ID, app.AuditFilter{ActorID: bob.ID})
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

// TestAuditAppendOnly pins the contract: the audit store offers appending
// and listing, nothing else, and the database type has no other method
// that names the audit log (no update, no delete).
func TestAuditAppendOnly(t *testing.T) {
	var methods []string
	it := reflect.TypeFor[app.AuditStore]()
	for i := range it.NumMethod() {
		methods = append(methods, it.Method(i).Name)
	}
	sort.Strings(methods)
	diff(t, "app.AuditStore methods", methods, []string{"AppendAudit", "ListAudit"})
	dt := reflect.TypeFor[*store.DB]()
	for i := range dt.NumMethod() {
		name := dt.Method(i).Name
		if strings.Contains(strings.ToLower(name), "audit") && name != "AppendAudit" && name != "ListAudit" {
			t.Errorf("store.DB has %s: the audit log must stay append-only", name)
		}
	}
}
