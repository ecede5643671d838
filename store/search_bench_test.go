package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// BenchmarkSearch measures message search (docs/perf.md, "Search") over a
// generated corpus: by default 20,000 messages, so that
//
//	go test -run XXX -bench Search ./store
//
// is quick; RELAY_SEARCH_BENCH_MESSAGES=1000000 is the size. The
// corpus is always 1,000 channels and 1,000 users; English words follow a
// Zipf distribution over a vocabulary of ~1,000 common words and a long tail
// of made-up but English-looking ones, message lengths are chat-like (mostly
// short), 10 % of the messages are Japanese or Thai built from a few hundred
// words and phrases of each, and some carry links, mentions or are thread
// replies. It is written through PostMessages in batches, so the search
// triggers and indexes do the indexing as in production.
//
// Generating a million messages takes minutes, so the corpus is kept between
// runs: SQLite in a file under os.TempDir(), PostgreSQL in a database
// relay_search_bench_<n>, both named by the message count and reused when
// the generator and the search migration are unchanged and the message count
// matches. PostgreSQL is vacuumed and analysed after generation, as
// autovacuum would have done by the time a million messages exist.
//
// Sub-benchmarks are <engine>/corpus (size of the indexes on disk per
// message, build rate) and <engine>/ch=<n>/<class>/<sort>: n is how many
// channels the searcher may read (a tenth of them, and all). Each reports
// p50-ms and p95-ms latency of one SearchMessages call (first page of 20),
// cpu-ms/q (the benchmark process's user+system CPU per query: all of
// SQLite, and on PostgreSQL the client side) and, on PostgreSQL,
// pg-cpu-ms/q (the CPU of the database's backend processes, from
// /proc/<pid>/stat, when they are on this machine), and hits (the total,
// capped at relay.SearchCandidates). Use a fixed count for stable
// percentiles: -benchtime 200x.
func BenchmarkSearch(b *testing.B) {
	n := 20000
	if s := os.Getenv("RELAY_SEARCH_BENCH_MESSAGES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("RELAY_SEARCH_BENCH_MESSAGES=%q: want a number ≥ 1000", s)
		}
		n = v
	}
	g := newSearchCorpus(n)
	for _, engine := range []string{store.EngineSQLite, store.EnginePostgres} {
		b.Run(engine, func(b *testing.B) {
			bc := openSearchCorpus(b, engine, g)
			b.Run("corpus", func(b *testing.B) {
				for b.Loop() { // nothing to time: the metrics are what count
				}
				bc.reportCorpus(b)
			})
			scopes := [][]relay.ID{g.scope(bc.channels, 10), bc.channels}
			for _, scope := range scopes {
				for _, q := range g.classes(bc, scope) {
					for _, sort := range []relay.SearchSort{relay.SortRelevance, relay.SortNewest} {
						name := fmt.Sprintf("ch=%d/%s/%s", len(scope), q.name, sort)
						b.Run(name, func(b *testing.B) { bc.run(b, q.variants, sort, scope) })
					}
				}
			}
		})
	}
}

// searchCorpusVersion changes whenever the generator does, so a cached
// corpus of an older generator is rebuilt.
const searchCorpusVersion = "v2"

const (
	searchBenchChannels = 1000
	searchBenchUsers    = 1000
	searchBenchBatch    = 250
	searchBenchSeed     = 20261207
)

// searchCorpus is the deterministic description of the corpus: the
// vocabularies and who writes where. Everything a query needs (which words
// have which rank, which author and channel are busiest) is derived from it
// again when the corpus is reused.
type searchCorpus struct {
	n        int
	words    []string // English vocabulary, most frequent first
	phrases  []string // two-word collocations
	ja, th   []string // Japanese and Thai fragments, most frequent first
	chanRank []int    // chanRank[r] is the channel index of activity rank r
	userRank []int    // userRank[r] is the user index of activity rank r
}

func newSearchCorpus(n int) *searchCorpus {
	r := rand.New(rand.NewPCG(searchBenchSeed, 1))
	g := &searchCorpus{
		n:       n,
		words:   englishVocabulary(r),
		phrases: strings.Split(benchPhrases, ","),
		ja:      strings.Fields(benchJapanese),
		th:      strings.Fields(benchThai),
	}
	g.chanRank = r.Perm(searchBenchChannels)
	g.userRank = r.Perm(searchBenchUsers)
	return g
}

// key names the corpus in caches: its size, the generator's version and
// the search migrations of the engine (a changed index means a rebuild).
func (g *searchCorpus) key(b *testing.B, engine string) string {
	var mig []byte
	for _, name := range []string{"00012_search.sql", "00013_search_index.sql"} {
		raw, err := os.ReadFile(filepath.Join("migrations", engine, name))
		if err != nil {
			b.Fatal(err)
		}
		mig = append(mig, raw...)
	}
	h := sha256.Sum256(append(mig, searchCorpusVersion+corpusMonth().Format("2006-01")...))
	return hex.EncodeToString(h[:6])
}

