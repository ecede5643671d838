package search

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/relayhq/relay"
)

// Limits of one query.
const (
	MaxQueryRunes    = 512 // runes of the whole query as typed
	MaxTerms         = 16  // words and phrases, included and excluded together
	MaxFiltersPerKey = 8   // filters of one key (the @name shorthand counts as mentions:)
)

// Term is a word or a phrase of a query.
type Term struct {
	Text   string // as typed, quotes and * stripped; never empty
	Phrase bool   // was quoted
	Prefix bool   // ended with *: matches words that start with Text
}

// Filter is a key:value filter as typed. Key is lower-case and one of the
// known filters; Value is the value as typed without its quotes, except
// that keyword values (me, link, thread, open, today, a month name…) are
// lower-cased.
type Filter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Query is a parsed search query. The from:, in: and mentions: values are
// left for the caller to resolve (they name users and channels); every other
// filter is also decoded into the typed fields below.
type Query struct {
	Terms   []Term   // all must match
	Exclude []Term   // none may match
	Filters []Filter // every filter, in the order typed (the UI shows them as chips)

	// Since and Until bound the message time to [Since, Until); each is zero
	// when unset. Several date filters intersect; when both are set,
	// Since is before Until.
	Since, Until time.Time

	HasLink, HasFile, HasReaction  bool
	IsThread, IsArchived, IsTicket bool
	Status                         []relay.TicketStatus // any of them; nil means any status
}

// Options tune Parse.
type Options struct {
	// Now is the moment today, yesterday and month names are relative to;
	// the zero value means time.Now().
	Now time.Time
	// Loc is the searcher's time zone, in which dates name days; nil means UTC.
	Loc *time.Location
}

// Values returns the values of the filters with the given key (any case),
// in the order typed, or nil.
func (q *Query) Values(key string) []string {
	var vs []string
	for _, f := range q.Filters {
		if strings.EqualFold(f.Key, key) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// filterKeys lists the known filters in the order the help text names them.
var filterKeys = []string{"from", "in", "has", "is", "mentions", "before", "after", "on", "during", "status"}

func knownKey(k string) bool {
	for _, x := range filterKeys {
		if x == k {
			return true
		}
	}
	return false
}

// Accepted keyword values of has:, is: and status:, in the order error
// messages list them.
var (
	flagValues   = map[string][]string{"has": {"link", "file", "reaction"}, "is": {"thread", "archived", "ticket"}}
	statusValues = []string{"open", "assigned", "resolved", "closed", "unresolved"}
)

// Parse parses a query typed in the search box. Every error is a
// relay.EINVALID whose message can be shown to the searcher as is.
func Parse(q string, opt Options) (*Query, error) {
	if !utf8.ValidString(q) {
		return nil, relay.Errorf(relay.EINVALID, "The search contains bytes that are not text.")
	}
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return nil, relay.Errorf(relay.EINVALID, "The search is too long: %d characters, at most %d.", n, MaxQueryRunes)
	}
	p := &parser{q: &Query{}, loc: opt.Loc, counts: map[string]int{}}
	if p.loc == nil {
		p.loc = time.UTC
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	y, m, d := now.In(p.loc).Date()
	p.today = time.Date(y, m, d, 0, 0, 0, 0, p.loc)

	for _, t := range lex(q) {
		if err := p.token(t); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

// token is one lexed unit of a query.
type token struct {
	neg    bool   // preceded by -
	text   string // a bare token, or a phrase without its quotes
	phrase bool   // text was quoted
	prefix bool   // a phrase followed by *
	value  string // for a bare `key:` followed by a quoted value: that value
	quoted bool   // value is set
}

// lex splits a query into tokens at whitespace, keeping quoted runs (which
// may hold whitespace) together. An unterminated quote runs to the end.
func lex(s string) []token {
	var toks []token
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isSep(r) {
			i += n
			continue
		}
		var t token
		if r == '-' {
			t.neg = true
			i += n
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if i < len(s) && isQuote(r) {
			t.text, i = quoted(s, i+n)
			t.phrase = true
			for i < len(s) && s[i] == '*' {
				t.prefix = true
				i++
			}
			toks = append(toks, t)
			continue
		}
		start := i
		for i < len(s) {
			r, n = utf8.DecodeRuneInString(s[i:])
			if isSep(r) || isQuote(r) {
				break
			}
			i += n
		}
		t.text = s[start:i]
		if i < len(s) && isQuote(r) && isKeyColon(t.text) {
			t.value, i = quoted(s, i+n)
			t.quoted = true
		}
		// A bare run that stops at a quote ends there; the quote opens
		// the next token, a phrase.
		toks = append(toks, t)
	}
	return toks
}

// quoted reads from s[i:] up to the next quote and returns the text before
// it and the index after it (or the end of s when the quote is unterminated).
func quoted(s string, i int) (string, int) {
	for j := i; j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		if isQuote(r) {
			return s[i:j], j + n
		}
		j += n
	}
	return s[i:], len(s)
}

// isSep reports whether r separates tokens: whitespace, control characters
// (which no one means to search for) and the zero-width space that Thai
// writers use between words.
func isSep(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff'
}

// isQuote accepts the straight quote and the curly ones that phone
// keyboards substitute for it.
func isQuote(r rune) bool {
	return r == '"' || r == '“' || r == '”' || r == '„'
}

// keyLen returns the length of the leading run of ASCII letters of s when
// it is followed by ':' (a filter key), else 0.
func keyLen(s string) int {
	k := 0
	for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z') {
		k++
	}
	if k > 0 && k < len(s) && s[k] == ':' {
		return k
	}
	return 0
}

// isKeyColon reports whether s is exactly a key and its colon, "from:".
func isKeyColon(s string) bool {
	k := keyLen(s)
	return k > 0 && k == len(s)-1
}

// searchable reports whether s holds something an index can find: a
// letter, a digit or a symbol such as an emoji. Pure punctuation is dropped.
func searchable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.So, r) {
			return true
		}
	}
	return false
}

