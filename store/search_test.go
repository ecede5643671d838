package store_test

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// bodies returns the messages' bodies in order.
func bodies(msgs []relay.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}

func words(texts ...string) []relay.SearchTerm {
	out := make([]relay.SearchTerm, len(texts))
	for i, s := range texts {
		out[i] = relay.SearchTerm{Text: s}
	}
	return out
}

func mustSearch(t *testing.T, db *store.DB, s relay.MessageSearch) *relay.MessageHits {
	t.Helper()
	hits, err := db.SearchMessages(ctx, s)
	if err != nil {
		t.Fatalf("SearchMessages(%+v): %v", s, err)
	}
	return hits
}

// TestSearchMessages is the conformance test of message search: every
// filter, CJK and Thai substrings, the permission filter, tenants, edits,
// deletes, purges and reindexing, on both engines.
func TestSearchMessages(t *testing.T) {
	searchEngines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
		b := mustCreateWorkspace(t, db, "beta", "owner@beta.test")
		bob := mustMember(t, db, a, "bob@acme.test")
		random := mustCreateChannel(t, db, a, "random", relay.ChannelPublic, bob.ID)
		secret := mustCreateChannel(t, db, a, "secret", relay.ChannelPrivate, bob.ID)

		at := func(m *relay.Message, d time.Duration) *relay.Message { m.CreatedAt = t0.Add(d); return m }
		deploy := mustPostOne(t, db, at(msg(a.general, a.owner, "Deploy the mockups to staging"), time.Hour))
		cafe := mustPostOne(t, db, at(msg(a.general, bob, "the café is closed today"), 2*time.Hour))
		link := mustPostOne(t, db, at(msg(random, bob, "redeploy failed, see HTTPS://ci.example/123"), 3*time.Hour))
		ja := mustPostOne(t, db, at(msg(a.general, a.owner, "本日の会議で二重に請求されました"), 4*time.Hour))
		th := mustPostOne(t, db, at(msg(random, a.owner, "ลูกค้าถูกเรียกเก็บเงินซ้ำสองครั้ง"), 5*time.Hour))
		notes := at(msg(secret, a.owner, "deployment notes for <@"+strconv.FormatInt(int64(bob.ID), 10)+"> go here"), 6*time.Hour)
		notes.Mentions = []relay.ID{bob.ID}
		notes = mustPostOne(t, db, notes)
		root := mustPostOne(t, db, at(msg(random, a.owner, "thread about quarterly planning"), 7*time.Hour))
		mustPostOne(t, db, at(reply(root, bob, "a reply on quarterly numbers", false), 8*time.Hour))
		mustPostOne(t, db, at(msg(b.general, b.owner, "Deploy the mockups at beta"), time.Hour))
		if _, _, err := db.AddReaction(ctx, a.ws.ID, cafe.ID, bob.ID, "tada", t0); err != nil {
			t.Fatal(err)
		}

		all := []relay.ID{a.general.ID, random.ID, secret.ID}
		type tc struct {
			name string
			s    relay.MessageSearch
			want []string // bodies, newest first unless sorted by relevance
		}
		run := func(t *testing.T, cases []tc) {
			t.Helper()
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					s := c.s
					s.WorkspaceID = a.ws.ID
					if s.Channels == nil {
						s.Channels = all
					}
					if s.Sort == "" {
						s.Sort = relay.SortNewest
					}
					got := bodies(mustSearch(t, db, s).Messages)
					if !slices.Equal(got, c.want) {
						t.Errorf("got %q, want %q", got, c.want)
					}
				})
			}
		}
		run(t, []tc{
			{"word", relay.MessageSearch{Terms: words("deploy")}, []string{deploy.Body}},
			{"words all must match", relay.MessageSearch{Terms: words("deploy", "staging")}, []string{deploy.Body}},
			{"words none", relay.MessageSearch{Terms: words("deploy", "closed")}, nil},
			{"case folded", relay.MessageSearch{Terms: words("DEPLOY")}, []string{deploy.Body}},
			{"prefix", relay.MessageSearch{Terms: []relay.SearchTerm{{Text: "deploy", Prefix: true}}}, []string{notes.Body, deploy.Body}},
			{"phrase", relay.MessageSearch{Terms: []relay.SearchTerm{{Text: "the mockups", Phrase: true}}}, []string{deploy.Body}},
			{"phrase order", relay.MessageSearch{Terms: []relay.SearchTerm{{Text: "mockups the", Phrase: true}}}, nil},
			{"diacritics folded", relay.MessageSearch{Terms: words("cafe")}, []string{cafe.Body}},
			{"diacritics in query", relay.MessageSearch{Terms: words("CAFÉ")}, []string{cafe.Body}},
			{"exclude", relay.MessageSearch{Terms: words("the"), Exclude: words("cafe")}, []string{deploy.Body}},
			{"exclude prefix", relay.MessageSearch{Terms: words("the"), Exclude: []relay.SearchTerm{{Text: "mock", Prefix: true}}}, []string{cafe.Body}},
			{"japanese substring", relay.MessageSearch{Terms: words("二重に")}, []string{ja.Body}},
			{"japanese two characters", relay.MessageSearch{Terms: words("請求")}, []string{ja.Body}},
			{"japanese one character", relay.MessageSearch{Terms: words("会")}, []string{ja.Body}},
			{"japanese not adjacent", relay.MessageSearch{Terms: words("日会")}, nil},
			{"thai substring", relay.MessageSearch{Terms: words("เรียกเก็บ")}, []string{th.Body}},
			{"cjk and word", relay.MessageSearch{Terms: words("二重に", "deploy")}, nil},
			{"cjk excluded", relay.MessageSearch{Channels: []relay.ID{a.general.ID}, Terms: words("本日"), Exclude: words("二重に")}, nil},
			{"from", relay.MessageSearch{From: []relay.ID{bob.ID}, Terms: []relay.SearchTerm{{Text: "deploy", Prefix: true}}}, nil},
			{"from only", relay.MessageSearch{From: []relay.ID{bob.ID}}, []string{"a reply on quarterly numbers", link.Body, cafe.Body}},
			{"in", relay.MessageSearch{Channels: []relay.ID{random.ID}, Terms: words("quarterly")}, []string{"a reply on quarterly numbers", root.Body}},
			{"in only", relay.MessageSearch{Channels: []relay.ID{secret.ID}}, []string{notes.Body}},
			{"has link", relay.MessageSearch{HasLink: true}, []string{link.Body}},
			{"has link and word", relay.MessageSearch{HasLink: true, Terms: words("redeploy")}, []string{link.Body}},
			{"has reaction", relay.MessageSearch{HasReaction: true}, []string{cafe.Body}},
			{"is thread", relay.MessageSearch{IsThread: true, Terms: words("quarterly")}, []string{"a reply on quarterly numbers", root.Body}},
			{"mentions", relay.MessageSearch{Mentions: []relay.ID{bob.ID}}, []string{notes.Body}},
			{"mention markup is not text", relay.MessageSearch{Terms: words(strconv.FormatInt(int64(bob.ID), 10))}, nil},
			{"since", relay.MessageSearch{Terms: words("the"), Since: t0.Add(90 * time.Minute)}, []string{cafe.Body}},
			{"until", relay.MessageSearch{Terms: words("the"), Until: t0.Add(90 * time.Minute)}, []string{deploy.Body}},
			{"permission: no private channel", relay.MessageSearch{Channels: []relay.ID{a.general.ID, random.ID}, Terms: []relay.SearchTerm{{Text: "deploy", Prefix: true}}}, []string{deploy.Body}},
			{"permission: no channels", relay.MessageSearch{Channels: []relay.ID{}, Terms: words("deploy")}, nil},
			{"tenant: another workspace's channel id", relay.MessageSearch{Channels: []relay.ID{b.general.ID}, Terms: words("mockups")}, nil},
			{"tenant: mixed channel ids", relay.MessageSearch{Channels: []relay.ID{a.general.ID, b.general.ID}, Terms: words("mockups")}, []string{deploy.Body}},
			{"unsearchable term", relay.MessageSearch{Terms: words("!!!")}, nil},
			{"quotes in term", relay.MessageSearch{Terms: words(`de"ploy`)}, nil},
			{"fts syntax is text", relay.MessageSearch{Terms: words("deploy OR closed")}, nil},
			{"many channels", relay.MessageSearch{Channels: append(slices.Repeat([]relay.ID{999}, 20), all...), Terms: words("deploy")}, []string{deploy.Body}},
		})

		t.Run("relevance", func(t *testing.T) {
			p := mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: all, Terms: words("quarterly"), Sort: relay.SortRelevance})
			if len(p.Messages) != 2 || p.Total != 2 || p.TotalCapped || p.Next != nil {
				t.Fatalf("got %q total %d capped %v next %v", bodies(p.Messages), p.Total, p.TotalCapped, p.Next)
			}
		})

		t.Run("edit and delete", func(t *testing.T) {
			if _, err := db.EditMessage(ctx, a.ws.ID, deploy.ID, "Ship the mockups", nil, false, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DeleteMessage(ctx, a.ws.ID, cafe.ID, t0); err != nil {
				t.Fatal(err)
			}
			run(t, []tc{
				{"old text gone", relay.MessageSearch{Terms: words("deploy")}, nil},
				{"new text found", relay.MessageSearch{Terms: words("ship")}, []string{"Ship the mockups"}},
				{"deleted gone", relay.MessageSearch{Terms: words("cafe")}, nil},
				{"deleted gone from filters", relay.MessageSearch{HasReaction: true}, nil},
			})
			must(t, db.Reindex(ctx))
			run(t, []tc{
				{"reindexed: old text gone", relay.MessageSearch{Terms: words("deploy")}, nil},
				{"reindexed: new text", relay.MessageSearch{Terms: words("ship")}, []string{"Ship the mockups"}},
				{"reindexed: japanese", relay.MessageSearch{Terms: words("二重に")}, []string{ja.Body}},
				{"reindexed: scope", relay.MessageSearch{Mentions: []relay.ID{bob.ID}}, []string{notes.Body}},
			})
		})

		t.Run("purge", func(t *testing.T) {
			must(t, db.DeleteWorkspace(ctx, b.ws.ID))
			hits := mustSearch(t, db, relay.MessageSearch{WorkspaceID: b.ws.ID, Channels: []relay.ID{b.general.ID}, Terms: words("mockups")})
			if len(hits.Messages) != 0 {
				t.Fatalf("a deleted workspace's message was found: %q", bodies(hits.Messages))
			}
		})
	})
}

