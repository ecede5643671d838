package app

import (
	"context"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// TicketPostInput is what posting on a ticket takes. Internal posts an
// internal note (staff only) to the notes channel instead of the
// conversation.
type TicketPostInput struct {
	Body        string `json:"body"`
	ClientMsgID string `json:"client_msg_id"`
	Internal    bool   `json:"internal"`
}

// TicketMessages returns a page of a ticket's conversation or, with
// internal (staff only), of its internal notes.
func (a *Desk) TicketMessages(ctx context.Context, actor *relay.Actor, id relay.ID, internal bool, q relay.HistoryQuery) ([]relay.Message, error) {
	act := policy.ReadTicket
	if internal {
		act = policy.ReadTicketNotes
	}
	t, _, err := a.loadTicket(ctx, actor, id, act)
	if err != nil {
		return nil, err
	}
	if err := checkHistoryQuery(&q); err != nil {
		return nil, err
	}
	channel := t.ChannelID
	if internal {
		channel = t.NotesChannelID
	}
	return a.store.History(ctx, actor.Workspace.ID, channel, q)
}

// PostTicketMessage posts in a ticket's conversation (the requester and
// staff) or, internal, in its notes (staff). A staff message in the
// conversation sets first_response_at the first time; every message moves
// last_activity_at; the requester's reply reopens a resolved ticket.
func (a *Desk) PostTicketMessage(ctx context.Context, actor *relay.Actor, id relay.ID, in TicketPostInput) (*relay.Message, error) {
	act := policy.PostTicket
	if in.Internal {
		act = policy.ReadTicketNotes
	}
	t, on, err := a.loadTicket(ctx, actor, id, act)
	if err != nil {
		return nil, err
	}
	if err := validateBody(in.Body); err != nil {
		return nil, err
	}
	if in.ClientMsgID != "" && !clientMsgIDRE.MatchString(in.ClientMsgID) {
		return nil, relay.Errorf(relay.EINVALID, "client_msg_id must be 1–64 characters of letters, digits and . _ : -")
	}
	if t.Status == relay.TicketClosed && !in.Internal {
		return nil, relay.Errorf(relay.ECONFLICT, "The ticket is closed; open a new ticket that references it.")
	}
	if err := a.checkMessageRate(ctx, a.store, actor); err != nil {
		return nil, err
	}
	channel := t.ChannelID
	if in.Internal {
		channel = t.NotesChannelID
	}
	u := actor.User
	// Ticket messages mention nobody: notes must never notify a customer,
	// and the conversation has no member list to complete names from.
	m := &relay.Message{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, ChannelID: channel, TicketID: t.ID,
		Author: relay.Author{ID: u.ID, Kind: relay.AuthorUser, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL},
		Source: relay.SourceInternal, Body: in.Body, ClientMsgID: in.ClientMsgID, Internal: in.Internal, CreatedAt: a.Now()}
	res, err := a.msg.seq.post(ctx, m)
	if err != nil {
		return nil, err
	}
	if res.Existing {
		return res.Message, nil
	}
	if !in.Internal {
		// Whoever writes in the conversation has read it (as in channels).
		if _, err := a.store.MarkTicketRead(ctx, t.WorkspaceID, t.ID, u.ID, res.Message.Seq); err != nil {
			a.log.WarnContext(ctx, "ticket read", "ticket_id", t.ID, "err", err)
		}
	}
	staffReply := isDeskStaff(actor) && !in.Internal && !on.Requester
	if err := a.store.TicketActivity(ctx, t.WorkspaceID, t.ID, res.Message.CreatedAt, staffReply); err != nil {
		a.log.WarnContext(ctx, "ticket activity", "ticket_id", t.ID, "err", err)
	}
	if on.Requester && !in.Internal && t.Status == relay.TicketResolved {
		to, _ := policy.Lifecycle(t.Status, policy.ReopenTicket, t.Assignee != nil)
		if _, err := a.changeStatus(ctx, actor, t, to, true); err != nil && relay.ErrorCode(err) != relay.ECONFLICT {
			a.log.WarnContext(ctx, "reopen ticket", "ticket_id", t.ID, "err", err)
		}
		return res.Message, nil
	}
	if nt, err := a.store.Ticket(ctx, t.WorkspaceID, t.ID, 0); err == nil {
		a.publish(ctx, nt.WorkspaceID, relay.DeskTopic(nt.WorkspaceID), EvTicketUpdated, nt, 0, 0)
	}
	return res.Message, nil
}

// MarkTicketRead records that the actor (the requester or staff) has read
// the ticket's conversation up to seq, and returns the ticket as they now
// see it. The cursor never moves backwards; seq beyond the conversation's
// last message is clamped to it. Nothing is published: read state is the
// reader's own.
func (a *Desk) MarkTicketRead(ctx context.Context, actor *relay.Actor, id relay.ID, seq int64) (*relay.Ticket, error) {
	t, _, err := a.loadTicket(ctx, actor, id, policy.ReadTicket)
	if err != nil {
		return nil, err
	}
	if seq < 0 {
		return nil, relay.Errorf(relay.EINVALID, "seq must be a message seq (0 or more).")
	}
	if _, err := a.store.MarkTicketRead(ctx, actor.Workspace.ID, t.ID, actor.User.ID, seq); err != nil {
		return nil, err
	}
	return a.reloadFor(ctx, actor, t)
}