type parser struct {
	q      *Query
	loc    *time.Location
	today  time.Time      // start of today in loc
	counts map[string]int // filters per key
	dates  []string       // date filters as typed, for an error message
}

func (p *parser) token(t token) error {
	if t.phrase {
		text := strings.TrimFunc(t.text, isSep)
		if searchable(text) {
			p.term(t.neg, Term{Text: text, Phrase: true, Prefix: t.prefix})
		}
		return nil
	}
	if k := keyLen(t.text); k > 0 {
		value, rest := t.value, t.text[k+1:]
		if !t.quoted {
			if strings.HasPrefix(rest, "//") {
				return p.word(t.neg, t.text) // a URL such as https://…
			}
			value = rest
		}
		if t.neg {
			return relay.Errorf(relay.EINVALID, "Filters cannot be excluded: remove the - before %q.", clip(t.text[:k+1]))
		}
		return p.filter(t.text[:k], strings.TrimFunc(value, isSep))
	}
	if len(t.text) > 1 && t.text[0] == '@' && searchable(t.text[1:]) {
		if t.neg {
			return relay.Errorf(relay.EINVALID, "Mentions cannot be excluded: remove the - before %q.", clip(t.text))
		}
		return p.filter("mentions", t.text)
	}
	return p.word(t.neg, t.text)
}

// word adds a bare word. A trailing * makes a prefix; a * anywhere else
// separates words.
func (p *parser) word(neg bool, s string) error {
	trimmed := strings.TrimRight(s, "*")
	prefix := len(trimmed) < len(s)
	parts := strings.Split(trimmed, "*")
	for i, w := range parts {
		if searchable(w) {
			p.term(neg, Term{Text: w, Prefix: prefix && i == len(parts)-1})
		}
	}
	return nil
}

