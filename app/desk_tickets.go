package app

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// Desk events.
const (
	// ticket:<id> (the requester and staff)
	EvTicketStatus   = "status:updated"
	EvTicketAssigned = "assigned"
	// desk:<workspace_id> (staff), and ticket:<id>:staff for priority,
	// tags and subject
	EvTicketCreated = "ticket:created"
	EvTicketUpdated = "ticket:updated"
)

// CreateTicketInput is what opening a ticket takes. RequesterID is for
// staff opening a ticket on someone's behalf; customers open their own.
type CreateTicketInput struct {
	Subject     string               `json:"subject"`
	Description string               `json:"description"`
	Priority    relay.TicketPriority `json:"priority"`
	Tags        []string             `json:"tags"`
	RequesterID *relay.ID            `json:"requester_id"`
	ReferenceID *relay.ID            `json:"reference_id"`
}

// TicketQuery is the inbox's query as clients send it (strings, parsed here).
type TicketQuery struct {
	Status      string // one status or several, comma-separated
	Assignee    string // me, unassigned, anyone, or a user id
	Priority    string
	Tag         string
	Text        string
	RequesterID string
	Sort        string
	Cursor      string
	Limit       int
	// Search's: subject or description holds every term, or the number
	// is Number, or the ticket is among IDs (see relay.TicketFilter).
	Terms  []string
	Number int64
	IDs    []relay.ID
}

