package store_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// newTicket is a ticket of requester at `at`, with its two channels and
// created event, ready for CreateTicket.
func newTicket(ws relay.ID, requester *relay.User, subject string, at time.Time, tags ...string) (*relay.Ticket, *relay.Channel, *relay.Channel, *relay.TicketEvent) {
	t := &relay.Ticket{ID: ids.New(), WorkspaceID: ws, Subject: subject, Description: "About " + subject,
		Requester: relay.Person{ID: requester.ID}, Tags: tags, CreatedAt: at}
	conv := &relay.Channel{ID: ids.New(), CreatedAt: at}
	notes := &relay.Channel{ID: ids.New(), CreatedAt: at}
	ev := &relay.TicketEvent{ID: ids.New(), Actor: &relay.Person{ID: requester.ID}, Kind: relay.TicketEventCreated,
		Data: json.RawMessage(`{}`), CreatedAt: at}
	return t, conv, notes, ev
}

func mustTicket(t *testing.T, db *store.DB, ws relay.ID, requester *relay.User, subject string, at time.Time, tags ...string) *relay.Ticket {
	t.Helper()
	tk, conv, notes, ev := newTicket(ws, requester, subject, at, tags...)
	if err := db.CreateTicket(ctx, tk, conv, notes, ev); err != nil {
		t.Fatalf("CreateTicket(%s): %v", subject, err)
	}
	return tk
}

func mustCustomer(t *testing.T, db *store.DB, tn tenant, email string) *relay.User {
	t.Helper()
	u := newUser(email)
	mustAddMember(t, db, tn, u, true, relay.RoleCustomer, t0)
	return u
}

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")

		first := mustTicket(t, db, a.ws.ID, carl, "Printer", t0, "billing", "hw")
		second := mustTicket(t, db, a.ws.ID, carl, "Scanner", t0.Add(time.Second))
		other := mustTicket(t, db, b.ws.ID, b.owner, "Elsewhere", t0)
		if first.Number != 1001 || second.Number != 1002 || other.Number != 1001 {
			t.Fatalf("numbers = %d, %d, %d (other workspace), want 1001, 1002, 1001", first.Number, second.Number, other.Number)
		}
		got, err := db.Ticket(ctx, a.ws.ID, first.ID, carl.ID)
		must(t, err)
		if got.Status != relay.TicketOpen || got.Priority != relay.PriorityNormal || got.Requester.DisplayName != carl.DisplayName ||
			got.Assignee != nil || len(got.Tags) != 2 || got.Tags[0] != "billing" || !got.CreatedAt.Equal(normalTime(t0)) ||
			!got.LastActivityAt.Equal(got.CreatedAt) {
			t.Fatalf("Ticket = %+v", got)
		}
		conv, err := db.Channel(ctx, a.ws.ID, got.ChannelID, carl.ID)
		must(t, err)
		if conv.Kind != relay.ChannelTicket || conv.Name != "ticket-1001" || !conv.IsMember || conv.MemberCount != 1 {
			t.Fatalf("conversation = %+v", conv)
		}
		notes, err := db.Channel(ctx, a.ws.ID, got.NotesChannelID, carl.ID)
		must(t, err)
		if notes.Kind != relay.ChannelTicket || notes.Name != "ticket-1001-notes" || notes.IsMember || notes.MemberCount != 0 {
			t.Fatalf("notes = %+v", notes)
		}
		evs, err := db.TicketEvents(ctx, a.ws.ID, first.ID)
		must(t, err)
		if len(evs) != 1 || evs[0].Kind != relay.TicketEventCreated || evs[0].Actor == nil || evs[0].Actor.ID != carl.ID {
			t.Fatalf("events = %+v", evs)
		}
		byChan, err := db.TicketByChannel(ctx, a.ws.ID, got.NotesChannelID)
		must(t, err)
		if byChan.ID != first.ID {
			t.Fatalf("TicketByChannel(notes) = %d, want %d", byChan.ID, first.ID)
		}

		// Another workspace's ids are not found; a requester who is not a
		// member is refused and nothing (number, channels) is left behind.
		_, err = db.Ticket(ctx, b.ws.ID, first.ID, 0)
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.TicketEvents(ctx, b.ws.ID, first.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.TicketByChannel(ctx, b.ws.ID, got.ChannelID)
		wantCode(t, err, relay.ENOTFOUND, "")
		before := rowCounts(t, db, a.ws.ID)
		bad, conv2, notes2, ev := newTicket(a.ws.ID, b.owner, "Stranger", t0)
		wantCode(t, db.CreateTicket(ctx, bad, conv2, notes2, ev), relay.ENOTFOUND, "")
		diff(t, "rows after a refused ticket", rowCounts(t, db, a.ws.ID), before)
		third := mustTicket(t, db, a.ws.ID, carl, "Next", t0)
		if third.Number != 1003 {
			t.Fatalf("number after a refused ticket = %d, want 1003", third.Number)
		}
		// A follow-up references a ticket of the workspace only.
		ref, conv3, notes3, ev3 := newTicket(a.ws.ID, carl, "Follow-up", t0)
		ref.ReferenceID = ptr(other.ID)
		wantCode(t, db.CreateTicket(ctx, ref, conv3, notes3, ev3), relay.ENOTFOUND, "")
		ref.ReferenceID = ptr(first.ID)
		must(t, db.CreateTicket(ctx, ref, conv3, notes3, ev3))

		// Deleting the workspace takes its tickets along.
		must(t, db.DeleteWorkspace(ctx, a.ws.ID))
		diff(t, "rows after delete", rowCounts(t, db, a.ws.ID), noRows())
	})
}

func normalTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

func TestChangeTicket(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")
		agent := mustMember(t, db, a, "ed@example.com")
		tk := mustTicket(t, db, a.ws.ID, carl, "Printer", t0)
		ev := func(kind string) *relay.TicketEvent {
			return &relay.TicketEvent{ID: ids.New(), Actor: &relay.Person{ID: agent.ID}, Kind: kind, Data: json.RawMessage(`{"to":"x"}`), CreatedAt: t0}
		}
		open := []relay.TicketStatus{relay.TicketOpen}
		got, err := db.ChangeTicket(ctx, a.ws.ID, tk.ID, relay.TicketChange{From: open, ExpectAssignee: ptr(relay.ID(0)),
			Status: relay.TicketAssigned, Assign: true, AssigneeID: agent.ID, Event: ev(relay.TicketEventAssigned), Now: t0.Add(time.Minute)})
		must(t, err)
		if got.Status != relay.TicketAssigned || got.Assignee == nil || got.Assignee.ID != agent.ID || got.Assignee.DisplayName != agent.DisplayName {
			t.Fatalf("after assign: %+v", got)
		}
		// The same step again no longer matches: ECONFLICT, no event.
		_, err = db.ChangeTicket(ctx, a.ws.ID, tk.ID, relay.TicketChange{From: open, Status: relay.TicketAssigned,
			Assign: true, AssigneeID: agent.ID, Event: ev(relay.TicketEventAssigned), Now: t0})
		wantCode(t, err, relay.ECONFLICT, "")
		_, err = db.ChangeTicket(ctx, a.ws.ID, ids.New(), relay.TicketChange{From: open, Status: relay.TicketResolved, Now: t0})
		wantCode(t, err, relay.ENOTFOUND, "")
		// assigned without an assignee breaks the table's rule.
		_, err = db.ChangeTicket(ctx, a.ws.ID, tk.ID, relay.TicketChange{Assign: true, Now: t0})
		wantCode(t, err, relay.ECONFLICT, "")

		got, err = db.ChangeTicket(ctx, a.ws.ID, tk.ID, relay.TicketChange{From: []relay.TicketStatus{relay.TicketAssigned},
			Status: relay.TicketResolved, Event: ev(relay.TicketEventStatus), Now: t0.Add(2 * time.Minute)})
		must(t, err)
		if got.ResolvedAt == nil || !got.ResolvedAt.Equal(normalTime(t0.Add(2*time.Minute))) {
			t.Fatalf("resolved_at = %v", got.ResolvedAt)
		}
		got, err = db.ChangeTicket(ctx, a.ws.ID, tk.ID, relay.TicketChange{From: []relay.TicketStatus{relay.TicketResolved},
			Status: relay.TicketClosed, Event: ev(relay.TicketEventStatus), Now: t0.Add(3 * time.Minute)})
		must(t, err)
		if got.ClosedAt == nil || got.Status != relay.TicketClosed {
			t.Fatalf("after close: %+v", got)
		}
		evs, err := db.TicketEvents(ctx, a.ws.ID, tk.ID)
		must(t, err)
		if len(evs) != 4 {
			t.Fatalf("events = %d, want 4 (created, assigned, resolved, closed)", len(evs))
		}
		// A closed ticket takes no updates.
		_, err = db.UpdateTicket(ctx, a.ws.ID, tk.ID, relay.TicketUpdate{Subject: ptr("x")}, nil, t0)
		wantCode(t, err, relay.ECONFLICT, "")
	})
}

