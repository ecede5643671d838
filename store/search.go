package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/relayhq/relay"
)

// Message search (docs/architecture.md, "Search"). One plan on both
// engines: the full-text index yields the newest matches in the searcher's
// channels (the permission filter is part of the query, never applied to
// results afterwards), at most relay.SearchCandidates+1 of them; relevance
// ranks those and pages through them by offset, newest pages by id.
//
// SQLite: message_words (words, with filter tokens in its scope column)
// and message_grams (trigrams of Chinese/Japanese/Thai… text) drive the
// query in rowid order, CROSS JOIN messages for the exact filters.
// PostgreSQL: the GIN indexes on the stored search_words column and body
// gin_trgm_ops, or the primary key read newest first when a word is in
// most messages, chosen by the planner; ranking reads the stored tsvector.

const (
	searchLimit    = 20
	searchMaxLimit = 50
	// scopeChannels is how many channels SQLite names in the index query
	// itself (c<id> OR …) rather than only in the join; a short OR list is
	// cheap and makes in:#channel as fast as an unfiltered search.
	scopeChannels = 8
)

// searchPart is one term, classified for the engines.
type searchPart struct {
	term relay.SearchTerm
	gram bool   // matched as a substring in the trigram index
	text string // the words-index form (relay.SearchText) of the term
}

// searchParts classifies terms and drops those nothing could match (no
// letter or digit, such as "!!!" or an emoji): they are not indexed.
func searchParts(terms []relay.SearchTerm) []searchPart {
	var out []searchPart
	for _, t := range terms {
		// Control characters (NUL ends an FTS5 string) separate words.
		text := strings.TrimSpace(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, t.Text))
		if strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) < 0 {
			continue
		}
		p := searchPart{term: t}
		// Three or more characters of a spaceless script: a trigram
		// substring. Fewer: the words index, where each such character is
		// a word and the term a phrase of them.
		if relay.HasSpaceless(text) && utf8.RuneCountInString(text) >= 3 {
			p.gram = true
			p.term.Text = text
		} else {
			p.text = strings.TrimSpace(relay.SearchText(text))
			// A prefix is one run of letters and digits outside the
			// spaceless scripts; anything else matches as written.
			p.term.Prefix = t.Prefix && strings.IndexFunc(p.text, func(r rune) bool {
				return !(unicode.IsLetter(r) || unicode.IsNumber(r)) || relay.Spaceless(r)
			}) < 0
		}
		out = append(out, p)
	}
	return out
}

// ftsString quotes s as an FTS5 string.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqlArgs collects the arguments of a statement being built.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// idArray is a PostgreSQL bigint[] literal ('{1,2}'); SQLite reads the
// same ids as a JSON array.
func idList(engine string, ids []relay.ID) string {
	s := encodeIDs(ids)
	if engine == EnginePostgres {
		return "{" + s[1:len(s)-1] + "}"
	}
	return s
}