var tagRE = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// normalizeTags lower-cases, checks and de-duplicates tags (sorted).
func normalizeTags(tags []string) ([]string, error) {
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !tagRE.MatchString(t) {
			return nil, relay.Errorf(relay.EINVALID, "A tag is 1–32 characters of a-z, 0-9, '-' and '_'.")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > relay.MaxTicketTags {
		return nil, relay.Errorf(relay.EINVALID, "A ticket has at most %d tags.", relay.MaxTicketTags)
	}
	slices.Sort(out)
	return out, nil
}

func checkPriority(p relay.TicketPriority) error {
	if p.Rank() < 0 {
		return relay.Errorf(relay.EINVALID, "priority must be low, normal, high or urgent.")
	}
	return nil
}

// ticketView is what the actor may see of t: customers never learn the
// notes channel.
func ticketView(t *relay.Ticket, staff bool) *relay.Ticket {
	if !staff {
		v := *t
		v.NotesChannelID = 0
		return &v
	}
	return t
}

func isDeskStaff(actor *relay.Actor) bool { return policy.DeskActor(actor) }

// ticketOn describes t for the policy, from the actor's side.
func ticketOn(actor *relay.Actor, t *relay.Ticket) policy.OnTicket {
	on := policy.OnTicket{Requester: t.Requester.ID == actor.User.ID, Status: t.Status, Assigned: t.Assignee != nil}
	on.AssignedToActor = on.Assigned && t.Assignee.ID == actor.User.ID
	return on
}

// loadTicket loads a ticket the actor may act on with act; ENOTFOUND when
// it is missing or (for customers) not theirs.
func (a *Desk) loadTicket(ctx context.Context, actor *relay.Actor, id relay.ID, act policy.Action) (*relay.Ticket, policy.OnTicket, error) {
	if actor == nil || actor.Membership == nil || actor.User == nil {
		return nil, policy.OnTicket{}, policy.CheckTicket(actor, act, policy.OnTicket{})
	}
	if !isDeskStaff(actor) && actor.Membership.Role != relay.RoleCustomer {
		return nil, policy.OnTicket{}, policy.CheckTicket(actor, act, policy.OnTicket{})
	}
	t, err := a.store.Ticket(ctx, actor.Workspace.ID, id, actor.User.ID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, policy.OnTicket{}, relay.Errorf(relay.ENOTFOUND, "Ticket not found.")
	} else if err != nil {
		return nil, policy.OnTicket{}, err
	}
	on := ticketOn(actor, t)
	if err := policy.CheckTicket(actor, policy.ReadTicket, on); err != nil {
		return nil, on, err
	}
	if act != policy.ReadTicket {
		if err := policy.CheckTicket(actor, act, on); err != nil {
			return nil, on, err
		}
	}
	return t, on, nil
}

// TicketAccess checks the actor may open a ticket (and its ticket:<id>
// topic): staff reports whether they also see its notes and staff events.
// A customer naming another's ticket gets ENOTFOUND.
func (a *Desk) TicketAccess(ctx context.Context, actor *relay.Actor, ticketID relay.ID) (*relay.Ticket, bool, error) {
	t, _, err := a.loadTicket(ctx, actor, ticketID, policy.ReadTicket)
	if err != nil {
		return nil, false, err
	}
	staff := isDeskStaff(actor)
	return ticketView(t, staff), staff, nil
}

// TicketCatchUp is CatchUp for a ticket's conversation, or (notes, staff
// only) its internal notes, for the socket's ticket:<id> joins.
func (a *Desk) TicketCatchUp(ctx context.Context, actor *relay.Actor, ticketID relay.ID, notes bool, lastSeq, lastChange int64) (*CatchUp, error) {
	act := policy.ReadTicket
	if notes {
		act = policy.ReadTicketNotes
	}
	t, _, err := a.loadTicket(ctx, actor, ticketID, act)
	if err != nil {
		return nil, err
	}
	id := t.ChannelID
	if notes {
		id = t.NotesChannelID
	}
	c, err := a.store.ChannelAccess(ctx, actor.Workspace.ID, id, 0)
	if err != nil {
		return nil, err
	}
	return a.msg.catchUp(ctx, c, lastSeq, lastChange)
}

// CreateTicket opens a ticket: for the actor, or, for staff, on behalf of
// a member of the workspace (requester_id).
func (a *Desk) CreateTicket(ctx context.Context, actor *relay.Actor, in CreateTicketInput) (*relay.Ticket, error) {
	if actor == nil || actor.User == nil || actor.Membership == nil {
		return nil, policy.CheckTicket(actor, policy.CreateTicket, policy.OnTicket{})
	}
	requester := actor.User.ID
	if in.RequesterID != nil && *in.RequesterID != 0 {
		requester = *in.RequesterID
	}
	if err := policy.CheckTicket(actor, policy.CreateTicket, policy.OnTicket{Requester: requester == actor.User.ID}); err != nil {
		return nil, err
	}
	if requester != actor.User.ID {
		ms, err := a.store.MembersByID(ctx, actor.Workspace.ID, []relay.ID{requester})
		if err != nil {
			return nil, err
		}
		if _, ok := ms[requester]; !ok {
			return nil, relay.Errorf(relay.ENOTFOUND, "The requester is not a member of this workspace.")
		}
	}
	subject, err := normalizeText("subject", in.Subject, relay.MaxTicketSubjectRunes)
	if err != nil {
		return nil, err
	}
	desc := strings.TrimSpace(in.Description)
	switch {
	case desc == "":
		return nil, relay.Errorf(relay.EINVALID, "A description of the case is required.")
	case !utf8.ValidString(desc) || strings.ContainsRune(desc, 0):
		return nil, relay.Errorf(relay.EINVALID, "The description is not valid text.")
	case utf8.RuneCountInString(desc) > relay.MaxTicketDescriptionLen:
		return nil, relay.Errorf(relay.EINVALID, "The description may be at most %d characters.", relay.MaxTicketDescriptionLen)
	}
	if in.Priority == "" {
		in.Priority = relay.PriorityNormal
	}
	if err := checkPriority(in.Priority); err != nil {
		return nil, err
	}
	tags, err := normalizeTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if in.ReferenceID != nil {
		ref, _, err := a.loadTicket(ctx, actor, *in.ReferenceID, policy.ReadTicket)
		if err != nil {
			return nil, relay.Errorf(relay.ENOTFOUND, "The ticket this one follows up was not found.")
		}
		if ref.Status != relay.TicketClosed {
			return nil, relay.Errorf(relay.ECONFLICT, "Only a closed ticket can be followed up by a new one; this one is %s.", ref.Status)
		}
	}
	now := a.Now()
	t := &relay.Ticket{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, Subject: subject, Description: desc,
		Status: relay.TicketOpen, Priority: in.Priority, Requester: relay.Person{ID: requester}, Tags: tags,
		ReferenceID: in.ReferenceID, CreatedAt: now}
	conv := &relay.Channel{ID: a.ids.New(), CreatedAt: now}
	notes := &relay.Channel{ID: a.ids.New(), CreatedAt: now}
	ev := a.ticketEvent(actor, relay.TicketEventCreated, nil, nil)
	if err := a.store.CreateTicket(ctx, t, conv, notes, ev); err != nil {
		return nil, err
	}
	out, err := a.store.Ticket(ctx, actor.Workspace.ID, t.ID, actor.User.ID)
	if err != nil {
		return nil, err
	}
	a.publish(ctx, out.WorkspaceID, relay.DeskTopic(out.WorkspaceID), EvTicketCreated, out, 0, 0)
	a.statsChanged(ctx, out.WorkspaceID)
	a.webhooks.ticketCreatedEvent(ctx, out)
	return ticketView(out, isDeskStaff(actor)), nil
}

// ticketEvent builds an event of the actor (nil: the system) with from/to data.
func (a *Desk) ticketEvent(actor *relay.Actor, kind string, from, to any) *relay.TicketEvent {
	ev := &relay.TicketEvent{ID: a.ids.New(), Kind: kind, CreatedAt: a.Now(), Data: json.RawMessage(`{}`)}
	if actor != nil && actor.User != nil {
		ev.Actor = &relay.Person{ID: actor.User.ID, DisplayName: actor.User.DisplayName, AvatarURL: actor.User.AvatarURL}
	}
	if from != nil || to != nil {
		if b, err := json.Marshal(map[string]any{"from": from, "to": to}); err == nil {
			ev.Data = b
		}
	}
	return ev
}

// GetTicket returns one ticket the actor may see.
func (a *Desk) GetTicket(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Ticket, error) {
	t, _, err := a.TicketAccess(ctx, actor, id)
	return t, err
}

// ListTickets returns a page of the inbox (staff) or of the customer's own
// tickets.
func (a *Desk) ListTickets(ctx context.Context, actor *relay.Actor, q TicketQuery) (*relay.TicketPage, error) {
	if err := policy.CheckTicket(actor, policy.ListTickets, policy.OnTicket{}); err != nil {
		return nil, err
	}
	f := relay.TicketFilter{Tag: strings.ToLower(strings.TrimSpace(q.Tag)), Text: q.Text, Sort: q.Sort, Cursor: q.Cursor,
		Limit: q.Limit, Viewer: actor.User.ID, Terms: q.Terms, Number: q.Number, IDs: q.IDs}
	if q.Limit < 0 || q.Limit > 100 {
		return nil, relay.Errorf(relay.EINVALID, "limit must be between 1 and 100.")
	}
	if utf8.RuneCountInString(q.Text) > 200 || !utf8.ValidString(q.Text) {
		return nil, relay.Errorf(relay.EINVALID, "The search text must be valid text of at most 200 characters.")
	}
	if q.Status != "" {
		for _, s := range strings.Split(q.Status, ",") {
			st := relay.TicketStatus(strings.TrimSpace(s))
			if !st.Valid() {
				return nil, relay.Errorf(relay.EINVALID, "status must be open, assigned, resolved or closed.")
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	switch q.Assignee {
	case "", relay.AssigneeAnyone:
	case relay.AssigneeUnassigned:
		f.Unassigned = true
	case relay.AssigneeMe:
		f.AssigneeID = actor.User.ID
	default:
		id, err := relay.ParseID(q.Assignee)
		if err != nil || id <= 0 {
			return nil, relay.Errorf(relay.EINVALID, "assignee must be me, unassigned, anyone or a user id.")
		}
		f.AssigneeID = id
	}
	if q.Priority != "" {
		f.Priority = relay.TicketPriority(q.Priority)
		if err := checkPriority(f.Priority); err != nil {
			return nil, err
		}
	}
	if q.RequesterID != "" {
		id, err := relay.ParseID(q.RequesterID)
		if err != nil || id <= 0 {
			return nil, relay.Errorf(relay.EINVALID, "requester_id must be a user id.")
		}
		f.RequesterID = id
	}
	switch f.Sort {
	case "", relay.TicketSortNewest, relay.TicketSortOldest, relay.TicketSortActivity, relay.TicketSortPriority:
	default:
		return nil, relay.Errorf(relay.EINVALID, "sort must be newest, oldest, activity or priority.")
	}
	staff := isDeskStaff(actor)
	if !staff {
		f.RequesterID = actor.User.ID // customers list their own tickets, whatever they ask
	}
	page, err := a.store.ListTickets(ctx, actor.Workspace.ID, f)
	if err != nil {
		return nil, err
	}
	if !staff {
		for i := range page.Tickets {
			page.Tickets[i].NotesChannelID = 0
		}
	}
	return page, nil
}

// UpdateTicket changes a ticket's subject, priority or tags (staff).
func (a *Desk) UpdateTicket(ctx context.Context, actor *relay.Actor, id relay.ID, upd relay.TicketUpdate) (*relay.Ticket, error) {
	t, _, err := a.loadTicket(ctx, actor, id, policy.UpdateTicket)
	if err != nil {
		return nil, err
	}
	if upd.Subject == nil && upd.Priority == nil && upd.Tags == nil {
		return nil, relay.Errorf(relay.EINVALID, "Nothing to change: send subject, priority or tags.")
	}
	if t.Status == relay.TicketClosed {
		return nil, relay.Errorf(relay.ECONFLICT, "The ticket is closed, and closed is final.")
	}
	var events []*relay.TicketEvent
	var changed relay.TicketUpdate
	if upd.Subject != nil {
		s, err := normalizeText("subject", *upd.Subject, relay.MaxTicketSubjectRunes)
		if err != nil {
			return nil, err
		}
		if s != t.Subject {
			changed.Subject = &s
			events = append(events, a.ticketEvent(actor, relay.TicketEventSubject, t.Subject, s))
		}
	}
	if upd.Priority != nil {
		if err := checkPriority(*upd.Priority); err != nil {
			return nil, err
		}
		if *upd.Priority != t.Priority {
			changed.Priority = upd.Priority
			events = append(events, a.ticketEvent(actor, relay.TicketEventPriority, t.Priority, *upd.Priority))
		}
	}
	if upd.Tags != nil {
		tags, err := normalizeTags(*upd.Tags)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(tags, t.Tags) {
			changed.Tags = &tags
			events = append(events, a.ticketEvent(actor, relay.TicketEventTags, t.Tags, tags))
		}
	}
	if len(events) == 0 {
		return t, nil
	}
	out, err := a.store.UpdateTicket(ctx, actor.Workspace.ID, t.ID, changed, events, a.Now())
	if err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditTicketUpdated, auditTicket, t.ID, ticketUpdateAudit(events))
	a.publish(ctx, out.WorkspaceID, relay.TicketStaffTopic(out.ID), EvTicketUpdated, out, 0, 0)
	a.publish(ctx, out.WorkspaceID, relay.DeskTopic(out.WorkspaceID), EvTicketUpdated, out, 0, 0)
	return a.reloadFor(ctx, actor, out)
}

// reloadFor reads t again with the actor's unread count.
func (a *Desk) reloadFor(ctx context.Context, actor *relay.Actor, t *relay.Ticket) (*relay.Ticket, error) {
	out, err := a.store.Ticket(ctx, actor.Workspace.ID, t.ID, actor.User.ID)
	if err != nil {
		return nil, err
	}
	return ticketView(out, isDeskStaff(actor)), nil
}

// TicketEvents returns a ticket's history (staff).
func (a *Desk) TicketEvents(ctx context.Context, actor *relay.Actor, id relay.ID) ([]relay.TicketEvent, error) {
	t, _, err := a.loadTicket(ctx, actor, id, policy.ReadTicketEvents)
	if err != nil {
		return nil, err
	}
	return a.store.TicketEvents(ctx, actor.Workspace.ID, t.ID)
}
