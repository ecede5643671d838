package app

import (
	"context"
	"time"

	"github.com/relayhq/relay"
)

// TicketStore is the persistence of the support desk. It follows the same
// contract as Store (one transaction per call, workspace explicit,
// ENOTFOUND/ECONFLICT codes, microsecond times).
type TicketStore interface {
	// CreateTicket, in ONE transaction: takes the workspace's next ticket
	// number (workspaces.ticket_seq, first 1001) into t.Number, creates the
	// conversation channel conv (named "ticket-<number>", the requester its
	// member) and the notes channel notes ("ticket-<number>-notes", no
	// members), and inserts t (ChannelID, NotesChannelID set from them),
	// its tags and ev (kind created). The requester must be a member of
	// the workspace (ENOTFOUND). t.ReferenceID must name a ticket of the
	// workspace (ENOTFOUND).
	CreateTicket(ctx context.Context, t *relay.Ticket, conv, notes *relay.Channel, ev *relay.TicketEvent) error
	// Ticket returns one ticket with its people, tags and last message
	// preview and, for viewer (0: none), their read state (ReadSeq, Unread,
	// UnreadCount); ENOTFOUND if the workspace has no such ticket.
	Ticket(ctx context.Context, workspaceID, ticketID, viewer relay.ID) (*relay.Ticket, error)
	// TicketByChannel returns the ticket whose conversation or notes
	// channel is channelID; ENOTFOUND when it is not a ticket's.
	TicketByChannel(ctx context.Context, workspaceID, channelID relay.ID) (*relay.Ticket, error)
	// ListTickets returns a page of the workspace's tickets matching f, in
	// f.Sort order, after f.Cursor (opaque, from the previous page; a
	// malformed one or one of another sort is EINVALID).
	ListTickets(ctx context.Context, workspaceID relay.ID, f relay.TicketFilter) (*relay.TicketPage, error)
	// ChangeTicket applies ch as one conditional UPDATE plus its event, and
	// returns the ticket after it. A ticket not matching ch.From or
	// ch.ExpectAssignee is ECONFLICT and nothing changes. Entering resolved
	// sets resolved_at, leaving it clears it; entering closed sets closed_at.
	ChangeTicket(ctx context.Context, workspaceID, ticketID relay.ID, ch relay.TicketChange) (*relay.Ticket, error)
	// UpdateTicket applies the non-nil fields of upd (validated; tags
	// replace the set) and appends events, in one transaction, unless the
	// ticket is closed (ECONFLICT).
	UpdateTicket(ctx context.Context, workspaceID, ticketID relay.ID, upd relay.TicketUpdate, events []*relay.TicketEvent, now time.Time) (*relay.Ticket, error)
	// TicketActivity records a conversation or notes message at `at`:
	// last_activity_at moves forward to it, and when staffResponse is set
	// first_response_at is set unless it already is.
	TicketActivity(ctx context.Context, workspaceID, ticketID relay.ID, at time.Time, staffResponse bool) error
	// MarkTicketRead moves userID's read cursor of the ticket's
	// conversation (ticket_reads) to seq, clamped to the conversation's
	// last seq; it never moves backwards (changed is false then). The
	// caller checks the user may read the ticket. ENOTFOUND if the
	// workspace has no such ticket.
	MarkTicketRead(ctx context.Context, workspaceID, ticketID, userID relay.ID, seq int64) (changed bool, err error)
	// TicketEvents returns the ticket's events, oldest first.
	TicketEvents(ctx context.Context, workspaceID, ticketID relay.ID) ([]relay.TicketEvent, error)
}

// deskStore is what the Desk is handed: its own stores and the few reads
// of channels, messages and members it needs.
type deskStore interface {
	workspaceReader // the message rate limit's settings (messaging_rate.go)
	TicketStore
	StatsStore
	CustomerStore
	AuditStore
	ChannelAccess(ctx context.Context, workspaceID, channelID, userID relay.ID) (*relay.Channel, error)
	History(ctx context.Context, workspaceID, channelID relay.ID, q relay.HistoryQuery) ([]relay.Message, error)
	MembersByID(ctx context.Context, workspaceID relay.ID, userIDs []relay.ID) (map[relay.ID]relay.Member, error)
	Membership(ctx context.Context, workspaceID, userID relay.ID) (*relay.Membership, error)
	// For naming the audit log's targets (desk_audit_names.go).
	Channel(ctx context.Context, workspaceID, channelID, viewer relay.ID) (*relay.Channel, error)
	Connector(ctx context.Context, workspaceID, id relay.ID) (*relay.Connector, error)
	Subscription(ctx context.Context, workspaceID, id relay.ID) (*relay.WebhookSubscription, error)
}
