package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// statsTicket describes a ticket row for the dashboard's counts.
type statsTicket struct {
	status, priority string
	assignee         relay.ID
	created          time.Time
	firstResponse    *time.Time // nil: no staff response yet
	resolved         *time.Time
}

// insertStatsTickets writes ticket rows straight into the table (the
// dashboard reads them; how the desk makes them is tested elsewhere).
func insertStatsTickets(t *testing.T, db *store.DB, tn tenant, requester relay.ID, ts []statsTicket) {
	t.Helper()
	for i, tk := range ts {
		conv := mustCreateChannel(t, db, tn, fmt.Sprintf("stats-%d", i), relay.ChannelPrivate)
		notes := mustCreateChannel(t, db, tn, fmt.Sprintf("stats-%d-notes", i), relay.ChannelPrivate)
		var assignee, first, resolved any
		if tk.assignee != 0 {
			assignee = tk.assignee
		}
		if tk.firstResponse != nil {
			first = tk.firstResponse.UnixMicro()
		}
		if tk.resolved != nil {
			resolved = tk.resolved.UnixMicro()
		}
		exec(t, db, `INSERT INTO tickets (id, workspace_id, number, description, status, priority, requester_id,
				assignee_id, channel_id, notes_channel_id, created_at, updated_at, first_response_at, resolved_at, last_activity_at)
			VALUES ($1, $2, $3, 'help', $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $10)`,
			ids.New(), tn.ws.ID, 1001+i, tk.status, tk.priority, requester, assignee, conv.ID, notes.ID,
			tk.created.UnixMicro(), first, resolved)
	}
}

func TestDeskFigures(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		agent := mustMember(t, db, a, "agent@example.com") // an agent
		cust := newUser("cust@example.com")
		mustAddMember(t, db, a, cust, true, relay.RoleCustomer, t0)
		member := newUser("mem@example.com")
		mustAddMember(t, db, a, member, true, relay.RoleMember, t0)

		day := 24 * time.Hour
		today := t0.Truncate(day)
		at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
		insertStatsTickets(t, db, a, cust.ID, []statsTicket{
			{status: "open", priority: "normal", created: t0},
			{status: "assigned", priority: "high", assignee: agent.ID, created: t0.Add(-day), firstResponse: at(-day + 60*time.Second)},
			{status: "resolved", priority: "urgent", assignee: agent.ID, created: t0.Add(-2 * day),
				firstResponse: at(-2*day + 120*time.Second), resolved: at(-day)},
			{status: "closed", priority: "low", assignee: agent.ID, created: t0.Add(-3 * day),
				firstResponse: at(-3*day + 30*time.Second), resolved: at(-3*day + time.Hour)},
			{status: "assigned", priority: "normal", assignee: a.owner.ID, created: t0.Add(-40 * day),
				firstResponse: at(-40*day + 1000*time.Second)}, // outside the 30 days, inside the 90
			{status: "resolved", priority: "normal", created: t0.Add(-200 * day), resolved: at(-150 * day)}, // outside both
		})
		insertStatsTickets(t, db, b, b.owner.ID, []statsTicket{{status: "open", priority: "urgent", created: t0}})

		f, err := db.DeskFigures(ctx, a.ws.ID, today.AddDate(0, 0, -29), t0.AddDate(0, 0, -90), 100)
		must(t, err)
		diff(t, "by status", f.ByStatus, map[string]int{"open": 1, "assigned": 2, "resolved": 2, "closed": 1})
		diff(t, "by priority", f.ByPriority, map[string]int{"low": 1, "normal": 3, "high": 1, "urgent": 1})
		dayOf := func(x time.Time) int64 { return x.Unix() / 86400 }
		diff(t, "created per day", f.CreatedPerDay, map[int64]int{dayOf(t0): 1, dayOf(t0.Add(-day)): 1,
			dayOf(t0.Add(-2 * day)): 1, dayOf(t0.Add(-3 * day)): 1})
		diff(t, "resolved per day", f.ResolvedPerDay, map[int64]int{dayOf(t0.Add(-day)): 1, dayOf(t0.Add(-3 * day)): 1})
		slices.Sort(f.FirstResponse)
		diff(t, "first response samples", f.FirstResponse, []float64{30, 60, 120, 1000})
		slices.Sort(f.Resolution)
		diff(t, "resolution samples", f.Resolution, []float64{3600, 86400})
		diff(t, "users by role", f.UsersByRole, map[relay.Role]int{relay.RoleOwner: 1, relay.RoleAgent: 1,
			relay.RoleCustomer: 1, relay.RoleMember: 1})
		diff(t, "agents, most loaded first", f.Agents, []relay.AgentLoad{
			{User: relay.Author{ID: agent.ID, Kind: relay.AuthorUser, DisplayName: agent.DisplayName, AvatarURL: agent.AvatarURL},
				Role: relay.RoleAgent, OpenLoad: 2},
			{User: relay.Author{ID: a.owner.ID, Kind: relay.AuthorUser, DisplayName: a.owner.DisplayName, AvatarURL: a.owner.AvatarURL},
				Role: relay.RoleOwner, OpenLoad: 1},
		})

		// The sample bound keeps the newest.
		f, err = db.DeskFigures(ctx, a.ws.ID, today, t0.AddDate(0, 0, -90), 2)
		must(t, err)
		slices.Sort(f.FirstResponse)
		diff(t, "two newest first responses", f.FirstResponse, []float64{60, 120})

		// An empty workspace counts nothing, with empty (not nil) results.
		c := mustCreateWorkspace(t, db, "c", "cid@example.com")
		f, err = db.DeskFigures(ctx, c.ws.ID, today, t0.AddDate(0, 0, -90), 100)
		must(t, err)
		if len(f.ByStatus) != 0 || len(f.CreatedPerDay) != 0 || f.FirstResponse == nil || len(f.FirstResponse) != 0 || len(f.Agents) != 1 {
			t.Fatalf("empty workspace figures = %+v", f)
		}
	})
}