func (p *parser) term(neg bool, t Term) {
	if neg {
		p.q.Exclude = append(p.q.Exclude, t)
	} else {
		p.q.Terms = append(p.q.Terms, t)
	}
}

// filter checks and records key:value. typedKey is the key as typed.
func (p *parser) filter(typedKey, value string) error {
	key := strings.ToLower(typedKey)
	if !knownKey(key) {
		return relay.Errorf(relay.EINVALID, "Unknown filter %q. Filters: from:, in:, has:, is:, mentions:, before:, after:, on:, during:, status:.", clip(typedKey)+":")
	}
	if value == "" || ((key == "from" || key == "in" || key == "mentions") && strings.Trim(value, "@#") == "") {
		return relay.Errorf(relay.EINVALID, "Filter %s: needs a value, like %s.", key, example[key])
	}
	if p.counts[key]++; p.counts[key] > MaxFiltersPerKey {
		return relay.Errorf(relay.EINVALID, "Too many %s: filters: at most %d.", key, MaxFiltersPerKey)
	}
	lower := strings.ToLower(value)
	switch key {
	case "from", "mentions":
		if lower == "me" {
			value = lower
		}
	case "in":
		// #channel, channel, @person or <#id>: the caller resolves it.
	case "has", "is":
		flag := p.flags(key)[lower]
		if flag == nil {
			return badValue(key, value, flagValues[key])
		}
		*flag = true
		value = lower
	case "status":
		switch lower {
		case "unresolved":
			p.status(relay.TicketOpen, relay.TicketAssigned)
		case "open", "assigned", "resolved", "closed":
			p.status(relay.TicketStatus(lower))
		default:
			return badValue(key, value, statusValues)
		}
		value = lower
	default: // before, after, on, during
		value = lower
		if err := p.date(key, value); err != nil {
			return err
		}
	}
	p.q.Filters = append(p.q.Filters, Filter{Key: key, Value: value})
	return nil
}

// example shows each filter's value in the "needs a value" message.
var example = map[string]string{
	"from":     "from:@ana or from:me",
	"in":       "in:#general or in:@ana",
	"mentions": "mentions:me or mentions:@ana",
	"has":      "has:link",
	"is":       "is:thread",
	"status":   "status:open",
	"before":   "before:2026-11-05",
	"after":    "after:2026-11-05",
	"on":       "on:today",
	"during":   "during:2026-11",
}

// flags maps the values of has: or is: to the Query fields they set.
func (p *parser) flags(key string) map[string]*bool {
	if key == "has" {
		return map[string]*bool{"link": &p.q.HasLink, "file": &p.q.HasFile, "reaction": &p.q.HasReaction}
	}
	return map[string]*bool{"thread": &p.q.IsThread, "archived": &p.q.IsArchived, "ticket": &p.q.IsTicket}
}

func badValue(key, value string, allowed []string) error {
	list := make([]string, len(allowed))
	for i, a := range allowed {
		list[i] = key + ":" + a
	}
	last := len(list) - 1
	return relay.Errorf(relay.EINVALID, "%s:%s is not a filter. Use %s or %s.",
		key, clip(value), strings.Join(list[:last], ", "), list[last])
}

// status adds statuses to the query's set, once each.
func (p *parser) status(ss ...relay.TicketStatus) {
next:
	for _, s := range ss {
		for _, x := range p.q.Status {
			if x == s {
				continue next
			}
		}
		p.q.Status = append(p.q.Status, s)
	}
}