// TestSearchPaging pages through relevance and newest results, and caps
// totals at relay.SearchCandidates.
func TestSearchPaging(t *testing.T) {
	searchEngines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
		var msgs []*relay.Message
		for i := range relay.SearchCandidates + 20 {
			body := "bulk item " + strconv.Itoa(i)
			if i%2 == 0 {
				body += " bulk" // ranks higher
			}
			m := msg(a.general, a.owner, body)
			m.CreatedAt = t0.Add(time.Duration(i) * time.Second)
			msgs = append(msgs, m)
		}
		mustPost(t, db, msgs...)
		for _, sort := range []relay.SearchSort{relay.SortRelevance, relay.SortNewest} {
			t.Run(string(sort), func(t *testing.T) {
				s := relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: []relay.ID{a.general.ID}, Terms: words("bulk"), Sort: sort, Limit: 50}
				seen := map[relay.ID]bool{}
				pages := 0
				var first *relay.MessageHits
				for {
					p := mustSearch(t, db, s)
					if first == nil {
						first = p
					}
					pages++
					for _, m := range p.Messages {
						if seen[m.ID] {
							t.Fatalf("page %d repeats %q", pages, m.Body)
						}
						seen[m.ID] = true
					}
					if p.Next == nil {
						break
					}
					if pages > 20 {
						t.Fatal("paging does not end")
					}
					s.Page = *p.Next
					// A new message between pages does not shift them.
					mustPostOne(t, db, msg(a.general, a.owner, "bulk newcomer "+strconv.Itoa(pages)))
				}
				if first.Total != relay.SearchCandidates || !first.TotalCapped {
					t.Errorf("total %d capped %v, want %d capped", first.Total, first.TotalCapped, relay.SearchCandidates)
				}
				if sort == relay.SortRelevance {
					if len(seen) < relay.SearchCandidates {
						t.Errorf("relevance paged through %d results, want at least %d", len(seen), relay.SearchCandidates)
					}
					// The doubled word ranks first.
					if b := first.Messages[0].Body; b[len(b)-5:] != " bulk" {
						t.Errorf("best match %q does not have the word twice", b)
					}
				} else if len(seen) < len(msgs) {
					t.Errorf("newest paged through %d results, want all %d", len(seen), len(msgs))
				}
			})
		}
	})
}

