package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// The dashboard's windows and bounds.
const (
	StatsDays = 30 // days of created/resolved counts, today included
	// Medians are taken over the tickets of the last StatsSampleDays, at
	// most StatsMaxSamples of the newest: bounded work however old the desk.
	StatsSampleDays = 90
	StatsMaxSamples = 10000
	// DefaultStatsDebounce coalesces stats:updated events per workspace.
	DefaultStatsDebounce = time.Second
)

// EvStatsUpdated on desk:<workspace_id> tells dashboards the figures
// changed: ticket figures (Reason "tickets"; refetch GET /admin/stats) or
// the live ones (Reason "live"; the payload carries them).
const EvStatsUpdated = "stats:updated"

// StatsUpdatedEvent is the payload of stats:updated.
type StatsUpdatedEvent struct {
	Reason string `json:"reason"` // "tickets" or "live"
	LiveFigures
}

// The ticket statuses and priorities the dashboard counts (docs/desk.md).
var (
	statsStatuses   = []string{"open", "assigned", "resolved", "closed"}
	statsPriorities = []string{"low", "normal", "high", "urgent"}
)

// StatsStore counts the desk.
type StatsStore interface {
	// DeskFigures counts the workspace's tickets and members in one
	// consistent read: totals by status and priority; tickets created and
	// resolved per UTC day from dayStart on; the seconds to first response
	// and to resolution of at most maxSamples of the newest tickets created
	// (first response) or resolved (resolution) since sampleStart; every
	// agent, admin and owner with the number of tickets assigned to them
	// that are not closed (most loaded first); members per role.
	DeskFigures(ctx context.Context, workspaceID relay.ID, dayStart, sampleStart time.Time, maxSamples int) (*relay.DeskFigures, error)
}

// DayCount is one day of the dashboard's chart.
type DayCount struct {
	Date     string `json:"date"` // YYYY-MM-DD, UTC
	Created  int    `json:"created"`
	Resolved int    `json:"resolved"`
}

// DeskStats is GET /api/v1/admin/stats.
type DeskStats struct {
	ByStatus   map[string]int `json:"by_status"`
	ByPriority map[string]int `json:"by_priority"`
	Daily      []DayCount     `json:"daily"` // StatsDays entries, oldest first, zero-filled
	// Medians in seconds; null while there is nothing to measure.
	MedianFirstResponseSeconds *float64           `json:"median_first_response_seconds"`
	MedianResolutionSeconds    *float64           `json:"median_resolution_seconds"`
	Agents                     []relay.AgentLoad  `json:"agents"`
	UsersByRole                map[relay.Role]int `json:"users_by_role"`
	// The live figures (connected_clients, connected_agents,
	// active_ticket_rooms) are top-level fields.
	LiveFigures
	GeneratedAt time.Time `json:"generated_at"`
}

// DeskStats returns the admin dashboard's figures (owners and admins).
func (a *Desk) DeskStats(ctx context.Context, actor *relay.Actor) (*DeskStats, error) {
	if err := policy.Check(actor, policy.ViewDeskStats, policy.Target{}); err != nil {
		return nil, err
	}
	now := a.Now()
	today := now.Truncate(24 * time.Hour) // UTC midnight: times here are UTC
	first := today.AddDate(0, 0, -(StatsDays - 1))
	f, err := a.store.DeskFigures(ctx, actor.Workspace.ID, first, now.AddDate(0, 0, -StatsSampleDays), StatsMaxSamples)
	if err != nil {
		return nil, err
	}
	live, err := a.live.Live(ctx, actor.Workspace.ID)
	if err != nil {
		// The stored figures are still worth showing.
		a.log.WarnContext(ctx, "live stats", "workspace_id", actor.Workspace.ID, "err", err)
	}
	s := &DeskStats{ByStatus: map[string]int{}, ByPriority: map[string]int{}, UsersByRole: map[relay.Role]int{},
		Agents: f.Agents, LiveFigures: live, GeneratedAt: now}
	for _, k := range statsStatuses {
		s.ByStatus[k] = f.ByStatus[k]
	}
	for _, k := range statsPriorities {
		s.ByPriority[k] = f.ByPriority[k]
	}
	for _, r := range relay.Roles {
		s.UsersByRole[r] = f.UsersByRole[r]
	}
	for d := first; !d.After(today); d = d.AddDate(0, 0, 1) {
		day := d.Unix() / 86400
		s.Daily = append(s.Daily, DayCount{Date: d.Format(time.DateOnly), Created: f.CreatedPerDay[day], Resolved: f.ResolvedPerDay[day]})
	}
	s.MedianFirstResponseSeconds = median(f.FirstResponse)
	s.MedianResolutionSeconds = median(f.Resolution)
	if s.Agents == nil {
		s.Agents = []relay.AgentLoad{}
	}
	return s, nil
}

// median is the middle value (the mean of the two middle ones for an even
// count), or nil for no values. It sorts xs.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + m) / 2
	}
	return &m
}

func deskTopic(ws relay.ID) string { return "desk:" + ws.String() }

// statsDebouncer coalesces stats:updated per workspace: the first change
// schedules one event after the delay; changes meanwhile ride along.
type statsDebouncer struct {
	delay time.Duration
	// after runs f once d has passed: time.AfterFunc; tests replace it to
	// end the interval themselves.
	after   func(d time.Duration, f func())
	mu      sync.Mutex
	pending map[relay.ID]string // workspace → reason ("tickets" wins over "live")
}

func newStatsDebouncer(delay time.Duration) *statsDebouncer {
	return &statsDebouncer{delay: delay, pending: map[relay.ID]string{},
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// statsChanged tells dashboards that the ticket figures of the workspace
// changed (a ticket created, resolved, reopened, closed or reassigned):
// at most one stats:updated per workspace per debounce interval.
// The desk's ticket code calls it after committing.
func (a *Desk) statsChanged(ctx context.Context, wsID relay.ID) {
	a.statsNotify(ctx, wsID, "tickets")
}

func (a *Desk) statsNotify(ctx context.Context, wsID relay.ID, reason string) {
	d := a.stats
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, ok := d.pending[wsID]; ok {
		if reason == "tickets" || prev == "" {
			d.pending[wsID] = reason
		}
		return
	}
	d.pending[wsID] = reason
	ctx = context.WithoutCancel(ctx)
	d.after(d.delay, func() {
		d.mu.Lock()
		reason := d.pending[wsID]
		delete(d.pending, wsID)
		d.mu.Unlock()
		live, err := a.live.Live(ctx, wsID)
		if err != nil {
			a.log.WarnContext(ctx, "live stats", "workspace_id", wsID, "err", err)
		}
		a.publish(ctx, wsID, deskTopic(wsID), EvStatsUpdated, StatsUpdatedEvent{Reason: reason, LiveFigures: live}, 0, 0)
	})
}