// date narrows [Since, Until) by a before:, after:, on: or during: filter.
func (p *parser) date(key, value string) error {
	p.dates = append(p.dates, key+":"+value)
	var since, until time.Time
	if key == "during" {
		var ok bool
		if since, until, ok = p.period(value); !ok {
			return relay.Errorf(relay.EINVALID, "during:%s is not a period. Use a year (during:2026), a month (during:2026-11 or during:november), a day (during:2026-11-05), today or yesterday.", clip(value))
		}
	} else {
		day, ok := p.day(value)
		if !ok {
			return relay.Errorf(relay.EINVALID, "%s:%s is not a date. Use a day like %s:2026-11-05, %s:today or %s:yesterday.", key, clip(value), key, key, key)
		}
		next := addDays(day, 1)
		switch key {
		case "before":
			until = day
		case "after": // Slack's after: excludes the day itself.
			since = next
		case "on":
			since, until = day, next
		}
	}
	if !since.IsZero() && (p.q.Since.IsZero() || since.After(p.q.Since)) {
		p.q.Since = since
	}
	if !until.IsZero() && (p.q.Until.IsZero() || until.Before(p.q.Until)) {
		p.q.Until = until
	}
	return nil
}

// day parses YYYY-MM-DD, today or yesterday into the start of that day.
func (p *parser) day(v string) (time.Time, bool) {
	switch v {
	case "today":
		return p.today, true
	case "yesterday":
		return addDays(p.today, -1), true
	}
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return time.Time{}, false
	}
	y, okY := digits(v[:4])
	m, okM := digits(v[5:7])
	d, okD := digits(v[8:])
	if !okY || !okM || !okD || !validYear(y) || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, p.loc), true
}

// period parses what during: accepts into [since, until).
func (p *parser) period(v string) (since, until time.Time, ok bool) {
	if day, ok := p.day(v); ok {
		return day, addDays(day, 1), true
	}
	if y, ok := digits(v); ok && len(v) == 4 && validYear(y) {
		since = time.Date(y, 1, 1, 0, 0, 0, 0, p.loc)
		return since, since.AddDate(1, 0, 0), true
	}
	if len(v) == 7 && v[4] == '-' {
		y, okY := digits(v[:4])
		m, okM := digits(v[5:])
		if okY && okM && validYear(y) && m >= 1 && m <= 12 {
			since = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, p.loc)
			return since, since.AddDate(0, 1, 0), true
		}
		return since, until, false
	}
	if m, ok := monthNames[v]; ok {
		// The month of this year, or of last year when it has not begun yet.
		y := p.today.Year()
		if since = time.Date(y, m, 1, 0, 0, 0, 0, p.loc); since.After(p.today) {
			since = time.Date(y-1, m, 1, 0, 0, 0, 0, p.loc)
		}
		return since, since.AddDate(0, 1, 0), true
	}
	return since, until, false
}

var monthNames = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		monthNames[name] = m
		monthNames[name[:3]] = m
	}
	monthNames["sept"] = time.September
}

// digits parses a run of ASCII digits (no sign, no spaces).
func digits(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// validYear bounds years to ones a message can have been written in, and
// keeps every bound far from the zero time.Time, which means "unset".
func validYear(y int) bool { return y >= 1900 && y <= 9999 }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addDays moves a start of day by n calendar days, so days of 23 or 25
// hours (daylight saving) still start at midnight.
func addDays(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, t.Location())
}

// finish checks what only the whole query shows.
func (p *parser) finish() (*Query, error) {
	q := p.q
	if n := len(q.Terms) + len(q.Exclude); n > MaxTerms {
		return nil, relay.Errorf(relay.EINVALID, "Too many words: %d, at most %d.", n, MaxTerms)
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return nil, relay.Errorf(relay.EINVALID, "No day is left to search: %s exclude each other.", strings.Join(p.dates, " "))
	}
	if len(q.Terms) == 0 && len(q.Filters) == 0 {
		if len(q.Exclude) > 0 {
			return nil, relay.Errorf(relay.EINVALID, "Add a word or a filter besides exclusions.")
		}
		return nil, relay.Errorf(relay.EINVALID, "Type something to search for.")
	}
	return q, nil
}

// clip shortens what the searcher typed for an error message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
