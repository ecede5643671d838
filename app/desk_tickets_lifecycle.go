package app

import (
	"context"
	"fmt"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// auditTicket is the audit target kind of desk actions.
const auditTicket = "ticket"

// SetTicketStatus moves a ticket through its lifecycle (staff): "resolved",
// "closed", or "open"/"assigned" to reopen a resolved one (it returns to
// assigned when it has an assignee). Illegal steps are ECONFLICT with the
// reason.
func (a *Desk) SetTicketStatus(ctx context.Context, actor *relay.Actor, id relay.ID, status relay.TicketStatus) (*relay.Ticket, error) {
	var act policy.Action
	switch status {
	case relay.TicketResolved:
		act = policy.ResolveTicket
	case relay.TicketClosed:
		act = policy.CloseTicket
	case relay.TicketOpen, relay.TicketAssigned:
		act = policy.ReopenTicket
	default:
		return nil, relay.Errorf(relay.EINVALID, "status must be open, assigned, resolved or closed.")
	}
	t, on, err := a.loadTicket(ctx, actor, id, policy.ReadTicket)
	if err != nil {
		return nil, err
	}
	if act == policy.ReopenTicket && t.Status != relay.TicketResolved && t.Status != relay.TicketClosed {
		if t.Status == status {
			return nil, relay.Errorf(relay.ECONFLICT, "The ticket is already %s.", status)
		}
		return nil, relay.Errorf(relay.ECONFLICT, "Only a resolved ticket can be reopened; assign or unassign it with /assign.")
	}
	to, err := policy.TicketStep(actor, act, on)
	if err != nil {
		return nil, err
	}
	return a.changeStatus(ctx, actor, t, to, false)
}

// changeStatus applies a status change of t decided by the caller, posts
// its system line and tells the ticket's and the desk's watchers. auto
// marks the automatic reopen when the requester replies.
func (a *Desk) changeStatus(ctx context.Context, actor *relay.Actor, t *relay.Ticket, to relay.TicketStatus, auto bool) (*relay.Ticket, error) {
	expect := relay.ID(0)
	if t.Assignee != nil {
		expect = t.Assignee.ID
	}
	out, err := a.store.ChangeTicket(ctx, t.WorkspaceID, t.ID, relay.TicketChange{From: []relay.TicketStatus{t.Status},
		ExpectAssignee: &expect, Status: to, Event: a.ticketEvent(actor, relay.TicketEventStatus, t.Status, to), Now: a.Now()})
	if err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditTicketStatus, auditTicket, t.ID, map[string]any{"from": t.Status, "to": to, "automatic": auto})
	line := fmt.Sprintf("%s changed the status from %s to %s.", actor.User.DisplayName, t.Status, to)
	switch {
	case auto:
		line = fmt.Sprintf("%s replied, so the ticket was reopened (%s).", actor.User.DisplayName, to)
	case to == relay.TicketResolved:
		line = actor.User.DisplayName + " resolved the ticket."
	case to == relay.TicketClosed:
		line = actor.User.DisplayName + " closed the ticket."
	case t.Status == relay.TicketResolved:
		line = fmt.Sprintf("%s reopened the ticket (%s).", actor.User.DisplayName, to)
	}
	a.ticketChanged(ctx, out, EvTicketStatus, line)
	a.webhooks.ticketStatusEvent(ctx, out, t.Status, out.Status)
	return a.reloadFor(ctx, actor, out)
}

