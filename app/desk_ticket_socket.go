package app

import (
	"context"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// TicketCounters returns the current counters (newest seq and change) of a
// ticket's conversation or (notes, staff only) of its internal notes, read
// fresh: the socket's ticket:<id> join reads them after subscribing, as a
// channel join reads ChannelAccess, to answer the join and to start its
// seq order guard when the client asks for no catch-up.
func (a *Desk) TicketCounters(ctx context.Context, actor *relay.Actor, ticketID relay.ID, notes bool) (lastSeq, lastChange int64, err error) {
	act := policy.ReadTicket
	if notes {
		act = policy.ReadTicketNotes
	}
	t, _, err := a.loadTicket(ctx, actor, ticketID, act)
	if err != nil {
		return 0, 0, err
	}
	id := t.ChannelID
	if notes {
		id = t.NotesChannelID
	}
	c, err := a.store.ChannelAccess(ctx, actor.Workspace.ID, id, 0)
	if err != nil {
		return 0, 0, err
	}
	return c.LastSeq, c.LastChange, nil
}