// SearchMessages implements app.SearchStore.
func (db *DB) SearchMessages(ctx context.Context, s relay.MessageSearch) (*relay.MessageHits, error) {
	hits := &relay.MessageHits{Messages: []relay.Message{}}
	if len(s.Channels) == 0 && s.Tickets == nil {
		return hits, nil
	}
	limit := limitOr(s.Limit, searchLimit, searchMaxLimit)
	terms, exclude := searchParts(s.Terms), searchParts(s.Exclude)
	if len(terms) == 0 && len(s.Terms) > 0 {
		return hits, nil // only unsearchable terms: nothing can match
	}
	if err := db.catchUpSearch(ctx); err != nil {
		return nil, err
	}
	var args sqlArgs
	var from, where []string
	var rank, order string
	ws := args.add(s.WorkspaceID)
	if db.engine == EnginePostgres {
		from, where, rank, order = db.pgMessageSearch(&args, terms, exclude)
	} else {
		from, where, rank, order = db.sqliteMessageSearch(&args, s, terms, exclude)
	}
	where = append(where, "m.workspace_id = "+ws, "m.deleted_at IS NULL")
	switch {
	case s.Tickets != nil:
		where = append(where, "m.channel_id IN ("+ticketChannels(&args, ws, s.Tickets)+")")
	case db.engine == EnginePostgres:
		where = append(where, "m.channel_id = ANY("+args.add(idList(db.engine, s.Channels))+"::bigint[])")
	default:
		where = append(where, "m.channel_id IN (SELECT value FROM json_each("+args.add(idList(db.engine, s.Channels))+"))")
	}
	if len(s.From) > 0 {
		where = append(where, "m.author_id IN ("+db.inIDs(&args, s.From)+")")
	}
	if len(s.Mentions) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM mentions mn WHERE mn.message_id = m.id AND mn.user_id IN ("+db.inIDs(&args, s.Mentions)+"))")
	}
	if s.HasLink {
		// hasLink (search_funcs.go) in SQL: the exact filter on both engines;
		// SQLite also narrows the index scan with its haslink token.
		where = append(where, "(lower(m.body) LIKE '%http://%' OR lower(m.body) LIKE '%https://%')")
	}
	if s.HasFile {
		where = append(where, "m.attachments <> '[]'")
	}
	if s.HasReaction {
		where = append(where, "m.reaction_count > 0")
	}
	if s.IsThread {
		where = append(where, "(m.parent_id IS NOT NULL OR m.reply_count > 0)")
	}
	if !s.Since.IsZero() {
		where = append(where, "m.created_at >= "+args.add(micros(s.Since)))
	}
	if !s.Until.IsZero() {
		where = append(where, "m.created_at < "+args.add(micros(s.Until)))
	}

	newest := s.Sort == relay.SortNewest || rank == ""
	if newest && s.Page.Before > 0 {
		where = append(where, "m.id < "+args.add(s.Page.Before))
	}
	if !newest && s.Page.MaxID > 0 {
		where = append(where, "m.id <= "+args.add(s.Page.MaxID))
	}
	// PostgreSQL with RUM (search_rum.go): the index hands out matches
	// newest first, at or below the bound — the distance operator <=| orders
	// by bound - id.
	// Only for a broad scope: with from:, mentions:, dates, a ticket's
	// conversation or a few channels, few matches are in scope and RUM would
	// walk through all the others, newest first, where GIN's plans use the
	// author, channel and mention indexes ("do" from: one author in: one
	// channel went 20 → 66 ms through RUM at a million messages).
	broad := s.Tickets == nil && len(s.Channels) > rumMinChannels && len(s.From) == 0 && len(s.Mentions) == 0 &&
		s.Since.IsZero() && s.Until.IsZero()
	useRUM := db.engine == EnginePostgres && rank != "" && broad && db.rumFor(ctx, terms)
	if useRUM {
		bound := relay.ID(math.MaxInt64)
		switch {
		case newest && s.Page.Before > 0:
			bound = s.Page.Before - 1
		case !newest && s.Page.MaxID > 0:
			bound = s.Page.MaxID
		}
		order = "m.id <=| " + args.add(bound) + "::bigint"
	}
	// SQLite ranks in Go (search_rank.go): the candidates come with their
	// bodies instead of FTS5's bm25().
	goRank := !newest && db.engine != EnginePostgres
	if newest {
		rank = "0" // not ranked
	}
	candidates := `SELECT m.id AS id, ` + rank + ` AS rank FROM ` + strings.Join(from, " ") +
		` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order

	var found []searchHit
	var query string
	// first n candidates. RUM orders by a float8 distance, which rounds ids
	// near each other to equal values: the rows tied with the last one come
	// too (a superset of the newest n), and every use below sorts them by
	// id exactly before it cuts.
	first := func(n int) string {
		if useRUM {
			return ` FETCH FIRST ` + strconv.Itoa(n) + ` ROWS WITH TIES`
		}
		return ` LIMIT ` + strconv.Itoa(n)
	}
	switch {
	case newest && s.Page.Before == 0:
		// The first page counts the candidates in the same scan (a second
		// statement read them again, and on PostgreSQL its LIMIT 21 plan
		// could walk the newest rows far past where a phrase matches).
		// MATERIALIZED: PostgreSQL plans the candidates for all the rows
		// the count reads; as a subquery under LIMIT 21 it costed only
		// 21/501 of them and chose walking the primary key for words in
		// 0.1 % of the messages (130 ms instead of 7).
		query = `WITH c AS MATERIALIZED (` + candidates + first(relay.SearchCandidates+1) +
			`) SELECT c.id, count(*) OVER (), 0 FROM c ORDER BY c.id DESC LIMIT ` + strconv.Itoa(limit+1)
	case newest:
		query = `SELECT c.id, 0, 0 FROM (` + candidates + first(limit+1) + `) c ORDER BY c.id DESC LIMIT ` + strconv.Itoa(limit+1)
	case goRank:
		query = candidates + ` LIMIT ` + strconv.Itoa(relay.SearchCandidates+1)
	default:
		query = `SELECT c.id, count(*) OVER (), max(c.id) OVER () FROM (` + candidates + first(relay.SearchCandidates+1) +
			`) c ORDER BY c.rank DESC, c.id DESC LIMIT ` + strconv.Itoa(limit+1) + ` OFFSET ` + strconv.Itoa(max(s.Page.Offset, 0))
	}
	err := db.view(ctx, "search messages", func(tx *sql.Tx) error {
		if db.engine == EnginePostgres {
			// The driver prepares statements once per connection, and after
			// five executions PostgreSQL may switch to a generic plan, made
			// without the words' statistics: a word in half the messages
			// then reads all of its matches through the bitmap (~400 ms at
			// a million messages, docs/perf.md "Search") instead of the
			// newest rows by id. Plan every search for its own terms.
			if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
				return err
			}
			if useRUM {
				// Its estimates for phrases are 20–40× low, so the planner
				// would rather sort GIN's bitmap of every match.
				if _, err := tx.ExecContext(ctx, `SET LOCAL enable_bitmapscan = off`); err != nil {
					return err
				}
			}
		}
		var err error
		if goRank {
			found, err = db.rankedPage(ctx, tx, query, args, terms, s.Page.Offset, limit)
		} else {
			found, err = scanHits(ctx, tx, query, args)
		}
		if err != nil {
			return err
		}
		// Totals: counted by the same statement (count over the candidates)
		// for relevance and for newest's first page; later newest pages
		// keep the first one's.
		if len(found) > 0 {
			hits.Total = found[0].total
		}
		more := len(found) > limit
		if more {
			found = found[:limit]
		}
		if len(found) == 0 {
			return nil
		}
		ids := make([]relay.ID, len(found))
		for i, h := range found {
			ids[i] = h.id
		}
		msgs, err := db.queryMessages(ctx, tx, selectMessages+` WHERE m.workspace_id = $1 AND m.id IN (`+placeholders(2, len(ids))+`)`,
			append([]any{s.WorkspaceID}, idArgs(ids)...)...)
		if err != nil {
			return err
		}
		byID := make(map[relay.ID]relay.Message, len(msgs))
		for _, m := range msgs {
			byID[m.ID] = m
		}
		for _, id := range ids {
			if m, ok := byID[id]; ok {
				hits.Messages = append(hits.Messages, m)
			}
		}
		if more {
			switch {
			case newest:
				hits.Next = &relay.SearchPage{Before: ids[len(ids)-1]}
			default:
				// Later pages rank the same candidates: none newer than
				// the newest one the first page ranked.
				maxID := s.Page.MaxID
				if maxID == 0 {
					maxID = found[0].newest
				}
				hits.Next = &relay.SearchPage{Offset: max(s.Page.Offset, 0) + limit, MaxID: maxID}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if hits.Total > relay.SearchCandidates {
		hits.Total, hits.TotalCapped = relay.SearchCandidates, true
	}
	return hits, nil
}

// searchHit is a found message's id with the statement's count of
// candidates and the newest candidate's id.
type searchHit struct {
	id, newest relay.ID
	total      int
}

// scanHits runs a search statement that selects (id, count, newest).
func scanHits(ctx context.Context, tx *sql.Tx, query string, args []any) ([]searchHit, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []searchHit
	for rows.Next() {
		var h searchHit
		if err := rows.Scan(&h.id, &h.total, &h.newest); err != nil {
			return nil, err
		}
		found = append(found, h)
	}
	return found, rows.Err()
}

// rankedPage reads the candidates (id, body) query selects, ranks them
// (rankCandidates) and returns the page from offset, one more than limit
// when there are more.
func (db *DB) rankedPage(ctx context.Context, tx *sql.Tx, query string, args []any, terms []searchPart, offset, limit int) ([]searchHit, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []candidate
	var newest relay.ID
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.body); err != nil {
			return nil, err
		}
		newest = max(newest, c.id)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rankCandidates(cs, terms)
	from := min(max(offset, 0), len(cs))
	to := min(from+limit+1, len(cs))
	found := make([]searchHit, 0, to-from)
	for _, c := range cs[from:to] {
		found = append(found, searchHit{id: c.id, newest: newest, total: len(cs)})
	}
	return found, nil
}

// inIDs adds ids as parameters and returns their placeholders.
func (db *DB) inIDs(args *sqlArgs, ids []relay.ID) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = args.add(id)
	}
	return strings.Join(ph, ", ")
}

// sqliteMessageSearch builds the FTS5 part of a SQLite message search.
func (db *DB) sqliteMessageSearch(args *sqlArgs, s relay.MessageSearch, terms, exclude []searchPart) (from, where []string, rank, order string) {
	var words, grams, notWords, notGrams []string
	for _, p := range terms {
		if p.gram {
			grams = append(grams, ftsString(p.term.Text))
			continue
		}
		w := "body : " + ftsString(p.text)
		if p.term.Prefix {
			w += " *"
		}
		words = append(words, w)
	}
	for _, p := range exclude {
		if p.gram {
			notGrams = append(notGrams, ftsString(p.term.Text))
		} else {
			w := "body : " + ftsString(p.text)
			if p.term.Prefix {
				w += " *"
			}
			notWords = append(notWords, w)
		}
	}
	// Filter tokens in the scope column narrow the index scan itself.
	scope := func(prefix string, ids []relay.ID) string {
		alt := make([]string, len(ids))
		for i, id := range ids {
			alt[i] = ftsString(prefix + strconv.FormatInt(int64(id), 10))
		}
		return "scope : (" + strings.Join(alt, " OR ") + ")"
	}
	if s.Tickets == nil && len(s.Channels) <= scopeChannels {
		words = append(words, scope("c", s.Channels))
	}
	if len(s.From) > 0 {
		words = append(words, scope("a", s.From))
	}
	if len(s.Mentions) > 0 {
		words = append(words, scope("m", s.Mentions))
	}
	if s.HasLink {
		words = append(words, "scope : "+scopeLink)
	}

	switch {
	case len(words) > 0:
		from = append(from, "message_words w CROSS JOIN messages m ON m.id = w.rowid")
		where = append(where, "message_words MATCH "+args.add(ftsExpr(words, notWords)))
		order = "w.rowid DESC"
		notWords = nil
		if len(grams) > 0 {
			from = append(from, "CROSS JOIN message_grams g ON g.rowid = m.id")
			where = append(where, "message_grams MATCH "+args.add(ftsExpr(grams, notGrams)))
			notGrams = nil
		}
	case len(grams) > 0:
		from = append(from, "message_grams g CROSS JOIN messages m ON m.id = g.rowid")
		where = append(where, "message_grams MATCH "+args.add(ftsExpr(grams, notGrams)))
		order = "g.rowid DESC"
		notGrams = nil
	default:
		from = append(from, "messages m")
		order = "m.id DESC"
	}
	if len(notWords) > 0 {
		where = append(where, "m.id NOT IN (SELECT rowid FROM message_words WHERE message_words MATCH "+
			args.add(strings.Join(notWords, " OR "))+")")
	}
	if len(notGrams) > 0 {
		where = append(where, "m.id NOT IN (SELECT rowid FROM message_grams WHERE message_grams MATCH "+
			args.add(strings.Join(notGrams, " OR "))+")")
	}
	if len(terms) > 0 {
		rank = "m.body" // ranked in Go (search_rank.go), not by FTS5's bm25()
	}
	return from, where, rank, order
}

// ticketChannels selects the conversation (and notes) channels of the
// tickets in scope.
func ticketChannels(args *sqlArgs, ws string, sc *relay.TicketScope) string {
	cond := "t.workspace_id = " + ws
	if sc.Requester != 0 {
		cond += " AND t.requester_id = " + args.add(sc.Requester)
	}
	if len(sc.Status) > 0 {
		ph := make([]string, len(sc.Status))
		for i, st := range sc.Status {
			ph[i] = args.add(string(st))
		}
		cond += " AND t.status IN (" + strings.Join(ph, ", ") + ")"
	}
	q := "SELECT t.channel_id FROM tickets t WHERE " + cond
	if sc.Notes {
		q += " UNION ALL SELECT t.notes_channel_id FROM tickets t WHERE " + cond
	}
	return q
}

// ftsExpr is "(a) AND (b) NOT (c OR d)".
func ftsExpr(pos, neg []string) string {
	e := "(" + strings.Join(pos, ") AND (") + ")"
	if len(neg) > 0 {
		e += " NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return e
}

// pgMessageSearch builds the tsquery and trigram part of a PostgreSQL
// message search.
func (db *DB) pgMessageSearch(args *sqlArgs, terms, exclude []searchPart) (from, where []string, rank, order string) {
	from = []string{"messages m"}
	order = "m.id DESC"
	tsq := func(p searchPart) string {
		if p.term.Prefix {
			// One lexeme, whatever unaccent made of it (ʼ may become a
			// quote): only its letters and digits, quoted for tsquery;
			// none left, and the term matches as written.
			a := args.add(p.text)
			lexeme := "lower(regexp_replace(relay_search_prep(" + a + "), '[^[:alnum:]]+', '', 'g'))"
			return "(CASE WHEN " + lexeme + " = '' THEN phraseto_tsquery('simple', relay_search_prep(" + a +
				")) ELSE to_tsquery('simple', quote_literal(" + lexeme + ") || ':*') END)"
		}
		return "phraseto_tsquery('simple', relay_search_prep(" + args.add(p.text) + "))"
	}
	like := func(p searchPart) string { return args.add(likePattern(p.term.Text)) } // for ILIKE
	var words, notWords []string
	spaceless := false
	for _, p := range terms {
		if p.gram {
			where = append(where, "m.body ILIKE "+like(p)+` ESCAPE '\'`)
			spaceless = true
			continue
		}
		words = append(words, tsq(p))
	}
	for _, p := range exclude {
		if p.gram {
			where = append(where, "m.body NOT ILIKE "+like(p)+` ESCAPE '\'`)
			continue
		}
		notWords = append(notWords, tsq(p))
	}
	if spaceless {
		// The predicate of the partial trigram index, so the planner may use it.
		where = append(where, "relay_search_spaceless(m.body)")
	}
	if len(words) > 0 {
		q := "(" + strings.Join(words, " && ") + ")"
		where = append(where, "m.search_words @@ "+q)
		rank = "ts_rank(m.search_words, " + q + ")"
	} else if spaceless {
		rank = "1" // substrings only: ranked newest first
	}
	if len(notWords) > 0 {
		where = append(where, "NOT (m.search_words @@ ("+strings.Join(notWords, " || ")+"))")
	}
	return from, where, rank, order
}