// AssignTicket gives the ticket to assigneeID, or (nil) takes it from its
// assignee. Agents take tickets for themselves and give up their own;
// admins and owners assign any agent, admin or owner, or a member with the
// desk grant.
func (a *Desk) AssignTicket(ctx context.Context, actor *relay.Actor, id relay.ID, assigneeID *relay.ID) (*relay.Ticket, error) {
	t, on, err := a.loadTicket(ctx, actor, id, policy.ReadTicket)
	if err != nil {
		return nil, err
	}
	act := policy.UnassignTicket
	var target *relay.Member
	if assigneeID != nil && *assigneeID != 0 {
		act = policy.AssignTicket
		on.TargetSelf = *assigneeID == actor.User.ID
		if isDeskStaff(actor) {
			ms, err := a.store.MembersByID(ctx, actor.Workspace.ID, []relay.ID{*assigneeID})
			if err != nil {
				return nil, err
			}
			m, ok := ms[*assigneeID]
			if !ok {
				return nil, relay.Errorf(relay.ENOTFOUND, "That user is not a member of this workspace.")
			}
			target, on.TargetRole, on.TargetDesk = &m, m.Role, m.Desk
		}
		if t.Assignee != nil && t.Assignee.ID == *assigneeID {
			if err := policy.CheckTicket(actor, act, on); err != nil {
				return nil, err
			}
			if t.Status == relay.TicketClosed {
				_, err := policy.Lifecycle(t.Status, act, true)
				return nil, err
			}
			return ticketView(t, true), nil // already theirs
		}
	}
	to, err := policy.TicketStep(actor, act, on)
	if err != nil {
		return nil, err
	}
	expect := relay.ID(0)
	var from any
	if t.Assignee != nil {
		expect, from = t.Assignee.ID, t.Assignee.ID
	}
	kind, newID := relay.TicketEventUnassigned, relay.ID(0)
	var toID any
	if target != nil {
		kind, newID, toID = relay.TicketEventAssigned, target.User.ID, target.User.ID
	}
	out, err := a.store.ChangeTicket(ctx, t.WorkspaceID, t.ID, relay.TicketChange{From: []relay.TicketStatus{t.Status},
		ExpectAssignee: &expect, Status: to, Assign: true, AssigneeID: newID,
		Event: a.ticketEvent(actor, kind, from, toID), Now: a.Now()})
	if err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditTicketAssigned, auditTicket, t.ID, map[string]any{"from": from, "to": toID})
	var line string
	switch {
	case target == nil && t.Assignee != nil && t.Assignee.ID == actor.User.ID:
		line = actor.User.DisplayName + " unassigned themselves."
	case target == nil:
		line = fmt.Sprintf("%s unassigned %s.", actor.User.DisplayName, t.Assignee.DisplayName)
	case on.TargetSelf:
		line = actor.User.DisplayName + " took the ticket."
	default:
		line = fmt.Sprintf("%s assigned the ticket to %s.", actor.User.DisplayName, target.User.DisplayName)
	}
	a.ticketChanged(ctx, out, EvTicketAssigned, line)
	a.webhooks.ticketStatusEvent(ctx, out, t.Status, out.Status) // open ↔ assigned
	return a.reloadFor(ctx, actor, out)
}

// ticketChanged posts a system line in the conversation and publishes the
// change: ev on ticket:<id> (the customer's view) and ticket:updated on
// the desk.
func (a *Desk) ticketChanged(ctx context.Context, t *relay.Ticket, ev, line string) {
	if err := a.postSystemLine(ctx, t, line); err != nil {
		a.log.WarnContext(ctx, "ticket system line", "ticket_id", t.ID, "err", err)
	}
	a.publish(ctx, t.WorkspaceID, relay.TicketTopic(t.ID), ev, ticketView(t, false), 0, 0)
	a.publish(ctx, t.WorkspaceID, relay.DeskTopic(t.WorkspaceID), EvTicketUpdated, t, 0, 0)
	a.statsChanged(ctx, t.WorkspaceID) // totals by status, open loads, resolution times
}

// postSystemLine posts a line from the system (author kind system, source
// system) in the ticket's conversation, through the sequencer like any post.
func (a *Desk) postSystemLine(ctx context.Context, t *relay.Ticket, body string) error {
	m := &relay.Message{ID: a.ids.New(), WorkspaceID: t.WorkspaceID, ChannelID: t.ChannelID, TicketID: t.ID,
		Author: relay.Author{Kind: relay.AuthorSystem, DisplayName: "Relay"}, Source: relay.SourceSystem,
		Body: body, CreatedAt: a.Now()}
	_, err := a.msg.seq.post(ctx, m)
	return err
}