// Concurrent transitions from the same state: exactly one wins.
func TestChangeTicketConcurrent(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")
		tk := mustTicket(t, db, a.ws.ID, carl, "Race", t0)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = db.ChangeTicket(ctx, a.ws.ID, tk.ID, relay.TicketChange{From: []relay.TicketStatus{relay.TicketOpen},
					Status: relay.TicketResolved, Now: t0,
					Event: &relay.TicketEvent{ID: ids.New(), Kind: relay.TicketEventStatus, CreatedAt: t0}})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch relay.ErrorCode(err) {
			case "":
				wins++
			case relay.ECONFLICT:
			default:
				t.Fatalf("ChangeTicket: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d transitions won, want 1", wins)
		}
		evs, err := db.TicketEvents(ctx, a.ws.ID, tk.ID)
		must(t, err)
		if len(evs) != 2 {
			t.Fatalf("events = %d, want 2", len(evs))
		}
	})
}

func TestUpdateTicketAndActivity(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")
		tk := mustTicket(t, db, a.ws.ID, carl, "Printer", t0, "a")
		tags := []string{"b", "c"}
		got, err := db.UpdateTicket(ctx, a.ws.ID, tk.ID, relay.TicketUpdate{Subject: ptr("Laser printer"),
			Priority: ptr(relay.PriorityUrgent), Tags: &tags},
			[]*relay.TicketEvent{{ID: ids.New(), Kind: relay.TicketEventSubject, CreatedAt: t0}}, t0.Add(time.Hour))
		must(t, err)
		if got.Subject != "Laser printer" || got.Priority != relay.PriorityUrgent || len(got.Tags) != 2 || got.Tags[1] != "c" {
			t.Fatalf("after update: %+v", got)
		}
		// Activity only moves forward; the first staff response sticks.
		must(t, db.TicketActivity(ctx, a.ws.ID, tk.ID, t0.Add(2*time.Hour), false))
		must(t, db.TicketActivity(ctx, a.ws.ID, tk.ID, t0.Add(time.Hour), true))
		must(t, db.TicketActivity(ctx, a.ws.ID, tk.ID, t0.Add(3*time.Hour), true))
		got, err = db.Ticket(ctx, a.ws.ID, tk.ID, 0)
		must(t, err)
		if !got.LastActivityAt.Equal(normalTime(t0.Add(3*time.Hour))) || got.FirstResponseAt == nil ||
			!got.FirstResponseAt.Equal(normalTime(t0.Add(time.Hour))) {
			t.Fatalf("activity %v, first response %v", got.LastActivityAt, got.FirstResponseAt)
		}
		wantCode(t, db.TicketActivity(ctx, a.ws.ID, ids.New(), t0, false), relay.ENOTFOUND, "")
	})
}