// FuzzSearchTerms sends arbitrary terms through both engines' query
// building: whatever the text (quotes, FTS5 or tsquery syntax, accents
// unaccent rewrites, control characters), a search answers without error.
func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"deploy", `"`, `a"b`, "NEAR(a b)", "a OR b", "-x", "*", "x:*", "a & b | !c", "don't",
		"aʼb", `a\b`, "ǅemal", "日本", "二重に", "เรียก", "(", ")", "{body}", "scope:c1", "^a", "\x00", "e\u0301", "ß"} {
		f.Add(s, false, false)
		f.Add(s, true, false)
		f.Add(s, false, true)
	}
	dbs := []*store.DB{testdb.SQLite(f)}
	if !testing.Short() {
		gin := testdb.Postgres(f)
		gin.DisableSearchRUM()
		dbs = append(dbs, testdb.Postgres(f), gin)
	}
	type fixture struct {
		ws, ch relay.ID
	}
	fx := make([]fixture, len(dbs))
	var once sync.Once
	f.Fuzz(func(t *testing.T, text string, prefix, exclude bool) {
		if !utf8.ValidString(text) {
			return // the parser refuses it before any store
		}
		// Each engine searches a workspace with a message, so the query
		// is evaluated against rows, not planned away on empty tables.
		once.Do(func() {
			for i, db := range dbs {
				a := mustCreateWorkspace(t, db, "fuzz", "owner@fuzz.test")
				mustPostOne(t, db, msg(a.general, a.owner, "x don't café 日本語の文 aʼb ß"))
				fx[i] = fixture{ws: a.ws.ID, ch: a.general.ID}
			}
		})
		for i, db := range dbs {
			term := relay.SearchTerm{Text: text, Prefix: prefix}
			s := relay.MessageSearch{WorkspaceID: fx[i].ws, Channels: []relay.ID{fx[i].ch}, Terms: []relay.SearchTerm{{Text: "x"}}}
			if exclude {
				s.Exclude = []relay.SearchTerm{term}
			} else {
				s.Terms = []relay.SearchTerm{term}
			}
			for _, sort := range []relay.SearchSort{relay.SortRelevance, relay.SortNewest} {
				s.Sort = sort
				if _, err := db.SearchMessages(ctx, s); err != nil {
					t.Fatalf("%s: SearchMessages(%q, prefix %v, exclude %v): %v", db.Engine(), text, prefix, exclude, err)
				}
			}
		}
	})
}