// corpusMonth is the first day of this month: the corpus's history ends
// there.
func corpusMonth() time.Time {
	now := time.Now().UTC()
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// idAt is the smallest message id made at t: ids are the milliseconds since
// 2025-01-01 shifted left 22 bits (relay.IDGen).
func idAt(t time.Time) relay.ID {
	return relay.ID(t.Sub(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).Milliseconds() << 22)
}

// scope is every k-th channel: a searcher who may read 1/k of them, busy and
// quiet ones alike.
func (g *searchCorpus) scope(channels []relay.ID, k int) []relay.ID {
	var out []relay.ID
	for i := 0; i < len(channels); i += k {
		out = append(out, channels[i])
	}
	return out
}

// The Zipf distributions: words (s = 1.1, close to natural language), and
// how busy channels and authors are.
func (g *searchCorpus) generator(r *rand.Rand) *corpusGen {
	return &corpusGen{
		g:     g,
		r:     r,
		word:  rand.NewZipf(r, 1.1, 1, uint64(len(g.words)-1)),
		ja:    rand.NewZipf(r, 1.1, 2, uint64(len(g.ja)-1)),
		th:    rand.NewZipf(r, 1.1, 2, uint64(len(g.th)-1)),
		chans: rand.NewZipf(r, 1.2, 20, searchBenchChannels-1),
		users: rand.NewZipf(r, 1.2, 10, searchBenchUsers-1),
	}
}

type corpusGen struct {
	g                          *searchCorpus
	r                          *rand.Rand
	word, ja, th, chans, users *rand.Zipf
}

// length is a chat message's length in words: mostly short.
func (c *corpusGen) length() int {
	switch u := c.r.Float64(); {
	case u < 0.35:
		return 1 + c.r.IntN(4)
	case u < 0.75:
		return 5 + c.r.IntN(8)
	case u < 0.94:
		return 13 + c.r.IntN(18)
	default:
		return 31 + c.r.IntN(50)
	}
}

func (c *corpusGen) english() string {
	n := c.length()
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		var w string
		if c.r.IntN(25) == 0 {
			w = c.g.phrases[c.r.IntN(len(c.g.phrases))]
			i++
		} else {
			w = c.g.words[c.word.Uint64()]
		}
		if i == 0 || (i > 0 && c.r.IntN(12) == 0) {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		if i < n-1 && c.r.IntN(10) == 0 {
			b.WriteByte(',')
		}
	}
	switch c.r.IntN(4) {
	case 0:
		b.WriteByte('.')
	case 1:
		b.WriteByte('?')
	}
	return b.String()
}

var (
	jaParticles = strings.Fields("は が を に で と の も から まで へ")
	jaEndings   = strings.Fields("です。 ます。 ました。 ですか？ でしょうか。 ください。 します。 しました。 ません。 ですね。 でした。 よろしくお願いします。")
)

// japanese is a message of noun–particle runs and a polite ending, from
// the fragment list (Zipf), sometimes with an English word in it.
func (c *corpusGen) japanese() string {
	var b strings.Builder
	for s := 1 + c.r.IntN(3); s > 0; s-- {
		for k := 1 + c.r.IntN(4); k > 0; k-- {
			b.WriteString(c.g.ja[c.ja.Uint64()])
			if c.r.IntN(8) == 0 {
				b.WriteString(" " + c.g.words[c.word.Uint64()] + " ")
			}
			b.WriteString(jaParticles[c.r.IntN(len(jaParticles))])
		}
		b.WriteString(c.g.ja[c.ja.Uint64()])
		b.WriteString(jaEndings[c.r.IntN(len(jaEndings))])
	}
	return b.String()
}

// thai is a message of words without spaces, clauses separated by a space,
// ending in a polite particle.
func (c *corpusGen) thai() string {
	var b strings.Builder
	for s := 1 + c.r.IntN(3); s > 0; s-- {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for k := 2 + c.r.IntN(6); k > 0; k-- {
			b.WriteString(c.g.th[c.th.Uint64()])
		}
	}
	b.WriteString([]string{"ครับ", "ค่ะ", "คะ", "นะ", ""}[c.r.IntN(5)])
	return b.String()
}

var benchLinks = []string{"https://github.com/acme/app/pull/", "https://ci.example.com/builds/", "https://docs.example.com/guide/",
	"https://acme.atlassian.net/browse/OPS-", "https://www.youtube.com/watch?v=", "http://intranet.acme.local/wiki/"}

// message is the body and mentions of the next message.
func (c *corpusGen) message(users []relay.ID) (string, []relay.ID) {
	var body string
	switch u := c.r.IntN(100); {
	case u < 6:
		body = c.japanese()
	case u < 10:
		body = c.thai()
	default:
		body = c.english()
	}
	var mentions []relay.ID
	if c.r.IntN(25) == 0 {
		id := users[c.g.userRank[c.users.Uint64()]]
		mentions = []relay.ID{id}
		body = "<@" + strconv.FormatInt(int64(id), 10) + "> " + body
	}
	if c.r.IntN(30) == 0 {
		body += " " + benchLinks[c.r.IntN(len(benchLinks))] + strconv.Itoa(1000+c.r.IntN(90000))
	}
	return body, mentions
}

// benchCorpus is a generated corpus open on one engine.
type benchCorpus struct {
	engine   string
	db       *store.DB
	ws       relay.ID
	channels []relay.ID // by channel index
	users    []relay.ID // by user index
	meta     corpusMeta
	pgAdmin  *sql.DB // PostgreSQL: the admin connection (backend pids)
	pgName   string  // PostgreSQL: the database's name
}

// corpusMeta is what generation measured, kept with the cached corpus.
type corpusMeta struct {
	Key       string  `json:"key"`
	Messages  int     `json:"messages"`
	Seconds   float64 `json:"seconds"`   // posting the messages (PostMessages only)
	CPU       float64 `json:"cpu"`       // process CPU seconds while posting
	ServerCPU float64 `json:"serverCPU"` // PostgreSQL backends' CPU seconds while posting
	Date      string  `json:"date"`
}

const searchBenchSubdomain = "searchbench"

func openSearchCorpus(b *testing.B, engine string, g *searchCorpus) *benchCorpus {
	key := g.key(b, engine)
	bc := &benchCorpus{engine: engine}
	ctx := context.Background()
	var cfg store.Config
	var metaPath string
	switch engine {
	case store.EngineSQLite:
		path := filepath.Join(os.TempDir(), fmt.Sprintf("relay-search-bench-%d-%s.db", g.n, key))
		metaPath = path + ".json"
		if raw, err := os.ReadFile(metaPath); err == nil {
			_ = json.Unmarshal(raw, &bc.meta)
		}
		if bc.meta.Key != key || bc.meta.Messages != g.n {
			for _, p := range []string{path, path + "-wal", path + "-shm", metaPath} {
				_ = os.Remove(p)
			}
			bc.meta = corpusMeta{}
		}
		cfg.SQLitePath = path
	default:
		admin, u := searchBenchAdmin(b)
		bc.pgAdmin = admin
		bc.pgName = fmt.Sprintf("relay_search_bench_%d", g.n)
		var comment sql.NullString
		err := admin.QueryRowContext(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, bc.pgName).Scan(&comment)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			b.Fatal(err)
		default:
			_ = json.Unmarshal([]byte(comment.String), &bc.meta)
			if bc.meta.Key != key || bc.meta.Messages != g.n {
				if _, err := admin.ExecContext(ctx, `DROP DATABASE "`+bc.pgName+`" WITH (FORCE)`); err != nil {
					b.Fatal(err)
				}
				err = sql.ErrNoRows
			}
		}
		if errors.Is(err, sql.ErrNoRows) {
			bc.meta = corpusMeta{}
			if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+bc.pgName+`"`); err != nil {
				b.Fatal(err)
			}
		}
		u.Path = "/" + bc.pgName
		cfg.URL = u.String()
	}
	db, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	bc.db = db
	if bc.meta.Messages == g.n && bc.load(b) == g.n {
		return bc
	}
	if bc.meta.Messages == g.n {
		b.Fatalf("cached %s corpus does not hold %d messages: delete it", engine, g.n)
	}
	bc.generate(b, g)
	bc.meta.Key = key
	raw, _ := json.Marshal(bc.meta)
	if engine == store.EngineSQLite {
		if err := os.WriteFile(metaPath, raw, 0o600); err != nil {
			b.Fatal(err)
		}
	} else {
		if _, err := bc.pgAdmin.ExecContext(ctx, `COMMENT ON DATABASE "`+bc.pgName+`" IS `+pgQuote(string(raw))); err != nil {
			b.Fatal(err)
		}
	}
	return bc
}

func pgQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// searchBenchAdmin connects to the PostgreSQL server the store tests use
// (RELAY_TEST_POSTGRES_URL), skipping the benchmark when there is none.
func searchBenchAdmin(b *testing.B) (*sql.DB, *url.URL) {
	raw := os.Getenv("RELAY_TEST_POSTGRES_URL")
	if raw == "" {
		raw = testdb.DefaultPostgresURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("pgx", raw)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("RELAY_TEST_REQUIRE_POSTGRES") == "1" {
			b.Fatalf("PostgreSQL: %v", err)
		}
		b.Skipf("PostgreSQL unreachable: %v", err)
	}
	db.SetMaxOpenConns(2)
	b.Cleanup(func() { _ = db.Close() })
	return db, u
}

func (bc *benchCorpus) pool() *sql.DB {
	if p := bc.db.Pools()["read"]; p != nil {
		return p
	}
	return bc.db.Pools()["main"]
}

// load finds the workspace, channels and users of a cached corpus and
// returns its message count.
func (bc *benchCorpus) load(b *testing.B) int {
	ctx := context.Background()
	p := bc.pool()
	if err := p.QueryRowContext(ctx, `SELECT id FROM workspaces WHERE subdomain = $1`, searchBenchSubdomain).Scan(&bc.ws); err != nil {
		return -1
	}
	byName := func(query string, n int) []relay.ID {
		rows, err := p.QueryContext(ctx, query, bc.ws)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		out := make([]relay.ID, n)
		for rows.Next() {
			var id relay.ID
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				b.Fatal(err)
			}
			if i, err := strconv.Atoi(strings.TrimLeft(strings.SplitN(name, "@", 2)[0], "cu")); err == nil && i < n {
				out[i] = id
			}
		}
		if slices.Contains(out, 0) {
			return nil
		}
		return out
	}
	bc.channels = byName(`SELECT id, name FROM channels WHERE workspace_id = $1`, searchBenchChannels)
	bc.users = byName(`SELECT u.id, u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.workspace_id = $1 AND u.email LIKE 'u%'`, searchBenchUsers)
	if bc.channels == nil || bc.users == nil {
		return -1
	}
	var n int
	if err := p.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE workspace_id = $1`, bc.ws).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// generate writes the corpus: workspace, users, channels, then the
// messages through PostMessages in batches, with progress on stderr.
func (bc *benchCorpus) generate(b *testing.B, g *searchCorpus) {
	ctx := context.Background()
	db := bc.db
	w, owner := newWorkspace(searchBenchSubdomain), newUser("owner@searchbench.test")
	s := newSession(w.ID, owner.ID, relay.TokenSession, t0, nil)
	if err := db.CreateWorkspace(ctx, w, owner, true, s, nil); err != nil {
		b.Fatal(err)
	}
	bc.ws = w.ID
	tn := tenant{ws: w, owner: owner}
	start := time.Now()
	bc.users = make([]relay.ID, searchBenchUsers)
	for i := range bc.users {
		u := newUser(fmt.Sprintf("u%04d@searchbench.test", i))
		u.DisplayName = fmt.Sprintf("User %04d", i)
		inv := newInvite(tn, u.Email, relay.RoleAgent, t0)
		if err := db.CreateInvite(ctx, inv); err != nil {
			b.Fatal(err)
		}
		if _, err := db.AcceptInvite(ctx, w.ID, inv.ID, u, true, newSession(w.ID, u.ID, relay.TokenSession, t0, nil), t0); err != nil {
			b.Fatal(err)
		}
		bc.users[i] = u.ID
	}
	bc.channels = make([]relay.ID, searchBenchChannels)
	chans := make([]*relay.Channel, searchBenchChannels)
	for i := range chans {
		c := newChannel(w.ID, owner.ID, fmt.Sprintf("c%04d", i), relay.ChannelPublic)
		if err := db.CreateChannel(ctx, c, nil); err != nil {
			b.Fatal(err)
		}
		chans[i], bc.channels[i] = c, c.ID
	}
	fmt.Fprintf(os.Stderr, "search bench %s: %d users and %d channels in %s\n", bc.engine, len(bc.users), len(chans), time.Since(start).Round(time.Millisecond))

	c := g.generator(rand.New(rand.NewPCG(searchBenchSeed, 2)))
	roots := make([][]relay.ID, searchBenchChannels) // recent thread roots per channel, stored
	// The year up to the month the corpus is written in (the cache key
	// holds that month, so the history never ages past it).
	span := 365 * 24 * time.Hour
	first := corpusMonth().AddDate(-1, 0, 0)
	cpu0, srv0 := processCPU(), bc.serverCPU(b)
	start = time.Now()
	last := start
	batch := make([]*relay.Message, 0, searchBenchBatch)
	var pending [][2]int // (channel index, batch position) of this batch's roots
	for i := 0; i < g.n; i++ {
		ci := g.chanRank[c.chans.Uint64()]
		author := bc.users[g.userRank[c.users.Uint64()]]
		body, mentions := c.message(bc.users)
		m := msg(chans[ci], &relay.User{ID: author}, body)
		m.Mentions = mentions
		m.CreatedAt = first.Add(time.Duration(int64(span) / int64(g.n) * int64(i)))
		// Ids are made when a message is posted: a year of history has a
		// year of ids.
		m.ID = idAt(m.CreatedAt)
		if rs := roots[ci]; len(rs) > 0 && c.r.IntN(8) == 0 {
			m.ParentID = ptr(rs[c.r.IntN(len(rs))])
		} else {
			pending = append(pending, [2]int{ci, len(batch)})
		}
		batch = append(batch, m)
		if len(batch) == cap(batch) || i == g.n-1 {
			if _, err := db.PostMessages(ctx, batch); err != nil {
				b.Fatalf("PostMessages at %d: %v", i, err)
			}
			for _, p := range pending {
				rs := append(roots[p[0]], batch[p[1]].ID)
				if len(rs) > 20 {
					rs = rs[1:]
				}
				roots[p[0]] = rs
			}
			batch, pending = batch[:0], pending[:0]
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				el := time.Since(start).Seconds()
				fmt.Fprintf(os.Stderr, "search bench %s: %d/%d messages, %.0f msgs/s\n", bc.engine, i+1, g.n, float64(i+1)/el)
			}
		}
	}
	// SQLite indexes behind the posts (search_queue.go): what is still
	// queued is part of writing the corpus.
	if _, err := db.IndexQueued(ctx); err != nil {
		b.Fatal(err)
	}
	bc.meta = corpusMeta{Messages: g.n, Seconds: time.Since(start).Seconds(), CPU: processCPU() - cpu0,
		ServerCPU: bc.serverCPU(b) - srv0, Date: time.Now().UTC().Format(time.RFC3339)}
	fmt.Fprintf(os.Stderr, "search bench %s: %d messages in %.1f s (%.0f msgs/s)\n", bc.engine, g.n, bc.meta.Seconds, float64(g.n)/bc.meta.Seconds)
	if bc.engine == store.EnginePostgres {
		// What autovacuum does on its own after such a load: statistics,
		// and the GIN indexes' pending lists merged.
		if _, err := db.Pools()["main"].ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}

// processCPU is this process's user+system CPU time in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// serverCPU is the CPU seconds used so far by the PostgreSQL backends
// serving the corpus's database, read from /proc (0 on SQLite, or when the
// server is not on this machine). Backends that exit in between are not
// counted: the store's pool keeps its connections.
func (bc *benchCorpus) serverCPU(b *testing.B) float64 {
	if bc.pgAdmin == nil {
		return 0
	}
	rows, err := bc.pgAdmin.QueryContext(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = $1`, bc.pgName)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	total := 0.0
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		total += procCPU(pid)
	}
	return total
}

