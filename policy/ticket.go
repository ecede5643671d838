package policy

import "github.com/relayhq/relay"

// Support desk actions (docs/desk.md, "Who sees what").
const (
	CreateTicket     Action = "ticket.create"   // OnTicket.Requester: for oneself; otherwise on behalf of someone
	ListTickets      Action = "ticket.list"     // the inbox (customers: their own tickets only)
	ReadTicket       Action = "ticket.read"     // the ticket, its conversation, the ticket:<id> topic
	PostTicket       Action = "ticket.post"     // a message in the conversation
	ReadTicketNotes  Action = "ticket.notes"    // read and post internal notes; staff events
	UpdateTicket     Action = "ticket.update"   // subject, priority, tags
	ReadTicketEvents Action = "ticket.events"   // the ticket's history
	AssignTicket     Action = "ticket.assign"   // OnTicket.TargetSelf / TargetRole name the new assignee
	UnassignTicket   Action = "ticket.unassign" // OnTicket.AssignedToActor when it is oneself
	ResolveTicket    Action = "ticket.resolve"
	ReopenTicket     Action = "ticket.reopen"
	CloseTicket      Action = "ticket.close"
)

// TicketActions lists the desk actions, for exhaustive tests.
var TicketActions = []Action{CreateTicket, ListTickets, ReadTicket, PostTicket, ReadTicketNotes, UpdateTicket,
	ReadTicketEvents, AssignTicket, UnassignTicket, ResolveTicket, ReopenTicket, CloseTicket}

// LifecycleActions are the desk actions that move a ticket's status.
var LifecycleActions = []Action{AssignTicket, UnassignTicket, ResolveTicket, ReopenTicket, CloseTicket}

// OnTicket describes the ticket an action touches.
type OnTicket struct {
	Requester       bool // the actor is the ticket's requester (CreateTicket: the ticket is for the actor)
	Status          relay.TicketStatus
	Assigned        bool // the ticket has an assignee
	AssignedToActor bool // … and it is the actor
	TargetSelf      bool // AssignTicket: the new assignee is the actor
	TargetRole      relay.Role
	TargetDesk      bool // AssignTicket: the new assignee's desk grant (Membership.Desk)
}

// DeskStaff reports whether a member works the desk: agents, admins and
// owners always; members (internal staff without the agent role) only with
// the desk grant (Membership.Desk), which gives exactly an agent's desk
// rights; customers never. It is the one staff predicate of the desk: REST,
// socket joins and the live figures all ask it.
func DeskStaff(r relay.Role, grant bool) bool {
	switch r {
	case relay.RoleOwner, relay.RoleAdmin, relay.RoleAgent:
		return true
	case relay.RoleMember:
		return grant
	}
	return false
}

// DeskActor is DeskStaff for an actor's membership (false when anonymous).
func DeskActor(actor *relay.Actor) bool {
	return actor != nil && actor.Membership != nil && DeskStaff(actor.Membership.Role, actor.Membership.Desk)
}

// CheckTicket decides desk actions (not the lifecycle; see TicketStep). A
// customer naming a ticket that is not theirs, or asking for its notes,
// gets ENOTFOUND: it must not learn that the ticket exists.
func CheckTicket(actor *relay.Actor, act Action, on OnTicket) error {
	if actor == nil || actor.User == nil || actor.Membership == nil {
		return relay.Errorf(relay.EUNAUTHORIZED, "Sign in to continue.")
	}
	role := actor.Membership.Role
	desk := DeskActor(actor)
	admin := role == relay.RoleOwner || role == relay.RoleAdmin
	customer := role == relay.RoleCustomer
	hidden := relay.Errorf(relay.ENOTFOUND, "Ticket not found.")

	if !desk && !customer {
		return forbid("The support desk is for agents, admins and owners, and members an admin gave it to.")
	}
	switch act {
	case CreateTicket:
		if desk || on.Requester {
			return nil
		}
		return forbid("Customers open tickets for themselves only.")
	case ListTickets:
		return nil // customers: the app lists their own only
	}
	if customer && !on.Requester {
		return hidden
	}
	switch act {
	case ReadTicket, PostTicket:
		return nil
	case ReadTicketNotes:
		if desk {
			return nil
		}
		return hidden
	case UpdateTicket, ReadTicketEvents, ResolveTicket, ReopenTicket, CloseTicket:
		if desk {
			return nil
		}
		return forbid("Only agents, admins and owners can change a ticket.")
	case AssignTicket:
		switch {
		case !desk:
			return forbid("Only agents, admins and owners can assign a ticket.")
		case on.TargetRole != "" && !DeskStaff(on.TargetRole, on.TargetDesk):
			return relay.Errorf(relay.EINVALID, "Tickets are assigned to agents, admins, owners or members with the desk.")
		case admin:
			return nil
		case !on.TargetSelf:
			return forbid("Agents can assign tickets to themselves only; ask an admin to assign it to someone else.")
		case on.Assigned && !on.AssignedToActor:
			return forbid("The ticket is assigned to someone else; ask an admin to reassign it.")
		}
		return nil
	case UnassignTicket:
		switch {
		case !desk:
			return forbid("Only agents, admins and owners can unassign a ticket.")
		case admin || !on.Assigned || on.AssignedToActor:
			return nil
		}
		return forbid("Agents can unassign themselves only.")
	}
	return forbid("That action is not allowed.")
}

// Lifecycle returns the status a lifecycle action leads to from `from`
// (hasAssignee: the ticket has one before the action; for AssignTicket it
// gets one), or ECONFLICT with the reason (docs/desk.md, "Lifecycle").
// Assigning or unassigning a resolved ticket changes who holds it and
// leaves it resolved.
func Lifecycle(from relay.TicketStatus, act Action, hasAssignee bool) (relay.TicketStatus, error) {
	conflict := func(msg string) (relay.TicketStatus, error) { return "", relay.Errorf(relay.ECONFLICT, "%s", msg) }
	if from == relay.TicketClosed {
		return conflict("The ticket is closed, and closed is final; open a new ticket that references it.")
	}
	switch act {
	case AssignTicket:
		if from == relay.TicketResolved {
			return relay.TicketResolved, nil
		}
		return relay.TicketAssigned, nil
	case UnassignTicket:
		if !hasAssignee {
			return conflict("The ticket is not assigned to anyone.")
		}
		if from == relay.TicketResolved {
			return relay.TicketResolved, nil
		}
		return relay.TicketOpen, nil
	case ResolveTicket:
		if from == relay.TicketResolved {
			return conflict("The ticket is already resolved.")
		}
		return relay.TicketResolved, nil
	case ReopenTicket:
		if from != relay.TicketResolved {
			return conflict("Only a resolved ticket can be reopened; this one is " + string(from) + ".")
		}
		if hasAssignee {
			return relay.TicketAssigned, nil
		}
		return relay.TicketOpen, nil
	case CloseTicket:
		return relay.TicketClosed, nil
	}
	return conflict("That is not a step of a ticket's lifecycle.")
}

// TicketStep is CheckTicket followed by Lifecycle: who may, and whether
// the ticket's status allows it.
func TicketStep(actor *relay.Actor, act Action, on OnTicket) (relay.TicketStatus, error) {
	if err := CheckTicket(actor, act, on); err != nil {
		return "", err
	}
	return Lifecycle(on.Status, act, on.Assigned)
}
