package relay

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// TicketStatus is where a ticket is in its lifecycle (docs/desk.md).
type TicketStatus string

// Ticket statuses. closed is final.
const (
	TicketOpen     TicketStatus = "open"
	TicketAssigned TicketStatus = "assigned"
	TicketResolved TicketStatus = "resolved"
	TicketClosed   TicketStatus = "closed"
)

// TicketStatuses lists every status, in lifecycle order.
var TicketStatuses = []TicketStatus{TicketOpen, TicketAssigned, TicketResolved, TicketClosed}

// Valid reports whether s is one of TicketStatuses.
func (s TicketStatus) Valid() bool {
	return s == TicketOpen || s == TicketAssigned || s == TicketResolved || s == TicketClosed
}

// TicketPriority orders tickets in the inbox.
type TicketPriority string

// Ticket priorities, lowest first.
const (
	PriorityLow    TicketPriority = "low"
	PriorityNormal TicketPriority = "normal"
	PriorityHigh   TicketPriority = "high"
	PriorityUrgent TicketPriority = "urgent"
)

// TicketPriorities lists every priority, lowest first.
var TicketPriorities = []TicketPriority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Rank orders priorities: low 0 … urgent 3; -1 for an unknown one.
func (p TicketPriority) Rank() int {
	for i, x := range TicketPriorities {
		if x == p {
			return i
		}
	}
	return -1
}

// Ticket limits.
const (
	MaxTicketTags           = 10
	MaxTicketTagRunes       = 32
	MaxTicketSubjectRunes   = 200
	MaxTicketDescriptionLen = 8000
	FirstTicketNumber       = 1001
)

// Person is how tickets and their events show people: never an email, so
// the same payload can go to customers and staff.
type Person struct {
	ID          ID     `json:"id"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

// Ticket is a support case. Its conversation (ChannelID) holds the chat the
// requester sees; its notes channel (NotesChannelID) the staff-only
// internal notes. The description is the case summary, not a chat message.
type Ticket struct {
	ID              ID             `json:"id"`
	WorkspaceID     ID             `json:"workspace_id"`
	Number          int64          `json:"number"`
	Subject         string         `json:"subject"`
	Description     string         `json:"description"`
	Status          TicketStatus   `json:"status"`
	Priority        TicketPriority `json:"priority"`
	Requester       Person         `json:"requester"`
	Assignee        *Person        `json:"assignee"`
	Tags            []string       `json:"tags"`
	ChannelID       ID             `json:"channel_id"`
	NotesChannelID  ID             `json:"notes_channel_id,omitempty"` // zeroed for customers
	ReferenceID     *ID            `json:"reference_id"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	FirstResponseAt *time.Time     `json:"first_response_at"`
	ResolvedAt      *time.Time     `json:"resolved_at"`
	ClosedAt        *time.Time     `json:"closed_at"`
	LastActivityAt  time.Time      `json:"last_activity_at"`
	// LastMessage is the newest conversation message people wrote (never
	// an internal note, a system line or a deleted message); nil when there
	// is none yet.
	LastMessage *TicketPreview `json:"last_message"`
	// LastSeq is the conversation's newest message seq (system lines
	// included). ReadSeq, Unread and UnreadCount are the viewer's (the
	// requester or any staff member; ticket_reads): how far they have read
	// the conversation, whether LastSeq is beyond it (never read: unread
	// as soon as there is a message), and how many conversation messages
	// are after it. Zero for no viewer (desk events).
	LastSeq     int64 `json:"last_seq"`
	ReadSeq     int64 `json:"read_seq"`
	Unread      bool  `json:"unread"`
	UnreadCount int64 `json:"unread_count"`
}

// MaxTicketPreviewRunes is how much of the last message a ticket carries.
const MaxTicketPreviewRunes = 140