// TestSearchMigrationIndexesExistingMessages: the search migration builds
// the index for the messages already stored when it runs.
func TestSearchMigrationIndexesExistingMessages(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
		// Posted at schema 12, then the schema goes back to 11 (no index)
		// and up again: the messages are there before the index is.
		m := mustPostOne(t, db, msg(a.general, a.owner, "older than the index 二重に請求"))
		must(t, db.MigrateDownTo(ctx, 11))
		if v, err := db.MigrationVersion(ctx); err != nil || v != 11 {
			t.Fatalf("schema at %d (%v) after going down to 11", v, err)
		}
		must(t, db.Migrate(ctx))
		for _, term := range []string{"older", "二重に", "請求"} {
			hits := mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: []relay.ID{a.general.ID}, Terms: words(term)})
			if len(hits.Messages) != 1 || hits.Messages[0].ID != m.ID {
				t.Errorf("%q after the migration: got %q", term, bodies(hits.Messages))
			}
		}
	})
}

// TestMembersNamed: how from:@name finds people, and that email matching
// is the caller's choice (customers may not probe staff addresses).
func TestMembersNamed(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
		ana := newUser("asilva@acme.test")
		ana.DisplayName = "Ana Silva"
		mustAddMember(t, db, a, ana, true, relay.RoleAgent, t0)
		for _, c := range []struct {
			name    string
			byEmail bool
			want    bool
		}{
			{"ana silva", false, true}, {"anasilva", false, true}, {"Ana", false, true}, {"ANA", false, true},
			{"silva", false, false}, {"asilva", false, false}, {"asilva", true, true}, {"an", true, false}, {"a%", true, false},
		} {
			ms, err := db.MembersNamed(ctx, a.ws.ID, c.name, c.byEmail)
			must(t, err)
			found := slices.ContainsFunc(ms, func(m relay.Member) bool { return m.User.ID == ana.ID })
			if found != c.want {
				t.Errorf("MembersNamed(%q, byEmail %v) found Ana: %v, want %v", c.name, c.byEmail, found, c.want)
			}
		}
	})
}

