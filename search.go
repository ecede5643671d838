package relay

import "time"

// Search: the shapes the search service hands the store and gets back
// (docs/api.md, "Search"). The query language is parsed by package search;
// the app resolves names (from:@ana, in:#general) to ids and the policy
// package decides which channels the searcher may read: the store gets
// only ids, and the readable channels are the query's first filter.

// SearchSort orders results.
type SearchSort string

const (
	// SortRelevance ranks by how well a message matches (BM25 on SQLite,
	// ts_rank on PostgreSQL), newest first among equals.
	SortRelevance SearchSort = "relevance"
	// SortNewest lists matches newest first.
	SortNewest SearchSort = "newest"
)

// SearchCandidates is how many of the newest matches a relevance search
// ranks: relevance orders the newest SearchCandidates matches, and totals
// above it are reported as "more than SearchCandidates". A message search
// therefore costs the same for a word in a hundred messages as for one in
// half a million (docs/perf.md, "Search").
const SearchCandidates = 500

// SearchTerm is one word, prefix or phrase to match.
type SearchTerm struct {
	Text   string // as typed, never empty
	Phrase bool   // quoted: the words in this order
	Prefix bool   // deploy*: words starting with Text
}

// MessageSearch is a resolved message search.
type MessageSearch struct {
	WorkspaceID ID
	// Channels are the channels the search may look in: those the searcher
	// may read, narrowed by in: filters. Empty means nothing is searched.
	Channels []ID
	// Tickets, when set, searches ticket conversations instead of Channels.
	Tickets  *TicketScope
	Terms    []SearchTerm // all must match
	Exclude  []SearchTerm // none may match
	From     []ID         // the author is one of these (empty: anyone)
	Mentions []ID         // the message mentions one of these (<@id>)

	HasLink, HasFile, HasReaction, IsThread bool
	// Since and Until bound created_at: [Since, Until); zero is unbounded.
	Since, Until time.Time
	Sort         SearchSort
	Limit        int
	// Page continues a search; the zero value is the first page.
	Page SearchPage
}

// SearchPage is where a page of search results starts: for relevance, an
// offset into the ranked candidates that were at most MaxID when the first
// page was read (so new messages do not shift later pages); for newest, the
// id the next page stays below.
type SearchPage struct {
	Offset int `json:"o,omitempty"`
	MaxID  ID  `json:"m,omitempty"`
	Before ID  `json:"b,omitempty"`
}

// MessageHits is a page of message search results.
type MessageHits struct {
	Messages []Message
	// Total counts matches; it is exact unless TotalCapped, when there are
	// more than Total.
	Total       int
	TotalCapped bool
	// Next is the following page, nil at the end.
	Next *SearchPage
}

// ChannelSearch finds channels by name, topic and purpose.
type ChannelSearch struct {
	WorkspaceID ID
	Channels    []ID // the channels the searcher may see
	Terms       []SearchTerm
	Archived    bool // include archived channels
	Limit       int
	Offset      int
}

// PeopleSearch finds members by name (and email, for staff).
type PeopleSearch struct {
	WorkspaceID ID
	Terms       []SearchTerm
	Email       bool   // match email addresses too
	Roles       []Role // only members with these roles (empty: any)
	Limit       int
	Offset      int
}

// TicketSearch finds tickets by number, subject, description and the
// messages of their conversation (and, for staff, their internal notes).
type TicketSearch struct {
	WorkspaceID ID
	Requester   ID // non-zero: only this requester's tickets (customers)
	Notes       bool
	Number      int64 // a term that is a ticket number (#1042 or 1042); 0 if none
	Terms       []SearchTerm
	Exclude     []SearchTerm
	Status      []TicketStatus
	Since       time.Time
	Until       time.Time
	Limit       int
	Offset      int
}

// TicketHit is one ticket found, with what matched.
type TicketHit struct {
	Ticket Ticket
	// Match says where the terms were found: "number", "subject",
	// "description", "message" or "note".
	Match string
	// Text is the matched text (the message or note body when Match is
	// "message" or "note"), for the snippet.
	Text string
}

// TicketScope puts ticket conversations in a message search instead of
// Channels: every ticket of the workspace (desk staff), or one
// requester's (customers); Notes adds the tickets' internal notes.
type TicketScope struct {
	Requester ID
	Notes     bool
	Status    []TicketStatus
}