// TicketPreview is the inbox row's glimpse of the newest conversation
// message: who, when, and its text on one line, at most
// MaxTicketPreviewRunes runes (cut text ends with "…").
type TicketPreview struct {
	Seq       int64     `json:"seq"`
	Author    Person    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// PreviewText makes body a one-line preview of at most max runes:
// whitespace runs (newlines included) become one space, and cut text ends
// with "…".
func PreviewText(body string, max int) string {
	s := strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " ") + "…"
}

// Ticket event kinds (ticket_events.kind).
const (
	TicketEventCreated    = "created"
	TicketEventAssigned   = "assigned"
	TicketEventUnassigned = "unassigned"
	TicketEventStatus     = "status"
	TicketEventPriority   = "priority"
	TicketEventTags       = "tags"
	TicketEventSubject    = "subject"
)

// TicketEvent is one entry of a ticket's append-only history. Data is JSON
// with "from" and "to".
type TicketEvent struct {
	ID        ID              `json:"id"`
	TicketID  ID              `json:"ticket_id"`
	Actor     *Person         `json:"actor"` // nil for the system
	Kind      string          `json:"kind"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// Inbox sort orders.
const (
	TicketSortNewest   = "newest"
	TicketSortOldest   = "oldest"
	TicketSortActivity = "activity"
	TicketSortPriority = "priority"
)

// Assignee filter values besides a user id.
const (
	AssigneeAnyone     = "anyone"
	AssigneeUnassigned = "unassigned"
	AssigneeMe         = "me"
)

// TicketFilter selects and orders tickets for a list. Zero values mean "any".
type TicketFilter struct {
	Statuses []TicketStatus
	// Unassigned selects tickets with no assignee; AssigneeID those of one
	// person (the app turns "me" into the viewer's id).
	Unassigned bool
	AssigneeID ID
	Priority   TicketPriority
	Tag        string
	Text       string // in subject or description, or the number
	// Terms and IDs are a search's (GET /search?kind=tickets): tickets
	// whose subject or description holds every term, or whose number is
	// Number, or whose id is among IDs (their conversation matched).
	Terms       []string
	Number      int64
	IDs         []ID
	RequesterID ID
	Sort        string // TicketSort*; newest by default
	Cursor      string // opaque, from the previous page's NextCursor
	Limit       int
	// Viewer's unread counts are filled in.
	Viewer ID
}

// TicketPage is one page of a list; NextCursor is empty on the last page.
type TicketPage struct {
	Tickets    []Ticket `json:"tickets"`
	NextCursor string   `json:"next_cursor"`
}

// TicketUpdate lists what PATCH /tickets/{id} may change; nil is unchanged.
type TicketUpdate struct {
	Subject  *string         `json:"subject"`
	Priority *TicketPriority `json:"priority"`
	Tags     *[]string       `json:"tags"`
}

// TicketTopic is the socket topic of a ticket; TicketStaffTopic the hub
// topic of its staff-only events (notes), which only staff subscriptions
// of TicketTopic receive. DeskTopic carries a workspace's inbox events.
func TicketTopic(id ID) string        { return "ticket:" + id.String() }
func TicketStaffTopic(id ID) string   { return "ticket:" + id.String() + ":staff" }
func DeskTopic(workspaceID ID) string { return "desk:" + workspaceID.String() }

// TicketChange is one lifecycle step for TicketStore.ChangeTicket: a status
// change, an assignment, or both, guarded by what the ticket must look like
// now, so two concurrent steps cannot both win.
type TicketChange struct {
	// From lists the statuses the ticket may be in; any other is ECONFLICT.
	From []TicketStatus
	// ExpectAssignee, when non-nil, is the assignee the ticket must have
	// now (0: none); any other is ECONFLICT.
	ExpectAssignee *ID
	// Status is the new status; "" leaves it.
	Status TicketStatus
	// Assign sets the assignee to AssigneeID (0: none).
	Assign     bool
	AssigneeID ID
	// Event is appended in the same transaction (its ID, TicketID, Kind,
	// Data and CreatedAt set by the caller; Actor.ID the actor).
	Event *TicketEvent
	Now   time.Time
}
