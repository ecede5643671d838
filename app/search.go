package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
	"github.com/relayhq/relay/search"
)

// Search is the search domain (docs/api.md, "Search"): one query language
// (package search) over messages, channels, people and tickets. Every
// search starts from what the policy lets the searcher read — the readable
// channels, or the tickets the desk policy gives them — and hands the store
// only that scope, so nothing outside it is ever fetched.
type Search struct {
	k     *kernel
	store SearchStore
	desk  *Desk
}

// SearchStore is what search needs from the database.
type SearchStore interface {
	// SearchMessages finds messages in s.Channels (or s.Tickets) of
	// s.WorkspaceID matching every term and filter (docs/architecture.md,
	// "Search").
	SearchMessages(ctx context.Context, s relay.MessageSearch) (*relay.MessageHits, error)
	// SearchableChannels lists the public and external channels of the
	// workspace and those viewer is a member of (tickets excluded), with
	// IsMember and DMUserIDs, for the policy to decide.
	SearchableChannels(ctx context.Context, workspaceID, viewer relay.ID) ([]relay.Channel, error)
	// MembersNamed finds the members a filter names (@ana); byEmail also
	// matches the local part of their email.
	MembersNamed(ctx context.Context, workspaceID relay.ID, name string, byEmail bool) ([]relay.Member, error)
	MembersByID(ctx context.Context, workspaceID relay.ID, userIDs []relay.ID) (map[relay.ID]relay.Member, error)
	SearchPeople(ctx context.Context, s relay.PeopleSearch) ([]relay.Member, error)
	MessagesByID(ctx context.Context, workspaceID relay.ID, ids []relay.ID) ([]relay.Message, error)
	TicketsOfChannels(ctx context.Context, workspaceID relay.ID, channelIDs []relay.ID) (map[relay.ID]relay.ID, error)
	// Reindex rebuilds the search index from the messages.
	Reindex(ctx context.Context) error
}

func newSearch(k *kernel, st SearchStore, desk *Desk) *Search {
	return &Search{k: k, store: st, desk: desk}
}

// Search kinds.
const (
	SearchMessages = "messages"
	SearchChannels = "channels"
	SearchPeople   = "people"
	SearchTickets  = "tickets"
)

// SearchRequest is GET /search's parameters.
type SearchRequest struct {
	Q      string
	Kind   string // SearchMessages by default
	Sort   string // relevance (default) or newest
	Cursor string
	Limit  int
	Loc    *time.Location // the searcher's zone for dates; nil is UTC
}

// SearchResult is a page of results of one kind.
type SearchResult struct {
	Kind       string          `json:"kind"`
	Total      int             `json:"total"`
	TotalExact bool            `json:"total_exact"`
	NextCursor string          `json:"next_cursor"`
	Filters    []search.Filter `json:"filters"`
	Terms      []string        `json:"terms"`
	Results    []SearchHit     `json:"results"`
}

// SearchHit is one result; which fields are set depends on the kind.
type SearchHit struct {
	Message *relay.Message `json:"message,omitempty"`
	Channel *SearchChannel `json:"channel,omitempty"`
	Parent  *SearchParent  `json:"parent,omitempty"`
	User    *SearchPerson  `json:"user,omitempty"`
	Ticket  *relay.Ticket  `json:"ticket,omitempty"`
	// Match says, for tickets, where the query matched: number, subject,
	// description, message or note.
	Match string `json:"match,omitempty"`
	// Snippet is HTML: the matched text, escaped, with <mark> around the
	// matched words; nothing else.
	Snippet string `json:"snippet,omitempty"`
}

// SearchChannel is the channel of a message hit, or a channel found.
type SearchChannel struct {
	ID        relay.ID          `json:"id"`
	Name      string            `json:"name"`
	Kind      relay.ChannelKind `json:"kind"`
	Topic     string            `json:"topic"`
	Purpose   string            `json:"purpose"`
	Archived  bool              `json:"archived"`
	IsMember  bool              `json:"is_member"`
	DMUserIDs []relay.ID        `json:"dm_user_ids,omitempty"`
	// TicketID is the ticket whose conversation or notes the channel is.
	TicketID relay.ID `json:"ticket_id,omitempty"`
}

// SearchParent is the thread root of a reply found.
type SearchParent struct {
	ID      relay.ID `json:"id"`
	Seq     int64    `json:"seq"`
	Snippet string   `json:"snippet"`
}

