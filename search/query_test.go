package search

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, even where the system has none
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/relayhq/relay"
)

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestParse(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	newYork := mustLoad(t, "America/New_York")
	// 20:30 UTC on the 7th is 05:30 on the 8th in Tokyo: "today" is the 8th.
	now := time.Date(2026, 12, 7, 20, 30, 0, 0, time.UTC)
	march := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, tokyo) }
	w := func(s string) Term { return Term{Text: s} }
	phrase := func(s string) Term { return Term{Text: s, Phrase: true} }
	prefix := func(s string) Term { return Term{Text: s, Prefix: true} }
	f := func(k, v string) Filter { return Filter{Key: k, Value: v} }

	tests := []struct {
		name string
		q    string
		now  time.Time      // zero: now
		loc  *time.Location // nil: tokyo
		want Query
	}{
		// Words, phrases, exclusions, prefixes.
		{name: "word", q: "deploy", want: Query{Terms: []Term{w("deploy")}}},
		{name: "words keep their case", q: "Deploy ERROR", want: Query{Terms: []Term{w("Deploy"), w("ERROR")}}},
		{name: "any whitespace separates", q: "a\tb\nc\u3000東京\u00a0d", want: Query{Terms: []Term{w("a"), w("b"), w("c"), w("東京"), w("d")}}},
		{name: "control characters and zero-width spaces separate", q: "a\x00b\u200bc", want: Query{Terms: []Term{w("a"), w("b"), w("c")}}},
		{name: "phrase", q: `"error budget" deploy`, want: Query{Terms: []Term{phrase("error budget"), w("deploy")}}},
		{name: "phrase trimmed", q: `"  error budget "`, want: Query{Terms: []Term{phrase("error budget")}}},
		{name: "unterminated phrase runs to the end", q: `deploy "error budget`, want: Query{Terms: []Term{w("deploy"), phrase("error budget")}}},
		{name: "curly quotes", q: "“error budget” „on call”", want: Query{Terms: []Term{phrase("error budget"), phrase("on call")}}},
		{name: "empty phrase dropped", q: `"" deploy " "`, want: Query{Terms: []Term{w("deploy")}}},
		{name: "quote ends a word", q: `deploy"error budget"`, want: Query{Terms: []Term{w("deploy"), phrase("error budget")}}},
		{name: "phrase prefix", q: `"error bud"*`, want: Query{Terms: []Term{{Text: "error bud", Phrase: true, Prefix: true}}}},
		{name: "exclude", q: "deploy -staging", want: Query{Terms: []Term{w("deploy")}, Exclude: []Term{w("staging")}}},
		{name: "exclude phrase", q: `deploy -"error budget"`, want: Query{Terms: []Term{w("deploy")}, Exclude: []Term{phrase("error budget")}}},
		{name: "exclude prefix", q: "deploy -stag*", want: Query{Terms: []Term{w("deploy")}, Exclude: []Term{prefix("stag")}}},
		{name: "lone dash ignored", q: "deploy - -", want: Query{Terms: []Term{w("deploy")}}},
		{name: "dash inside a word", q: "e-mail", want: Query{Terms: []Term{w("e-mail")}}},
		{name: "prefix", q: "deploy*", want: Query{Terms: []Term{prefix("deploy")}}},
		{name: "many stars one prefix", q: "deploy**", want: Query{Terms: []Term{prefix("deploy")}}},
		{name: "lone star dropped", q: "deploy * **", want: Query{Terms: []Term{w("deploy")}}},
		{name: "inner star separates", q: "de*ploy", want: Query{Terms: []Term{w("de"), w("ploy")}}},
		{name: "inner and trailing star", q: "de*ploy*", want: Query{Terms: []Term{w("de"), prefix("ploy")}}},
		{name: "leading star dropped", q: "*ploy", want: Query{Terms: []Term{w("ploy")}}},
		{name: "punctuation alone dropped", q: "deploy ... ?! --", want: Query{Terms: []Term{w("deploy")}}},
		{name: "emoji is a word", q: "🎉", want: Query{Terms: []Term{w("🎉")}}},
		{name: "Japanese", q: "デプロイ失敗", want: Query{Terms: []Term{w("デプロイ失敗")}}},
		{name: "Thai", q: "ภาษาไทย", want: Query{Terms: []Term{w("ภาษาไทย")}}},
		{name: "max terms", q: strings.Repeat("w ", MaxTerms-1) + "-x", want: Query{Terms: repeatTerm(w("w"), MaxTerms-1), Exclude: []Term{w("x")}}},
		{name: "max runes", q: strings.Repeat("あ", MaxQueryRunes), want: Query{Terms: []Term{w(strings.Repeat("あ", MaxQueryRunes))}}},

		// Words that only look like filters.
		{name: "URL", q: "https://relay.example/a?b=c", want: Query{Terms: []Term{w("https://relay.example/a?b=c")}}},
		{name: "URL of an unknown scheme", q: "foo://x", want: Query{Terms: []Term{w("foo://x")}}},
		{name: "time", q: "10:30", want: Query{Terms: []Term{w("10:30")}}},
		{name: "key with a digit", q: "key2:x", want: Query{Terms: []Term{w("key2:x")}}},
		{name: "key with a non-ASCII letter", q: "café:x 会議:明日", want: Query{Terms: []Term{w("café:x"), w("会議:明日")}}},
		{name: "leading colon", q: ":x", want: Query{Terms: []Term{w(":x")}}},
		{name: "email", q: "ana@relay.example", want: Query{Terms: []Term{w("ana@relay.example")}}},
		{name: "lone at sign", q: "@ deploy", want: Query{Terms: []Term{w("deploy")}}},

		// from:, in:, mentions:.
		{name: "from name", q: "from:@ana", want: Query{Filters: []Filter{f("from", "@ana")}}},
		{name: "from bare name", q: "from:ana", want: Query{Filters: []Filter{f("from", "ana")}}},
		{name: "from me", q: "from:Me", want: Query{Filters: []Filter{f("from", "me")}}},
		{name: "from id", q: "from:<@123>", want: Query{Filters: []Filter{f("from", "<@123>")}}},
		{name: "key case and value case", q: "FROM:@Ana", want: Query{Filters: []Filter{f("from", "@Ana")}}},
		{name: "quoted value", q: `from:"Ana Lima" deploy`, want: Query{Terms: []Term{w("deploy")}, Filters: []Filter{f("from", "Ana Lima")}}},
		{name: "quoted value trimmed", q: `from:" @ana "`, want: Query{Filters: []Filter{f("from", "@ana")}}},
		{name: "curly-quoted value", q: "in:“ops team”", want: Query{Filters: []Filter{f("in", "ops team")}}},
		{name: "in channel", q: "in:#general", want: Query{Filters: []Filter{f("in", "#general")}}},
		{name: "in bare channel", q: "in:general", want: Query{Filters: []Filter{f("in", "general")}}},
		{name: "in DM", q: "in:@ana", want: Query{Filters: []Filter{f("in", "@ana")}}},
		{name: "in channel id", q: "in:<#123>", want: Query{Filters: []Filter{f("in", "<#123>")}}},
		{name: "mentions me", q: "mentions:ME", want: Query{Filters: []Filter{f("mentions", "me")}}},
		{name: "mentions name", q: "mentions:@ana", want: Query{Filters: []Filter{f("mentions", "@ana")}}},
		{name: "at name is mentions", q: "deploy @ana", want: Query{Terms: []Term{w("deploy")}, Filters: []Filter{f("mentions", "@ana")}}},
		{name: "filters in the order typed", q: "in:#ops deploy from:@ana has:link from:@bo",
			want: Query{Terms: []Term{w("deploy")}, HasLink: true,
				Filters: []Filter{f("in", "#ops"), f("from", "@ana"), f("has", "link"), f("from", "@bo")}}},
		{name: "max filters of a key", q: strings.Repeat("from:@a ", MaxFiltersPerKey), want: Query{Filters: repeatFilter(f("from", "@a"), MaxFiltersPerKey)}},

		// has:, is:, status:.
		{name: "has", q: "has:link has:FILE has:Reaction",
			want: Query{HasLink: true, HasFile: true, HasReaction: true,
				Filters: []Filter{f("has", "link"), f("has", "file"), f("has", "reaction")}}},
		{name: "has one", q: "has:file", want: Query{HasFile: true, Filters: []Filter{f("has", "file")}}},
		{name: "is", q: "is:thread is:archived is:TICKET",
			want: Query{IsThread: true, IsArchived: true, IsTicket: true,
				Filters: []Filter{f("is", "thread"), f("is", "archived"), f("is", "ticket")}}},
		{name: "status", q: "status:open", want: Query{Status: []relay.TicketStatus{relay.TicketOpen}, Filters: []Filter{f("status", "open")}}},
		{name: "status unresolved", q: "status:Unresolved",
			want: Query{Status: []relay.TicketStatus{relay.TicketOpen, relay.TicketAssigned}, Filters: []Filter{f("status", "unresolved")}}},
		{name: "statuses once each", q: "status:assigned status:unresolved status:closed status:resolved",
			want: Query{Status: []relay.TicketStatus{relay.TicketAssigned, relay.TicketOpen, relay.TicketClosed, relay.TicketResolved},
				Filters: []Filter{f("status", "assigned"), f("status", "unresolved"), f("status", "closed"), f("status", "resolved")}}},

		// Dates, in Tokyo.
		{name: "before", q: "before:2026-11-05", want: Query{Until: day(2026, 11, 5), Filters: []Filter{f("before", "2026-11-05")}}},
		{name: "after excludes the day", q: "after:2026-11-05", want: Query{Since: day(2026, 11, 6), Filters: []Filter{f("after", "2026-11-05")}}},
		{name: "after the last of a month", q: "after:2026-02-28", want: Query{Since: day(2026, 3, 1), Filters: []Filter{f("after", "2026-02-28")}}},
		{name: "on", q: "on:2026-11-05", want: Query{Since: day(2026, 11, 5), Until: day(2026, 11, 6), Filters: []Filter{f("on", "2026-11-05")}}},
		{name: "on a leap day", q: "on:2028-02-29", want: Query{Since: day(2028, 2, 29), Until: day(2028, 3, 1), Filters: []Filter{f("on", "2028-02-29")}}},
		{name: "on today in the searcher's zone", q: "on:Today", want: Query{Since: day(2026, 12, 8), Until: day(2026, 12, 9), Filters: []Filter{f("on", "today")}}},
		{name: "on yesterday", q: "on:yesterday", want: Query{Since: day(2026, 12, 7), Until: day(2026, 12, 8), Filters: []Filter{f("on", "yesterday")}}},
		{name: "before today", q: "before:today", want: Query{Until: day(2026, 12, 8), Filters: []Filter{f("before", "today")}}},
		{name: "after yesterday", q: "after:yesterday", want: Query{Since: day(2026, 12, 8), Filters: []Filter{f("after", "yesterday")}}},
		{name: "today in UTC", q: "on:today", loc: time.UTC,
			want: Query{Since: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), Filters: []Filter{f("on", "today")}}},
		{name: "during year", q: "during:2026", want: Query{Since: day(2026, 1, 1), Until: day(2027, 1, 1), Filters: []Filter{f("during", "2026")}}},
		{name: "during month", q: "during:2026-11", want: Query{Since: day(2026, 11, 1), Until: day(2026, 12, 1), Filters: []Filter{f("during", "2026-11")}}},
		{name: "during December", q: "during:2026-12", want: Query{Since: day(2026, 12, 1), Until: day(2027, 1, 1), Filters: []Filter{f("during", "2026-12")}}},
		{name: "during day", q: "during:2026-11-05", want: Query{Since: day(2026, 11, 5), Until: day(2026, 11, 6), Filters: []Filter{f("during", "2026-11-05")}}},
		{name: "during today", q: "during:today", want: Query{Since: day(2026, 12, 8), Until: day(2026, 12, 9), Filters: []Filter{f("during", "today")}}},
		{name: "during a past month name", q: "during:November", want: Query{Since: day(2026, 11, 1), Until: day(2026, 12, 1), Filters: []Filter{f("during", "november")}}},
		{name: "during the current month", q: "during:dec", want: Query{Since: day(2026, 12, 1), Until: day(2027, 1, 1), Filters: []Filter{f("during", "dec")}}},
		{name: "during a future month is last year's", q: "during:november", now: march,
			want: Query{Since: day(2025, 11, 1), Until: day(2025, 12, 1), Filters: []Filter{f("during", "november")}}},
		{name: "during this month by name", q: "during:mar", now: march,
			want: Query{Since: day(2026, 3, 1), Until: day(2026, 4, 1), Filters: []Filter{f("during", "mar")}}},
		{name: "during sept", q: "during:sept", now: march,
			want: Query{Since: day(2025, 9, 1), Until: day(2025, 10, 1), Filters: []Filter{f("during", "sept")}}},
		{name: "dates intersect", q: "after:2026-11-01 before:2026-11-10",
			want: Query{Since: day(2026, 11, 2), Until: day(2026, 11, 10), Filters: []Filter{f("after", "2026-11-01"), f("before", "2026-11-10")}}},
		{name: "during and on intersect", q: "on:2026-11-05 during:2026",
			want: Query{Since: day(2026, 11, 5), Until: day(2026, 11, 6), Filters: []Filter{f("on", "2026-11-05"), f("during", "2026")}}},
		{name: "the tighter bound wins", q: "before:2026-11-10 during:2026-11 before:2026-12-01",
			want: Query{Since: day(2026, 11, 1), Until: day(2026, 11, 10), Filters: []Filter{f("before", "2026-11-10"), f("during", "2026-11"), f("before", "2026-12-01")}}},
		{name: "a day of 25 hours", q: "on:2026-11-01", loc: newYork,
			want: Query{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, newYork), Until: time.Date(2026, 11, 2, 0, 0, 0, 0, newYork), Filters: []Filter{f("on", "2026-11-01")}}},
		{name: "words and filters", q: `deploy from:me "error budget" -staging in:#ops after:2026-11-30`,
			want: Query{Terms: []Term{w("deploy"), phrase("error budget")}, Exclude: []Term{w("staging")},
				Since: day(2026, 12, 1), Filters: []Filter{f("from", "me"), f("in", "#ops"), f("after", "2026-11-30")}}},
		{name: "only filters and exclusions", q: "from:me -staging", want: Query{Exclude: []Term{w("staging")}, Filters: []Filter{f("from", "me")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := Options{Now: now, Loc: tokyo}
			if !tt.now.IsZero() {
				opt.Now = tt.now
			}
			if tt.loc != nil {
				opt.Loc = tt.loc
			}
			got, err := Parse(tt.q, opt)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

func TestParseDayLength(t *testing.T) {
	// Calendar days, not 24 hours: the day daylight saving ends is 25 hours.
	q, err := Parse("on:2026-11-01", Options{Loc: mustLoad(t, "America/New_York")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Until.Sub(q.Since), 25*time.Hour; got != want {
		t.Errorf("length of on:2026-11-01 in New York = %v, want %v", got, want)
	}
}

func TestParseDefaults(t *testing.T) {
	// No Now, no Loc: today is today in UTC.
	q, err := Parse("on:today", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Since.Location(); got != time.UTC {
		t.Errorf("location = %v, want UTC", got)
	}
	if now := time.Now().UTC(); now.Before(q.Since) || !now.Before(q.Until.Add(time.Minute)) {
		t.Errorf("on:today = [%v, %v), does not hold now (%v)", q.Since, q.Until, now)
	}
}

func TestParseErrors(t *testing.T) {
	unknown := func(k string) string {
		return `Unknown filter "` + k + `". Filters: from:, in:, has:, is:, mentions:, before:, after:, on:, during:, status:.`
	}
	tests := []struct{ q, want string }{
		{"", "Type something to search for."},
		{" \t\n ", "Type something to search for."},
		{"... ?! * -", "Type something to search for."},
		{`""`, "Type something to search for."},
		{"-deploy", "Add a word or a filter besides exclusions."},
		{`-deploy -"error budget"`, "Add a word or a filter besides exclusions."},
		{"foo:bar", unknown("foo:")},
		{"deploy Foo:bar", unknown("Foo:")},
		{"a:", unknown("a:")},
		{"note: deploy", unknown("note:")},
		{`to:"ana lima"`, unknown("to:")},
		{"mailto:ana@relay.example", unknown("mailto:")},
		{strings.Repeat("x", 50) + ":y", unknown(strings.Repeat("x", 40) + "…:")},
		{"from:", "Filter from: needs a value, like from:@ana or from:me."},
		{`from:""`, "Filter from: needs a value, like from:@ana or from:me."},
		{`from:"  "`, "Filter from: needs a value, like from:@ana or from:me."},
		{`from:"`, "Filter from: needs a value, like from:@ana or from:me."},
		{"from:@", "Filter from: needs a value, like from:@ana or from:me."},
		{"IN:#", "Filter in: needs a value, like in:#general or in:@ana."},
		{"mentions:", "Filter mentions: needs a value, like mentions:me or mentions:@ana."},
		{"has:", "Filter has: needs a value, like has:link."},
		{"is:", "Filter is: needs a value, like is:thread."},
		{"status:", "Filter status: needs a value, like status:open."},
		{"before:", "Filter before: needs a value, like before:2026-11-05."},
		{"after:", "Filter after: needs a value, like after:2026-11-05."},
		{"on:", "Filter on: needs a value, like on:today."},
		{"during:", "Filter during: needs a value, like during:2026-11."},
		{"has:pdf", "has:pdf is not a filter. Use has:link, has:file or has:reaction."},
		{"has:links", "has:links is not a filter. Use has:link, has:file or has:reaction."},
		{"is:saved", "is:saved is not a filter. Use is:thread, is:archived or is:ticket."},
		{"status:Pending", "status:Pending is not a filter. Use status:open, status:assigned, status:resolved, status:closed or status:unresolved."},
		{"before:2026-13-01", "before:2026-13-01 is not a date. Use a day like before:2026-11-05, before:today or before:yesterday."},
		{"before:2026-02-29", "before:2026-02-29 is not a date. Use a day like before:2026-11-05, before:today or before:yesterday."},
		{"after:tomorrow", "after:tomorrow is not a date. Use a day like after:2026-11-05, after:today or after:yesterday."},
		{"on:2026-1-5", "on:2026-1-5 is not a date. Use a day like on:2026-11-05, on:today or on:yesterday."},
		{"on:2026/11/05", "on:2026/11/05 is not a date. Use a day like on:2026-11-05, on:today or on:yesterday."},
		{"on:+026-11-05", "on:+026-11-05 is not a date. Use a day like on:2026-11-05, on:today or on:yesterday."},
		{"on:1899-12-31", "on:1899-12-31 is not a date. Use a day like on:2026-11-05, on:today or on:yesterday."},
		{"on:2026", "on:2026 is not a date. Use a day like on:2026-11-05, on:today or on:yesterday."},
		{"during:2026-13", "during:2026-13 is not a period. Use a year (during:2026), a month (during:2026-11 or during:november), a day (during:2026-11-05), today or yesterday."},
		{"during:smarch", "during:smarch is not a period. Use a year (during:2026), a month (during:2026-11 or during:november), a day (during:2026-11-05), today or yesterday."},
		{"during:26", "during:26 is not a period. Use a year (during:2026), a month (during:2026-11 or during:november), a day (during:2026-11-05), today or yesterday."},
		{"during:0001", "during:0001 is not a period. Use a year (during:2026), a month (during:2026-11 or during:november), a day (during:2026-11-05), today or yesterday."},
		{"after:2026-11-10 before:2026-11-05", "No day is left to search: after:2026-11-10 before:2026-11-05 exclude each other."},
		{"after:2026-11-05 before:2026-11-06", "No day is left to search: after:2026-11-05 before:2026-11-06 exclude each other."},
		{"on:2026-11-05 on:2026-11-06", "No day is left to search: on:2026-11-05 on:2026-11-06 exclude each other."},
		{"during:2025 on:today", "No day is left to search: during:2025 on:today exclude each other."},
		{"-from:@ana deploy", `Filters cannot be excluded: remove the - before "from:".`},
		{`-in:"ops team" deploy`, `Filters cannot be excluded: remove the - before "in:".`},
		{"-@ana deploy", `Mentions cannot be excluded: remove the - before "@ana".`},
		{"\xff", "The search contains bytes that are not text."},
		{strings.Repeat("a", MaxQueryRunes+1), "The search is too long: 513 characters, at most 512."},
		{strings.Repeat("w ", MaxTerms) + "-x", "Too many words: 17, at most 16."},
		{strings.Repeat("a*b ", MaxTerms/2+1), "Too many words: 18, at most 16."},
		{strings.Repeat("from:@a ", MaxFiltersPerKey+1), "Too many from: filters: at most 8."},
		{"@a " + strings.Repeat("mentions:@b ", MaxFiltersPerKey), "Too many mentions: filters: at most 8."},
	}
	opt := Options{Now: time.Date(2026, 12, 7, 20, 30, 0, 0, time.UTC), Loc: mustLoad(t, "Asia/Tokyo")}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			q, err := Parse(tt.q, opt)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.q, q)
			}
			var e *relay.Error
			if !errors.As(err, &e) || e.Code != relay.EINVALID {
				t.Fatalf("Parse(%q) error = %#v, want a relay.Error with code %s", tt.q, err, relay.EINVALID)
			}
			if e.Message != tt.want {
				t.Errorf("Parse(%q) message:\n got %q\nwant %q", tt.q, e.Message, tt.want)
			}
		})
	}
}

func TestValues(t *testing.T) {
	q, err := Parse("from:@ana deploy in:#ops FROM:me @bo has:link", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want []string
	}{
		{"from", []string{"@ana", "me"}},
		{"FROM", []string{"@ana", "me"}},
		{"in", []string{"#ops"}},
		{"mentions", []string{"@bo"}},
		{"has", []string{"link"}},
		{"is", nil},
		{"nope", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, q.Values(tt.key)); diff != "" {
			t.Errorf("Values(%q) mismatch (-want +got):\n%s", tt.key, diff)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"deploy", `"error budget" -staging deploy*`, `from:"Ana Lima" in:#ops @bo`,
		"https://relay.example 10:30 a:", "has:link is:thread status:unresolved",
		"before:2026-11-05 after:2026-11-01 on:today during:november during:2026-11",
		"東京タワー ภาษาไทย", "-\"", "“x„", "de*ploy*", "-from:x", "foo:bar", "\xff",
		"during:2025 on:yesterday", `in:"`, "-@", "@@", "from:<@123>",
	} {
		f.Add(s)
	}
	opt := Options{Now: time.Date(2026, 12, 7, 20, 30, 0, 0, time.UTC), Loc: mustLoad(f, "Asia/Tokyo")}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s, opt)
		if err != nil {
			if code := relay.ErrorCode(err); code != relay.EINVALID {
				t.Fatalf("Parse(%q) error code %q, want %q", s, code, relay.EINVALID)
			}
			return
		}
		if len(q.Terms) == 0 && len(q.Filters) == 0 {
			t.Errorf("Parse(%q) succeeded with nothing to look for", s)
		}
		for _, terms := range [][]Term{q.Terms, q.Exclude} {
			for _, term := range terms {
				if term.Text == "" || !utf8.ValidString(term.Text) {
					t.Errorf("Parse(%q): bad term %+q", s, term.Text)
				}
			}
		}
		if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
			t.Errorf("Parse(%q): Since %v not before Until %v", s, q.Since, q.Until)
		}
		for _, fl := range q.Filters {
			if !knownKey(fl.Key) || fl.Value == "" {
				t.Errorf("Parse(%q): bad filter %+v", s, fl)
			}
		}
	})
}

func repeatTerm(t Term, n int) []Term {
	ts := make([]Term, n)
	for i := range ts {
		ts[i] = t
	}
	return ts
}

func repeatFilter(f Filter, n int) []Filter {
	fs := make([]Filter, n)
	for i := range fs {
		fs[i] = f
	}
	return fs
}

func BenchmarkParse(b *testing.B) {
	q := `deploy "error budget" -staging from:@ana in:#ops has:link after:2026-11-01 during:2026 東京タワー deploy*`
	for b.Loop() {
		if _, err := Parse(q, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