// TestSearchRanking: relevance puts the message that uses the words most
// first, on both engines (SQLite ranks in Go, PostgreSQL with ts_rank), and
// the newest first among equals.
func TestSearchRanking(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
		post := func(body string, d time.Duration) *relay.Message {
			m := msg(a.general, a.owner, body)
			m.CreatedAt = t0.Add(d)
			return mustPostOne(t, db, m)
		}
		twice := post("Deploy, deploy, deploy: the release train", time.Minute)
		post("we deploy on fridays sometimes when the weather allows it and nobody objects", 2*time.Minute)
		older := post("please deploy", 30*time.Second)
		newer := post("please deploy", 3*time.Minute)
		hits := mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: []relay.ID{a.general.ID}, Terms: words("deploy"), Sort: relay.SortRelevance})
		if len(hits.Messages) != 4 || hits.Messages[0].ID != twice.ID {
			t.Fatalf("got %q, want %q first", bodies(hits.Messages), twice.Body)
		}
		pos := map[relay.ID]int{}
		for i, m := range hits.Messages {
			pos[m.ID] = i
		}
		if pos[newer.ID] > pos[older.ID] {
			t.Errorf("equal matches not newest first: %q", bodies(hits.Messages))
		}
		// Japanese substrings and prefixes rank too.
		post("請求書の請求書", 4*time.Minute)
		post("請求書です", 5*time.Minute)
		hits = mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: []relay.ID{a.general.ID}, Terms: words("請求書"), Sort: relay.SortRelevance})
		if len(hits.Messages) != 2 {
			t.Fatalf("請求書: got %q", bodies(hits.Messages))
		}
	})
}

// TestSearchAcrossMonths: messages spread over two years (ids made at
// their time, one from a clock running ahead) page in strict id order on
// both engines, newest and by relevance, with nothing missed or repeated,
// from a cursor inside the history too, and with the 500-candidate cap.
func TestSearchAcrossMonths(t *testing.T) {
	searchEngines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
		now := time.Now().UTC()
		var msgs []*relay.Message
		at := func(tm time.Time, i int, body string) {
			m := msg(a.general, a.owner, body)
			m.ID = idAt(tm) + relay.ID(i)
			msgs = append(msgs, m)
		}
		for i := range 60 { // every 11 days back to ~22 months ago
			at(now.AddDate(0, 0, -11*i), i, "window sample "+strconv.Itoa(i))
		}
		at(now.AddDate(0, 9, 0), 0, "window sample from a clock ahead")
		at(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), 0, "window sample early") // the oldest month
		mustPost(t, db, msgs...)
		all := []relay.ID{a.general.ID}
		wantIDs := make([]relay.ID, len(msgs))
		for i, m := range msgs {
			wantIDs[i] = m.ID
		}
		slices.Sort(wantIDs)
		slices.Reverse(wantIDs)

		pageAll := func(t *testing.T, sort relay.SearchSort, limit int) []relay.ID {
			t.Helper()
			s := relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: all, Terms: words("window", "sample"), Sort: sort, Limit: limit}
			var got []relay.ID
			for pages := 0; ; pages++ {
				p := mustSearch(t, db, s)
				if pages == 0 && (p.Total != len(msgs) || p.TotalCapped) {
					t.Fatalf("%s: total %d (capped %v), want %d", sort, p.Total, p.TotalCapped, len(msgs))
				}
				for _, m := range p.Messages {
					got = append(got, m.ID)
				}
				if p.Next == nil {
					return got
				}
				if pages > len(msgs) {
					t.Fatal("paging does not end")
				}
				s.Page = *p.Next
			}
		}
		check := func(t *testing.T) {
			for _, limit := range []int{7, 50} {
				if got := pageAll(t, relay.SortNewest, limit); !slices.Equal(got, wantIDs) {
					t.Fatalf("newest, pages of %d: got %d ids %v, want %v", limit, len(got), got, wantIDs)
				}
				got := pageAll(t, relay.SortRelevance, limit)
				slices.Sort(got)
				slices.Reverse(got)
				if !slices.Equal(got, wantIDs) {
					t.Fatalf("relevance, pages of %d: got %d ids, want all %d once", limit, len(got), len(wantIDs))
				}
			}
			// A phrase that only the oldest message has, and a cursor
			// inside the history.
			p := mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: all, Terms: words("sample early"), Sort: relay.SortNewest})
			if len(p.Messages) != 1 || p.Messages[0].Body != "window sample early" {
				t.Fatalf("oldest phrase: %q", bodies(p.Messages))
			}
			mid := wantIDs[30]
			p = mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: all, Terms: words("window"),
				Sort: relay.SortNewest, Limit: 5, Page: relay.SearchPage{Before: mid}})
			if len(p.Messages) != 5 || p.Messages[0].ID != wantIDs[31] || p.Messages[4].ID != wantIDs[35] {
				t.Fatalf("page before %d: %v", mid, p.Messages)
			}
		}
		t.Run("pages", check)
		// Many more matches than the candidate cap: the cap falls inside
		// the newest window and newest paging still runs through all.
		var bulk []*relay.Message
		for i := range relay.SearchCandidates + 10 {
			m := msg(a.general, a.owner, "window sample bulk "+strconv.Itoa(i))
			m.ID = idAt(now.Add(-time.Duration(i)*time.Minute)) + 100
			bulk = append(bulk, m)
		}
		mustPost(t, db, bulk...)
		p := mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: all, Terms: words("window"), Sort: relay.SortNewest, Limit: 50})
		if !p.TotalCapped || p.Messages[0].Body != "window sample from a clock ahead" {
			t.Fatalf("capped %v, first %q", p.TotalCapped, p.Messages[0].Body)
		}
	})
}