func TestListTickets(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")
		dora := mustCustomer(t, db, a, "dora@example.com")
		agent := mustMember(t, db, a, "ed@example.com")
		mustTicket(t, db, b.ws.ID, b.owner, "Other workspace", t0)
		var all []*relay.Ticket
		for i := range 7 {
			req := carl
			if i%2 == 1 {
				req = dora
			}
			var tags []string
			if i%3 == 0 {
				tags = []string{"vip"}
			}
			all = append(all, mustTicket(t, db, a.ws.ID, req, "Case "+string(rune('A'+i)), t0.Add(time.Duration(i)*time.Minute), tags...))
		}
		_, err := db.UpdateTicket(ctx, a.ws.ID, all[2].ID, relay.TicketUpdate{Priority: ptr(relay.PriorityUrgent)}, nil, t0)
		must(t, err)
		_, err = db.UpdateTicket(ctx, a.ws.ID, all[5].ID, relay.TicketUpdate{Priority: ptr(relay.PriorityHigh)}, nil, t0)
		must(t, err)
		_, err = db.ChangeTicket(ctx, a.ws.ID, all[1].ID, relay.TicketChange{Status: relay.TicketAssigned, Assign: true, AssigneeID: agent.ID, Now: t0})
		must(t, err)
		must(t, db.TicketActivity(ctx, a.ws.ID, all[0].ID, t0.Add(time.Hour), false))

		numbers := func(f relay.TicketFilter) []int64 {
			t.Helper()
			var out []int64
			for {
				page, err := db.ListTickets(ctx, a.ws.ID, f)
				must(t, err)
				for _, tk := range page.Tickets {
					out = append(out, tk.Number)
				}
				if page.NextCursor == "" {
					return out
				}
				f.Cursor = page.NextCursor
			}
		}
		tests := []struct {
			name string
			f    relay.TicketFilter
			want []int64
		}{
			{"newest, pages of 2", relay.TicketFilter{Limit: 2}, []int64{1007, 1006, 1005, 1004, 1003, 1002, 1001}},
			{"oldest, pages of 3", relay.TicketFilter{Sort: relay.TicketSortOldest, Limit: 3}, []int64{1001, 1002, 1003, 1004, 1005, 1006, 1007}},
			{"activity", relay.TicketFilter{Sort: relay.TicketSortActivity, Limit: 2}, []int64{1001, 1007, 1006, 1005, 1004, 1003, 1002}},
			{"priority", relay.TicketFilter{Sort: relay.TicketSortPriority, Limit: 2}, []int64{1003, 1006, 1001, 1002, 1004, 1005, 1007}},
			{"requester", relay.TicketFilter{RequesterID: dora.ID}, []int64{1006, 1004, 1002}},
			{"status", relay.TicketFilter{Statuses: []relay.TicketStatus{relay.TicketAssigned}}, []int64{1002}},
			{"assignee", relay.TicketFilter{AssigneeID: agent.ID}, []int64{1002}},
			{"unassigned", relay.TicketFilter{Unassigned: true, Limit: 3}, []int64{1007, 1006, 1005, 1004, 1003, 1001}},
			{"priority filter", relay.TicketFilter{Priority: relay.PriorityUrgent}, []int64{1003}},
			{"tag", relay.TicketFilter{Tag: "vip"}, []int64{1007, 1004, 1001}},
			{"text in subject, any case", relay.TicketFilter{Text: "case c"}, []int64{1003}},
			{"text number", relay.TicketFilter{Text: "#1005"}, []int64{1005}},
			{"text with LIKE characters", relay.TicketFilter{Text: "%"}, nil},
		}
		for _, tt := range tests {
			if got := numbers(tt.f); !equalInts(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		// A cursor of another sort, or garbage, is refused.
		page, err := db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Limit: 1})
		must(t, err)
		_, err = db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Sort: relay.TicketSortPriority, Cursor: page.NextCursor})
		wantCode(t, err, relay.EINVALID, "")
		_, err = db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Cursor: "!!"})
		wantCode(t, err, relay.EINVALID, "")
		_, err = db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Sort: "sideways"})
		wantCode(t, err, relay.EINVALID, "")
	})
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