// SearchPerson is a member found.
type SearchPerson struct {
	ID          relay.ID   `json:"id"`
	DisplayName string     `json:"display_name"`
	AvatarURL   string     `json:"avatar_url"`
	Email       string     `json:"email"`
	Role        relay.Role `json:"role"`
}

const (
	snippetRunes       = 160
	parentSnippetRunes = 80
	searchMaxLimit     = 50
)

// searchCursor is the opaque cursor of every kind.
type searchCursor struct {
	Page   relay.SearchPage `json:"p,omitzero"`
	Offset int              `json:"o,omitempty"`
	Ticket string           `json:"t,omitempty"`
}

func (c searchCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSearchCursor(s string) (searchCursor, error) {
	var c searchCursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Offset < 0 || c.Page.Offset < 0 || c.Page.MaxID < 0 || c.Page.Before < 0 {
		return c, relay.Errorf(relay.EINVALID, "The cursor is not one this search gave.")
	}
	return c, nil
}

// Search runs a search of one kind for actor.
func (s *Search) Search(ctx context.Context, actor *relay.Actor, req SearchRequest) (*SearchResult, error) {
	if actor == nil || actor.User == nil || actor.Membership == nil {
		return nil, relay.Errorf(relay.EUNAUTHORIZED, "Sign in to continue.")
	}
	if req.Kind == "" {
		req.Kind = SearchMessages
	}
	if req.Limit == 0 {
		req.Limit = 20
	}
	if req.Limit < 1 || req.Limit > searchMaxLimit {
		return nil, relay.Errorf(relay.EINVALID, "limit must be between 1 and %d.", searchMaxLimit)
	}
	sortBy := relay.SearchSort(req.Sort)
	switch sortBy {
	case "":
		sortBy = relay.SortRelevance
	case relay.SortRelevance, relay.SortNewest:
	default:
		return nil, relay.Errorf(relay.EINVALID, "sort must be relevance or newest.")
	}
	cur, err := decodeSearchCursor(req.Cursor)
	if err != nil {
		return nil, err
	}
	q, err := search.Parse(req.Q, search.Options{Now: s.k.Now(), Loc: req.Loc})
	if err != nil {
		return nil, err
	}
	res := &SearchResult{Kind: req.Kind, Filters: q.Filters, Terms: []string{}, Results: []SearchHit{}}
	if res.Filters == nil {
		res.Filters = []search.Filter{}
	}
	for _, t := range q.Terms {
		res.Terms = append(res.Terms, t.Text)
	}
	switch req.Kind {
	case SearchMessages:
		err = s.messages(ctx, actor, q, sortBy, req.Limit, cur, res)
	case SearchChannels:
		err = s.channels(ctx, actor, q, req.Limit, cur, res)
	case SearchPeople:
		err = s.people(ctx, actor, q, req.Limit, cur, res)
	case SearchTickets:
		err = s.tickets(ctx, actor, q, req.Limit, cur, res)
	default:
		return nil, relay.Errorf(relay.EINVALID, "kind must be messages, channels, people or tickets.")
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Reindex rebuilds the search index (relay reindex).
func (s *Search) Reindex(ctx context.Context) error { return s.store.Reindex(ctx) }

func terms(ts []search.Term) []relay.SearchTerm {
	out := make([]relay.SearchTerm, len(ts))
	for i, t := range ts {
		out[i] = relay.SearchTerm{Text: t.Text, Phrase: t.Phrase, Prefix: t.Prefix}
	}
	return out
}

// readable is the channels actor may search: what the store lists, kept
// only where the channel policy lets actor read.
func (s *Search) readable(ctx context.Context, actor *relay.Actor) ([]relay.Channel, error) {
	cs, err := s.store.SearchableChannels(ctx, actor.Workspace.ID, actor.User.ID)
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs {
		if policy.CheckChannel(actor, policy.ReadChannel, policy.On{Kind: c.Kind, Member: c.IsMember, Archived: c.Archived}) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

var mentionIDRe = regexp.MustCompile(`^<@([0-9]{1,19})>$`)

// resolvePeople resolves a from:/mentions:/in:@ value to member ids.
func (s *Search) resolvePeople(ctx context.Context, actor *relay.Actor, key, value string) ([]relay.ID, error) {
	v := strings.TrimSpace(value)
	if strings.EqualFold(v, "me") || strings.EqualFold(v, "@me") {
		return []relay.ID{actor.User.ID}, nil
	}
	if m := mentionIDRe.FindStringSubmatch(v); m != nil {
		id, err := relay.ParseID(m[1])
		if err == nil {
			found, err := s.store.MembersByID(ctx, actor.Workspace.ID, []relay.ID{id})
			if err != nil {
				return nil, err
			}
			if _, ok := found[id]; ok {
				return []relay.ID{id}, nil
			}
		}
		return nil, relay.Errorf(relay.EINVALID, "No member of this workspace matches %s:%s.", key, value)
	}
	// Customers never learn staff email addresses, not even by probing.
	byEmail := actor.Membership.Role != relay.RoleCustomer
	ms, err := s.store.MembersNamed(ctx, actor.Workspace.ID, strings.TrimPrefix(v, "@"), byEmail)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, relay.Errorf(relay.EINVALID, "No member of this workspace matches %s:%s.", key, value)
	}
	ids := make([]relay.ID, len(ms))
	for i, m := range ms {
		ids[i] = m.User.ID
	}
	return ids, nil
}

// resolveAll resolves every value of a people filter (from:, mentions:):
// several mean any of them.
func (s *Search) resolveAll(ctx context.Context, actor *relay.Actor, q *search.Query, key string) ([]relay.ID, error) {
	var out []relay.ID
	for _, v := range q.Values(key) {
		ids, err := s.resolvePeople(ctx, actor, key, v)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// messages searches messages: chat channels, or with is:ticket / status:
// (and always for customers) ticket conversations.
func (s *Search) messages(ctx context.Context, actor *relay.Actor, q *search.Query, sortBy relay.SearchSort, limit int, cur searchCursor, res *SearchResult) error {
	ms := relay.MessageSearch{
		WorkspaceID: actor.Workspace.ID, Terms: terms(q.Terms), Exclude: terms(q.Exclude),
		HasLink: q.HasLink, HasFile: q.HasFile, HasReaction: q.HasReaction, IsThread: q.IsThread,
		Since: q.Since, Until: q.Until, Sort: sortBy, Limit: limit, Page: cur.Page,
	}
	var err error
	if ms.From, err = s.resolveAll(ctx, actor, q, "from"); err != nil {
		return err
	}
	if ms.Mentions, err = s.resolveAll(ctx, actor, q, "mentions"); err != nil {
		return err
	}
	chans := map[relay.ID]*relay.Channel{} // the searchable ones; summarised for the hits only
	if err := s.scope(ctx, actor, q, &ms, chans); err != nil {
		return err
	}
	hits, err := s.store.SearchMessages(ctx, ms)
	if err != nil {
		return err
	}
	res.Total, res.TotalExact = hits.Total, !hits.TotalCapped
	if hits.Next != nil {
		res.NextCursor = searchCursor{Page: *hits.Next}.encode()
	}
	summaries := map[relay.ID]*SearchChannel{}
	for _, m := range hits.Messages {
		if c := chans[m.ChannelID]; c != nil && summaries[c.ID] == nil {
			summaries[c.ID] = summary(c)
		}
	}
	if ms.Tickets != nil && len(hits.Messages) > 0 {
		var ids []relay.ID
		for _, m := range hits.Messages {
			ids = append(ids, m.ChannelID)
		}
		tickets, err := s.store.TicketsOfChannels(ctx, actor.Workspace.ID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			summaries[id] = &SearchChannel{ID: id, Kind: relay.ChannelTicket, TicketID: tickets[id]}
		}
	}
	var parents []relay.ID
	for _, m := range hits.Messages {
		if m.ParentID != nil {
			parents = append(parents, *m.ParentID)
		}
	}
	roots := map[relay.ID]relay.Message{}
	if len(parents) > 0 {
		ps, err := s.store.MessagesByID(ctx, actor.Workspace.ID, parents)
		if err != nil {
			return err
		}
		for _, p := range ps {
			roots[p.ID] = p
		}
	}
	names, err := s.mentionNames(ctx, actor, hits.Messages, roots)
	if err != nil {
		return err
	}
	for i := range hits.Messages {
		m := &hits.Messages[i]
		hit := SearchHit{Message: m, Channel: summaries[m.ChannelID], Snippet: search.Snippet(m.Body, q.Terms, snippetRunes, names)}
		if m.ParentID != nil {
			if p, ok := roots[*m.ParentID]; ok {
				hit.Parent = &SearchParent{ID: p.ID, Seq: p.Seq, Snippet: search.Snippet(p.Body, nil, parentSnippetRunes, names)}
			}
		}
		res.Results = append(res.Results, hit)
	}
	return nil
}

// scope fills ms.Channels (or ms.Tickets) with what actor may search, per
// the policy, narrowed by in: and is:archived; chans gets each searchable
// channel by id.
func (s *Search) scope(ctx context.Context, actor *relay.Actor, q *search.Query, ms *relay.MessageSearch, chans map[relay.ID]*relay.Channel) error {
	desk := policy.DeskActor(actor)
	customer := actor.Membership.Role == relay.RoleCustomer
	if q.IsTicket || len(q.Status) > 0 || customer {
		if !desk && !customer {
			return relay.Errorf(relay.EFORBIDDEN, "is:ticket and status: search the support desk, which you do not work.")
		}
		if len(q.Values("in")) > 0 {
			return relay.Errorf(relay.EINVALID, "in: names channels; it cannot be combined with is:ticket or status:.")
		}
		ms.Tickets = &relay.TicketScope{Notes: desk, Status: q.Status}
		if !desk {
			ms.Tickets.Requester = actor.User.ID // customers: their own tickets' conversations, never notes
		}
		return nil
	}
	cs, err := s.readable(ctx, actor)
	if err != nil {
		return err
	}
	in := q.Values("in")
	want := map[relay.ID]bool{}
	for _, v := range in {
		ids, err := s.channelsNamed(ctx, actor, cs, v)
		if err != nil {
			return err
		}
		for _, id := range ids {
			want[id] = true
		}
	}
	ms.Channels = []relay.ID{}
	for i := range cs {
		c := &cs[i]
		if c.Archived != q.IsArchived || (len(in) > 0 && !want[c.ID]) {
			continue
		}
		ms.Channels = append(ms.Channels, c.ID)
		chans[c.ID] = c
	}
	return nil
}

func summary(c *relay.Channel) *SearchChannel {
	return &SearchChannel{ID: c.ID, Name: c.Name, Kind: c.Kind, Topic: c.Topic, Purpose: c.Purpose,
		Archived: c.Archived, IsMember: c.IsMember, DMUserIDs: c.DMUserIDs}
}

// channelsNamed resolves an in: value among the readable channels:
// #name, name, <#id>, or @person / me for the DM with them.
func (s *Search) channelsNamed(ctx context.Context, actor *relay.Actor, cs []relay.Channel, value string) ([]relay.ID, error) {
	v := strings.TrimSpace(value)
	if strings.HasPrefix(v, "@") || strings.EqualFold(v, "me") || mentionIDRe.MatchString(v) {
		people, err := s.resolvePeople(ctx, actor, "in", v)
		if err != nil {
			return nil, err
		}
		var ids []relay.ID
		for _, c := range cs {
			if c.Kind != relay.ChannelDM {
				continue
			}
			for _, p := range people {
				// The DM of exactly the two of them (or one's own notes).
				if len(c.DMUserIDs) <= 2 && slices.Contains(c.DMUserIDs, p) && slices.Contains(c.DMUserIDs, actor.User.ID) {
					ids = append(ids, c.ID)
				}
			}
		}
		if len(ids) == 0 {
			return nil, relay.Errorf(relay.EINVALID, "You have no direct messages with in:%s.", value)
		}
		return ids, nil
	}
	if strings.HasPrefix(v, "<#") && strings.HasSuffix(v, ">") {
		if id, err := relay.ParseID(v[2 : len(v)-1]); err == nil {
			for _, c := range cs {
				if c.ID == id {
					return []relay.ID{id}, nil
				}
			}
		}
		return nil, relay.Errorf(relay.EINVALID, "No channel you can read matches in:%s.", value)
	}
	name := strings.ToLower(strings.TrimPrefix(v, "#"))
	for _, c := range cs {
		if c.Kind != relay.ChannelDM && strings.ToLower(c.Name) == name {
			return []relay.ID{c.ID}, nil
		}
	}
	return nil, relay.Errorf(relay.EINVALID, "No channel you can read matches in:%s.", value)
}

// mentionNames returns the snippet's name lookup for the mentions in the
// messages' bodies (members of the workspace only).
func (s *Search) mentionNames(ctx context.Context, actor *relay.Actor, msgs []relay.Message, roots map[relay.ID]relay.Message) (func(string) string, error) {
	var ids []relay.ID
	add := func(body string) {
		found, _ := ParseMentions(body)
		ids = append(ids, found...)
	}
	for _, m := range msgs {
		add(m.Body)
	}
	for _, m := range roots {
		add(m.Body)
	}
	members := map[relay.ID]relay.Member{}
	if len(ids) > 0 {
		var err error
		if members, err = s.store.MembersByID(ctx, actor.Workspace.ID, ids); err != nil {
			return nil, err
		}
	}
	return func(id string) string {
		n, err := relay.ParseID(id)
		if err != nil {
			return ""
		}
		return members[n].User.DisplayName
	}, nil
}

// channels finds channels by name, topic and purpose among those actor may
// read or join (not DMs): every term must appear; names that start with
// the first term come first, then channels actor is in, then by name.
func (s *Search) channels(ctx context.Context, actor *relay.Actor, q *search.Query, limit int, cur searchCursor, res *SearchResult) error {
	cs, err := s.readable(ctx, actor)
	if err != nil {
		return err
	}
	type found struct {
		c     *relay.Channel
		score int
		text  string
	}
	var hits []found
	for i := range cs {
		c := &cs[i]
		if c.Kind == relay.ChannelDM || c.Archived != q.IsArchived {
			continue
		}
		name := search.Fold(c.Name)
		text := c.Name + " — " + strings.TrimSpace(c.Topic+" "+c.Purpose)
		all := search.Fold(text)
		ok := true
		for _, t := range q.Terms {
			if !strings.Contains(all, search.Fold(t.Text)) {
				ok = false
				break
			}
		}
		for _, t := range q.Exclude {
			if strings.Contains(all, search.Fold(t.Text)) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		score := 2
		if len(q.Terms) > 0 && strings.HasPrefix(name, search.Fold(q.Terms[0].Text)) {
			score = 0
		} else if len(q.Terms) > 0 && strings.Contains(name, search.Fold(q.Terms[0].Text)) {
			score = 1
		}
		if !c.IsMember {
			score += 3
		}
		hits = append(hits, found{c, score, text})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score < hits[j].score
		}
		return hits[i].c.Name < hits[j].c.Name
	})
	res.Total, res.TotalExact = len(hits), true
	from := min(cur.Offset, len(hits))
	to := min(from+limit, len(hits))
	for _, h := range hits[from:to] {
		res.Results = append(res.Results, SearchHit{Channel: summary(h.c), Snippet: search.Snippet(h.text, q.Terms, snippetRunes, nil)})
	}
	if to < len(hits) {
		res.NextCursor = searchCursor{Offset: to}.encode()
	}
	return nil
}

// people finds members by name and email (staff only: customers cannot
// list members).
func (s *Search) people(ctx context.Context, actor *relay.Actor, q *search.Query, limit int, cur searchCursor, res *SearchResult) error {
	if err := policy.Check(actor, policy.ListMembers, policy.Target{}); err != nil {
		return err
	}
	ms, err := s.store.SearchPeople(ctx, relay.PeopleSearch{WorkspaceID: actor.Workspace.ID, Terms: terms(q.Terms),
		Email: true, Limit: limit, Offset: cur.Offset})
	if err != nil {
		return err
	}
	more := len(ms) > limit
	if more {
		ms = ms[:limit]
		res.NextCursor = searchCursor{Offset: cur.Offset + limit}.encode()
	}
	res.Total, res.TotalExact = cur.Offset+len(ms), !more
	for _, m := range ms {
		res.Results = append(res.Results, SearchHit{
			User:    &SearchPerson{ID: m.User.ID, DisplayName: m.User.DisplayName, AvatarURL: m.User.AvatarURL, Email: m.User.Email, Role: m.Role},
			Snippet: search.Snippet(m.User.DisplayName+" · "+m.User.Email, q.Terms, snippetRunes, nil),
		})
	}
	return nil
}

var ticketNumberRe = regexp.MustCompile(`^#?([0-9]{1,18})$`)

// tickets finds tickets by number, subject, description and conversation
// (and, for desk staff, internal notes), per the desk policy: customers see
// their own tickets only and never notes. Newest activity first.
func (s *Search) tickets(ctx context.Context, actor *relay.Actor, q *search.Query, limit int, cur searchCursor, res *SearchResult) error {
	if err := policy.CheckTicket(actor, policy.ListTickets, policy.OnTicket{}); err != nil {
		return err
	}
	desk := policy.DeskActor(actor)
	var text []string
	var number int64
	for _, t := range q.Terms {
		if m := ticketNumberRe.FindStringSubmatch(t.Text); m != nil && len(q.Terms) == 1 {
			number, _ = strconv.ParseInt(m[1], 10, 64)
			continue
		}
		text = append(text, t.Text)
	}
	// The conversations (and notes) that match: newest first, up to one
	// page of the candidates the message search ranks.
	ms := relay.MessageSearch{WorkspaceID: actor.Workspace.ID, Terms: terms(q.Terms), Exclude: terms(q.Exclude),
		Since: q.Since, Until: q.Until, Sort: relay.SortNewest, Limit: searchMaxLimit,
		Tickets: &relay.TicketScope{Notes: desk, Status: q.Status}}
	if !desk {
		ms.Tickets.Requester = actor.User.ID
	}
	var err error
	if ms.From, err = s.resolveAll(ctx, actor, q, "from"); err != nil {
		return err
	}
	matched := map[relay.ID]relay.Message{}
	var ids []relay.ID
	if len(q.Terms) > 0 || len(ms.From) > 0 {
		hits, err := s.store.SearchMessages(ctx, ms)
		if err != nil {
			return err
		}
		var chans []relay.ID
		for _, m := range hits.Messages {
			chans = append(chans, m.ChannelID)
		}
		byChannel, err := s.store.TicketsOfChannels(ctx, actor.Workspace.ID, chans)
		if err != nil {
			return err
		}
		for _, m := range hits.Messages {
			if t, ok := byChannel[m.ChannelID]; ok {
				if _, seen := matched[t]; !seen {
					matched[t] = m
					ids = append(ids, t)
				}
			}
		}
	}
	if len(ms.From) > 0 && len(q.Terms) == 0 && len(ids) == 0 {
		return nil
	}
	tq := TicketQuery{Sort: relay.TicketSortActivity, Cursor: cur.Ticket, Limit: limit, Number: number, IDs: ids}
	if len(ms.From) == 0 {
		tq.Terms = text
	}
	if len(q.Terms) == 0 && len(ms.From) == 0 {
		tq.Terms, tq.IDs = nil, nil // filters only (status:…): every ticket in scope
	} else if len(tq.Terms) == 0 && tq.Number == 0 && len(tq.IDs) == 0 {
		return nil
	}
	var st []string
	for _, x := range q.Status {
		st = append(st, string(x))
	}
	tq.Status = strings.Join(st, ",")
	page, err := s.desk.ListTickets(ctx, actor, tq)
	if err != nil {
		return err
	}
	res.NextCursor = ""
	if page.NextCursor != "" {
		res.NextCursor = searchCursor{Ticket: page.NextCursor}.encode()
	}
	res.Total, res.TotalExact = len(page.Tickets), page.NextCursor == ""
	for i := range page.Tickets {
		t := &page.Tickets[i]
		hit := SearchHit{Ticket: t}
		switch m, ok := matched[t.ID]; {
		case number != 0 && t.Number == number:
			hit.Match, hit.Snippet = "number", search.Snippet(t.Subject, nil, snippetRunes, nil)
		case len(text) > 0 && containsAll(t.Subject, q.Terms) || len(q.Terms) == 0 && !ok:
			hit.Match, hit.Snippet = "subject", search.Snippet(t.Subject, q.Terms, snippetRunes, nil)
		case ok:
			hit.Match = "message"
			if m.ChannelID == t.NotesChannelID && t.NotesChannelID != 0 {
				hit.Match = "note"
			}
			hit.Snippet = search.Snippet(m.Body, q.Terms, snippetRunes, nil)
		default:
			hit.Match, hit.Snippet = "description", search.Snippet(t.Description, q.Terms, snippetRunes, nil)
		}
		res.Results = append(res.Results, hit)
	}
	return nil
}

func containsAll(s string, ts []search.Term) bool {
	f := search.Fold(s)
	for _, t := range ts {
		if !strings.Contains(f, search.Fold(t.Text)) {
			return false
		}
	}
	return true
}