// searchEngines runs fn on SQLite, on PostgreSQL with its RUM search index
// (scripts/test-services.sh installs the extension; under CI its absence
// fails) and on PostgreSQL with GIN alone, as a server without RUM runs.
func searchEngines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		if db.Engine() == store.EnginePostgres && !hasRUM(t, db) {
			t.Log("PostgreSQL has no rum extension: searching with GIN only")
		}
		fn(t, db)
	})
	t.Run("postgres-gin", func(t *testing.T) {
		db := testdb.Postgres(t)
		db.DisableSearchRUM()
		fn(t, db)
	})
}

// TestSearchRUMChoice: PostgreSQL reads the RUM index unless every word of
// the query is among the commonest (RUM sorts all matches of the rarest
// word first), and never for substrings or prefixes alone.
func TestSearchRUMChoice(t *testing.T) {
	db := testdb.Postgres(t)
	if !hasRUM(t, db) {
		t.Skip("PostgreSQL has no rum extension")
	}
	db.SetCommonWords(map[string]float64{"the": 0.55, "on": 0.08, "call": 0.06, "do": 0.04, "cafe": 0.2})
	for _, c := range []struct {
		terms []relay.SearchTerm
		want  bool
	}{
		{words("the"), false},
		{words("The"), false},
		{words("do"), true},
		{words("on call"), false},
		{words("the", "on"), false},
		{words("the", "deploy"), true},
		{words("pull request"), true},
		{words("Café"), false},
		{words("会議"), true},
		{words("請求書"), false}, // a trigram substring
		{[]relay.SearchTerm{{Text: "conf", Prefix: true}}, false},
		{[]relay.SearchTerm{{Text: "conf", Prefix: true}, {Text: "deploy"}}, true},
	} {
		if got := db.SearchRUMFor(ctx, c.terms); got != c.want {
			t.Errorf("%v: RUM %v, want %v", c.terms, got, c.want)
		}
	}
	db.DisableSearchRUM()
	if db.SearchRUMFor(ctx, words("deploy")) {
		t.Error("RUM chosen without the index")
	}
}

// TestReindexBuildsRUM: `relay reindex` (like every start) makes the RUM
// index where the extension is installed and the index is missing.
func TestReindexBuildsRUM(t *testing.T) {
	db := testdb.Postgres(t)
	if !hasRUM(t, db) {
		t.Skip("PostgreSQL has no rum extension")
	}
	a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
	mustPostOne(t, db, msg(a.general, a.owner, "found through rum"))
	exec(t, db, `DROP INDEX messages_search_rum_idx`)
	must(t, db.DetectRUM(ctx))
	if db.SearchUsesRUM() {
		t.Fatal("RUM still in use without its index")
	}
	must(t, db.Reindex(ctx))
	if !db.SearchUsesRUM() {
		t.Fatal("reindex did not build the RUM index")
	}
	if got := bodies(mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: []relay.ID{a.general.ID}, Terms: words("rum")}).Messages); !slices.Equal(got, []string{"found through rum"}) {
		t.Fatalf("search after reindex: %q", got)
	}
}

// hasRUM reports whether db's PostgreSQL has the RUM search index; where
// the suites may not skip (CI=true, RELAY_TEST_REQUIRE_POSTGRES=1), its
// absence fails the test: scripts/test-services.sh installs the extension.
func hasRUM(t *testing.T, db *store.DB) bool {
	t.Helper()
	if db.SearchUsesRUM() {
		return true
	}
	if os.Getenv("CI") == "true" || os.Getenv("RELAY_TEST_REQUIRE_POSTGRES") == "1" {
		t.Fatal("PostgreSQL has no rum extension: scripts/test-services.sh installs it (postgresql-<version>-rum)")
	}
	return false
}