// procCPU is a process's utime+stime from /proc/<pid>/stat, in seconds.
func procCPU(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3, utime 14, stime 15.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// reportCorpus reports the corpus: its size, how fast it was built (when
// it was built by this process or an earlier run, from its metadata) and
// the search indexes' size on disk per message.
func (bc *benchCorpus) reportCorpus(b *testing.B) {
	n := float64(bc.meta.Messages)
	b.ReportMetric(n, "msgs")
	if bc.meta.Seconds > 0 {
		b.ReportMetric(n/bc.meta.Seconds, "build-msgs/s")
		b.ReportMetric(bc.meta.CPU/n*1e6, "build-cpu-µs/msg")
		if bc.engine == store.EnginePostgres {
			b.ReportMetric(bc.meta.ServerCPU/n*1e6, "build-pg-cpu-µs/msg")
		}
	}
	ctx := context.Background()
	p := bc.pool()
	size := func(query string) float64 {
		var v sql.NullFloat64
		if err := p.QueryRowContext(ctx, query).Scan(&v); err != nil {
			b.Logf("%s: %v", query, err)
			return -1
		}
		return v.Float64
	}
	if bc.engine == store.EngineSQLite {
		idx := size(`SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'message_words%' OR name LIKE 'message_grams%'`)
		words := size(`SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'message_words%'`)
		msgs := size(`SELECT sum(pgsize) FROM dbstat WHERE name = 'messages' OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages')`)
		if idx < 0 {
			b.Log("dbstat unavailable: index size not reported")
			return
		}
		b.ReportMetric(idx/n, "index-B/msg")
		b.ReportMetric(words/n, "words-B/msg")
		b.ReportMetric((idx-words)/n, "grams-B/msg")
		b.ReportMetric(msgs/n, "messages-B/msg")
		return
	}
	words := size(`SELECT pg_relation_size('messages_search_words_idx')`)
	grams := size(`SELECT pg_relation_size('messages_search_grams_idx')`)
	author := size(`SELECT pg_relation_size('messages_author_idx')`)
	msgs := size(`SELECT pg_total_relation_size('messages') - pg_relation_size('messages_search_words_idx') - pg_relation_size('messages_search_grams_idx') - pg_relation_size('messages_author_idx')`)
	b.ReportMetric((words+grams+author)/n, "index-B/msg")
	b.ReportMetric(words/n, "words-B/msg")
	b.ReportMetric(grams/n, "grams-B/msg")
	b.ReportMetric(author/n, "author-B/msg")
	b.ReportMetric(msgs/n, "messages-B/msg")
}

// searchClass is a kind of query, with a few variants that the benchmark
// cycles through (so one cached word does not stand for its class).
type searchClass struct {
	name     string
	variants []relay.MessageSearch
}

func (g *searchCorpus) classes(bc *benchCorpus, scope []relay.ID) []searchClass {
	word := func(ranks ...int) []relay.MessageSearch {
		var out []relay.MessageSearch
		for _, r := range ranks {
			out = append(out, relay.MessageSearch{Terms: words(g.words[r])})
		}
		return out
	}
	texts := func(ts ...string) []relay.MessageSearch {
		var out []relay.MessageSearch
		for _, t := range ts {
			out = append(out, relay.MessageSearch{Terms: words(t)})
		}
		return out
	}
	var phrase, prefix []relay.MessageSearch
	for _, p := range []string{"pull request", "credit card", "error message", "release notes", "on call"} {
		phrase = append(phrase, relay.MessageSearch{Terms: []relay.SearchTerm{{Text: p, Phrase: true}}})
	}
	for _, p := range []string{"deploy", "invoic", "conf", "cust", "refun"} {
		prefix = append(prefix, relay.MessageSearch{Terms: []relay.SearchTerm{{Text: p, Prefix: true}}})
	}
	// from: one of the busiest authors, in: one of the searcher's busiest
	// channels, and a common word.
	var fromIn []relay.MessageSearch
	inScope := map[relay.ID]bool{}
	for _, id := range scope {
		inScope[id] = true
	}
	var busy []relay.ID
	for _, ci := range g.chanRank {
		if inScope[bc.channels[ci]] {
			busy = append(busy, bc.channels[ci])
		}
	}
	for i := range 5 {
		fromIn = append(fromIn, relay.MessageSearch{
			Channels: []relay.ID{busy[i]},
			From:     []relay.ID{bc.users[g.userRank[i]]},
			Terms:    words(g.words[20+i]),
		})
	}
	rare := len(g.words) / 2
	return []searchClass{
		{"word-top", word(0, 1, 2, 3, 4)},
		{"word-common", word(20, 21, 22, 23, 24)},
		{"word-medium", word(400, 401, 402, 403, 404)},
		{"word-rare", word(rare, rare+1, rare+2, rare+3, rare+4)},
		{"phrase", phrase},
		{"prefix", prefix},
		{"from-in-word", fromIn},
		{"ja-3", texts("請求書", "打ち合わ", "ネットワ", "対応中", "お客様")},
		{"th", texts("เรียกเก็บ", "ใบแจ้งหนี้", "คืนเงิน", "ตรวจสอบ", "สั่งซื้อ")},
		{"ja-2", texts("会議", "請求", "返金", "東京", "在庫")},
	}
}

// run measures one class: each iteration is one SearchMessages call of the
// next variant, in the corpus's workspace and (unless the variant names
// them) the scope's channels.
func (bc *benchCorpus) run(b *testing.B, variants []relay.MessageSearch, sort relay.SearchSort, scope []relay.ID) {
	ctx := context.Background()
	prepared := make([]relay.MessageSearch, len(variants))
	for i, v := range variants {
		v.WorkspaceID, v.Sort = bc.ws, sort
		if v.Channels == nil {
			v.Channels = scope
		}
		prepared[i] = v
	}
	lat := make([]time.Duration, 0, 1024)
	hits := 0
	cpu0, srv0 := processCPU(), bc.serverCPU(b)
	i := 0
	for b.Loop() {
		s := prepared[i%len(prepared)]
		i++
		t := time.Now()
		h, err := bc.db.SearchMessages(ctx, s)
		lat = append(lat, time.Since(t))
		if err != nil {
			b.Fatal(err)
		}
		hits += h.Total
	}
	cpu, srv := processCPU()-cpu0, bc.serverCPU(b)-srv0
	slices.Sort(lat)
	pct := func(p float64) float64 {
		k := int(float64(len(lat))*p+0.999999) - 1
		return float64(lat[max(k, 0)].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(cpu/float64(i)*1000, "cpu-ms/q")
	if bc.engine == store.EnginePostgres {
		b.ReportMetric(srv/float64(i)*1000, "pg-cpu-ms/q")
	}
	b.ReportMetric(float64(hits)/float64(i), "hits")
}

// englishVocabulary is the corpus's English vocabulary, most frequent
// first: ~1,000 common words of chat and support work, then a long tail of
// made-up words built from English syllables (names, jargon and typos play
// that part in real chat), as many again as needed for rare words to be
// rare in a million messages.
func englishVocabulary(r *rand.Rand) []string {
	core := strings.Fields(benchEnglish)
	seen := make(map[string]bool, len(core))
	var out []string
	for _, w := range core {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	onsets := strings.Fields("b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sc sh sl sm sn sp st str t th tr v w wh")
	vowels := strings.Fields("a e i o u ai ea ee oa oo ou ie")
	codas := []string{"", "", "n", "r", "l", "m", "s", "t", "st", "nd", "ck", "ng", "rt", "x", "mp", "nt"}
	suffixes := []string{"", "", "", "er", "ing", "ed", "ly", "tion", "ness", "ment", "able", "ish"}
	syl := func() string {
		return onsets[r.IntN(len(onsets))] + vowels[r.IntN(len(vowels))] + codas[r.IntN(len(codas))]
	}
	for tail := 0; tail < 40000; {
		w := syl() + syl()
		if r.IntN(3) == 0 {
			w += syl()
		}
		w += suffixes[r.IntN(len(suffixes))]
		if len(w) < 5 || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		tail++
	}
	return out
}

const benchEnglish = `the i to you a and it is we that for on in this be have not can with
is just do so but are will me what my at if get know all from was now
ok yes no about it's can't don't we're thanks one up out there how when think
need here see go should up let like would time today also check some more
any your they them going has been please did sure work new which who
could then back still our an as or got make right by see issue team
yeah good way because after fix build release deploy test before
customer update tomorrow meeting send email call look why error thing
again only really want other help problem should first sorry take try
issue same code server data last week day people use change well
order invoice payment account ticket user users question review merge
branch sync done working find give tell said working found
morning afternoon tonight yesterday monday friday minute hour
something everything nothing anyone someone maybe probably already
soon later never always sometimes every many much few little
big small long short high low fast slow old young early late
great nice bad better best worse wrong correct happy hard easy
open close closed opened start started stop stopped run running
ran write wrote written read reading post posted message messages
channel channels thread reply replied link file files doc docs
document page pages site app apps api client clients service
services system systems database db cache queue job jobs worker
workers cluster node nodes pod pods container image images
config configuration configured confirm confirmed confirmation
conference conflict conflicts connect connected connection
customers customer's refund refunds refunded refunding invoices
invoiced invoicing deployed deploying deployment deployments deploys
deployer shipping shipped ship package packages delivery delivered
deliver address addresses phone number numbers price prices
pricing plan plans upgrade upgraded downgrade cancel cancelled
cancellation subscription subscriptions trial billing billed bill
charge charged charges card cards bank transfer receipt receipts
tax taxes discount coupon promo sale sales lead leads deal deals
contract contracts quote quotes proposal signed sign signup login
logout password reset token session sessions access permission
permissions role roles admin owner member members guest guests
invite invited join joined leave left remove removed add added
create created delete deleted edit edited rename renamed move
moved copy copied paste share shared upload uploaded download
downloaded export exported import imported backup backups restore
restored migrate migration migrations schema table tables index
indexes query queries slow slower faster latency timeout timeouts
retry retries failed failing failure failures crash crashed crashes
bug bugs fixed fixing patch patches hotfix version versions tag
tags commit commits pr prs pull push pushed rebase rebased main
master staging production prod dev local remote environment env
logs log logging metric metrics alert alerts alerting dashboard
dashboards monitor monitoring incident incidents outage outages
postmortem root cause impact severity priority urgent blocker
blocked blocking unblock waiting wait pending progress status
estimate deadline sprint backlog roadmap milestone scope spec
design designs mockup mockups wireframe prototype feedback comments
comment approve approved approval reject rejected decline declined
support agent agents escalate escalated escalation sla response
respond responded resolve resolved resolution reopen reopened
survey rating ratings complaint complaints angry upset refunded
shipment tracking tracked warehouse stock inventory return returns
returned exchange exchanged warranty repair repaired broken damaged
missing lost found item items product products catalog store shop
cart checkout coupon discount offer offers holiday holidays vacation
sick remote office home travel trip flight hotel lunch dinner coffee
break weekend birthday party congrats welcome hello hi hey bye
thank thanks cheers lol haha awesome cool perfect exactly agreed
totally definitely absolutely honestly basically actually literally
anyway btw fyi asap eod eta tbd wip ooo afk brb imo
question questions answer answers explain explained understand
understood mean meant clear unclear confusing confused idea ideas
plan planning planned schedule scheduled reschedule calendar invite
agenda notes minutes summary recap report reports reporting
analysis analytics numbers growth revenue churn retention signups
conversion funnel campaign campaigns marketing launch launched
launching announcement announce blog newsletter social twitter
video videos demo demos webinar training onboarding docs tutorial
guide guides faq article articles help center knowledge base search
filter filters sort sorted results result list lists view views
screen screens button buttons click clicked form forms field
fields input output value values default settings setting option
options preference preferences theme dark light color colors font
mobile desktop browser chrome firefox safari android ios iphone
laptop windows mac linux ubuntu docker kubernetes terraform aws
gcp azure cloud region regions zone network dns domain domains ssl
certificate certificates https http proxy load balancer gateway
firewall vpn ssh key keys secret secrets vault rotate rotated
audit security vulnerability vulnerabilities cve scan scanned
compliance gdpr privacy policy legal terms contract lawyer
hire hiring interview interviews candidate candidates offer
onboard manager managers lead engineer engineers designer
designers product ops finance hr recruiting intern interns
quarter quarterly annual monthly weekly daily yearly budget
budgets cost costs spend spending savings forecast target targets
goal goals okr okrs kpi kpis performance review reviews promotion
salary bonus equity benefits insurance payroll expense expenses
reimburse reimbursement travel receipts approve approved
tuesday wednesday thursday saturday sunday january february march
april may june july august september october november december
london tokyo bangkok berlin paris singapore sydney toronto
seattle austin chicago boston denver dublin amsterdam madrid
apple banana pizza sushi ramen tacos burger salad cake cookies
football soccer tennis running gym yoga music movie movies book
books game games play played player team's score won lost match
weather rain sunny snow cold hot storm traffic train bus car bike
kids family dog cat baby wedding friend friends neighbor
shipping label labels courier parcel package's box boxes pallet
supplier suppliers vendor vendors partner partners reseller
agency agencies enterprise startup startups company companies
organization organizations department departments region's
english japanese thai chinese spanish french german translation
translate translated language languages locale locales timezone
utc date dates time times today's week's month year years
install installed installing uninstall setup configure
enable enabled disable disabled toggle flag flags feature
features experiment experiments rollout rollback rolled
canary beta alpha preview release's changelog notes
typescript javascript golang python java rust ruby php sql
postgres sqlite redis kafka nginx react preact webpack vite
npm yarn lint linter tests testing tested unit integration
e2e flaky coverage benchmark benchmarks profile profiling
memory cpu disk storage bandwidth throughput capacity scale
scaling scaled autoscale replica replicas shard shards
partition partitions lock locks deadlock transaction
transactions commit rollback isolation consistency
latency p99 p95 p50 percentile histogram graph graphs chart
charts spike spikes drop drops dip trend trends baseline
normal abnormal weird strange odd interesting curious
important critical minor major trivial small huge massive`

// benchPhrases are two-word collocations that chat repeats; phrase
// queries look for them.
const benchPhrases = `pull request,credit card,error message,release notes,on call,merge conflict,stand up,code review,` +
	`customer support,test suite,feature flag,load balancer,root cause,action items,next week,this morning,` +
	`last night,out of,as soon,thank you,sign up,log in,follow up,heads up,good morning,happy friday,` +
	`shipping label,tracking number,order number,refund request,support ticket,status page,rate limit,data loss`

// benchJapanese are Japanese words and phrases of support and team chat;
// messages are built from them with particles and polite endings.
const benchJapanese = `確認 対応 お客様 請求 請求書 会議 予定 連絡 問題 返金 注文 配送 発送 到着 商品 在庫
本日 明日 昨日 来週 今週 先週 午前 午後 時間 場所 東京 大阪 名古屋 福岡 札幌 京都 横浜
顧客 担当者 営業 開発 設計 資料 見積もり 契約 更新 変更 削除 追加 登録 設定 画面 表示
エラー ログイン パスワード アカウント メール 電話 返信 質問 回答 報告 共有 相談 依頼 承認
申請 期限 二重 支払い 決済 クレジットカード 銀行振込 領収書 請求金額 二重に請求されました
届きません できません わかりました ありがとうございます 申し訳ございません 少々お待ちください
お疲れ様です 確認します 対応中です 完了しました 送信しました 調査中です 修正しました
リリース デプロイ サーバー データベース バックアップ テスト 本番 環境 検索 機能 不具合
改善 要望 仕様 見直し 進捗 状況 全体 部分 最新 以前 以降 毎日 毎週 月末 締め切り
打ち合わせ 議事録 資料作成 新規 既存 価格 料金 プラン 割引 キャンペーン 会員 配達 住所
番号 電話番号 注文番号 受付 窓口 店舗 倉庫 出荷 返品 交換 保証 修理 故障 電源 充電 接続
ネットワーク 通信 遅延 速度 容量 写真 動画 ファイル 添付 ダウンロード アップロード 印刷
予約 取消 キャンセル 支店 本社 部長 課長 社長 チーム メンバー 新人 研修 休み 出張 在宅
勤務 残業 経費 精算 税金 年末 年始 天気 雨 雪 台風 電車 遅れ 駅 空港 飛行機 ホテル
昼ご飯 会社 家族 子供 週末 お知らせ 障害 復旧 原因 影響 範囲 再発防止 手順 マニュアル
トラブル 解決 未解決 優先度 緊急 至急 念のため 今後 引き続き 先ほど 後ほど 改めて
ご案内 ご連絡 ご確認 ご対応 ご質問 ご請求 ご注文 ご返金 お問い合わせ お手数ですが
恐れ入りますが 差し支えなければ 承知しました かしこまりました 了解です 大丈夫です
問題ありません 助かります 参考になります 急ぎではありません 明日までに 今日中に
来月 先月 今月 四半期 売上 目標 予算 計画 戦略 分析 結果 数字 グラフ 資料共有
翻訳 日本語 英語 タイ語 中国語 言語 文字化け 表示崩れ スマホ パソコン ブラウザ
アプリ 最新版 アップデート インストール 再起動 ログアウト 通知 設定変更 権限 管理者`

// benchThai are Thai words and phrases of support and team chat;
// messages concatenate them without spaces, as Thai is written.
const benchThai = `ลูกค้า ครับ ค่ะ ได้ ไม่ ให้ แล้ว ยัง ตรวจสอบ เงิน เรียกเก็บ ซ้ำ สองครั้ง สั่งซื้อ สินค้า
จัดส่ง ส่ง ถึง ขอบคุณ ขอโทษ ช่วย หน่อย ปัญหา ระบบ ล่ม แก้ไข เสร็จ วันนี้ พรุ่งนี้ เมื่อวาน
สัปดาห์หน้า ประชุม ตอนเช้า ตอนบ่าย บริษัท ทีม ผู้จัดการ พนักงาน ใบแจ้งหนี้ ใบเสร็จ ชำระเงิน
คืนเงิน โอนเงิน บัญชี รหัสผ่าน เข้าสู่ระบบ อีเมล โทรศัพท์ เบอร์ ที่อยู่ กรุงเทพ เชียงใหม่
ภูเก็ต ขอนแก่น ราคา ส่วนลด โปรโมชั่น สมาชิก สาขา ร้าน คลังสินค้า คืนสินค้า เปลี่ยน ประกัน
ซ่อม เสีย แบตเตอรี่ ชาร์จ เชื่อมต่อ อินเทอร์เน็ต ช้า เร็ว ไฟล์ รูปภาพ วิดีโอ แนบ ดาวน์โหลด
อัปโหลด จอง ยกเลิก ยืนยัน อนุมัติ รอ สักครู่ ทันที ด่วน สำคัญ ข้อมูล รายงาน เอกสาร สัญญา
ใบเสนอราคา ลงทะเบียน ตั้งค่า หน้าจอ ข้อผิดพลาด ทดสอบ เซิร์ฟเวอร์ ฐานข้อมูล สำรองข้อมูล
ปล่อย เวอร์ชัน ฟีเจอร์ ค้นหา ปรับปรุง ความเร็ว ลูกค้าใหม่ คำถาม คำตอบ ติดต่อ กลับ โทรกลับ
เดี๋ยว ตอนนี้ กำลัง ดำเนินการ เรียบร้อย แจ้ง ทราบ เข้าใจ ครั้ง หลาย ทุกวัน สิ้นเดือน
กำหนดส่ง ฝนตก รถติด สนามบิน โรงแรม เที่ยง กินข้าว ครอบครัว วันหยุด ลาป่วย ทำงานที่บ้าน
ค่าใช้จ่าย เบิก ภาษี ปีใหม่ สงกรานต์ ของ ที่ และ กับ จาก ใน เพื่อ ว่า จะ มี เป็น คือ
การ ความ คุณ ผม ดิฉัน เรา เขา พวกเรา ทุกคน บาง อะไร ทำไม เมื่อไหร่ อย่างไร ที่ไหน
กี่ บาท ชิ้น กล่อง พัสดุ ขนส่ง เลขพัสดุ ติดตาม สถานะ รับ ได้รับ ยังไม่ได้รับ ผิด ถูก
ปกติ ผิดปกติ เข้า ออก เปิด ปิด ใช้ ใช้งาน ไม่ได้ ได้แล้ว ลอง อีกครั้ง รีสตาร์ท อัปเดต
แอป มือถือ คอมพิวเตอร์ เบราว์เซอร์ ภาษาไทย ภาษาอังกฤษ แปล ข้อความ แชท กลุ่ม ช่อง
ยอดขาย เป้าหมาย งบประมาณ แผน ไตรมาส ลูกค้าประจำ ร้องเรียน ชดเชย ขออภัย ในความไม่สะดวก`
