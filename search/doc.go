// Package search holds what every search engine of Relay shares: the query
// language (Parse) and the text helpers that fold, classify and highlight
// text (Fold, NeedsTrigram, Snippet). It runs no query itself: the store
// turns a Query into SQL for SQLite (FTS5) and PostgreSQL (tsvector and
// pg_trgm), and httpapi returns Snippets.
//
// # The query language
//
// Tokens are separated by whitespace. A word must match (all words must);
// "an exact phrase" matches its words in order (curly quotes work too; an
// unterminated quote runs to the end); -word and -"a phrase" exclude;
// deploy* matches words that start with deploy. Filters are key:value or
// key:"a value", with case-insensitive keys and keywords:
//
//	from:@ana  from:ana  from:me  from:<@123>     who wrote it
//	in:#general  in:general  in:@ana  in:<#123>   where (in:@ana: the DM with Ana)
//	mentions:me  mentions:@ana  @ana              whom it mentions
//	has:link  has:file  has:reaction              what it carries
//	is:thread  is:archived  is:ticket             what it is
//	status:open|assigned|resolved|closed|unresolved   (tickets; unresolved = open or assigned)
//	before:D  after:D  on:D   D = 2026-11-05, today or yesterday
//	during:2026  during:2026-11  during:november  during:D
//
// Dates name days in the searcher's time zone (Options.Loc) and become one
// interval [Since, Until): before: ends at the start of the day, after:
// starts after the day (as in Slack), several date filters intersect.
// Several from:, in:, mentions: or status: filters mean any of them; has:
// and is: flags must all hold. A word that only looks like a filter stays a
// word: https://relay.example, 10:30. An unknown key (foo:bar), a bad value
// and a query with nothing to look for are relay.EINVALID errors whose
// messages can be shown to the searcher as they are.
//
// Words of a script written without spaces (Japanese, Chinese, Thai…; see
// NeedsTrigram) match as substrings, others as whole words, ignoring case
// and accents (see Fold).
//
// This package imports only the root package relay and golang.org/x/text.
package search