// Reindex rebuilds the search index from the messages (relay reindex).
func (db *DB) Reindex(ctx context.Context) error {
	if db.engine == EnginePostgres {
		// search_words is generated from the body: writing the body again
		// recomputes it with the functions as they are now.
		if _, err := db.write.ExecContext(ctx, `UPDATE messages SET body = body WHERE deleted_at IS NULL`); err != nil {
			return unavailable(fmt.Errorf("reindex: %w", err))
		}
		// The RUM index, if the extension was installed after the migration
		// ran (search_rum.go); then every index afresh.
		if err := db.ensureRUM(ctx); err != nil {
			return unavailable(fmt.Errorf("reindex: %w", err))
		}
		idxs := []string{"messages_search_words_idx", "messages_search_grams_idx", "messages_author_idx"}
		if db.SearchUsesRUM() {
			idxs = append(idxs, "messages_search_rum_idx")
		}
		for _, idx := range idxs {
			if _, err := db.write.ExecContext(ctx, `REINDEX INDEX `+idx); err != nil {
				return unavailable(fmt.Errorf("reindex %s: %w", idx, err))
			}
		}
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(fmt.Errorf("reindex: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range []string{
		`INSERT INTO message_words (message_words) VALUES ('delete-all')`,
		`INSERT INTO message_grams (message_grams) VALUES ('delete-all')`,
		`DELETE FROM search_queue`,
		`INSERT INTO message_words (rowid, body, scope) SELECT m.id, relay_search_text(m.body),
			relay_search_scope(m.channel_id, m.author_id, m.mention_ids, m.body) FROM messages m WHERE m.deleted_at IS NULL`,
		`INSERT INTO message_grams (rowid, body) SELECT m.id, m.body FROM messages m
			WHERE m.deleted_at IS NULL AND relay_search_spaceless(m.body)`,
		`INSERT INTO message_words (message_words) VALUES ('optimize')`,
		`INSERT INTO message_grams (message_grams) VALUES ('optimize')`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return unavailable(fmt.Errorf("reindex: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable(fmt.Errorf("reindex: %w", err))
	}
	return nil
}
