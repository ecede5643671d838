package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/relayhq/relay/search"
)

// PostgreSQL with RUM (ensureRUM, at every start): the
// index messages_search_rum_idx returns the messages holding a query's
// words in id order, so the newest 501 candidates cost about 501 heap reads
// instead of one per match. RUM first sorts the matches of the query's
// rarest term, though, which for a word in a large share of the messages
// costs more than GIN's plans (the planner then walks the primary key
// newest first and stops early). rumFor chooses: RUM when the index exists
// and at least one positive word is outside the commonest words, by the
// statistics PostgreSQL keeps of the words column (pg_stats).

const (
	// rumMaxShare: a query whose every word is in more than this share of
	// the messages goes to GIN (docs/perf.md, "Search": "the", in 55 %,
	// took 245 ms through RUM and 5–16 ms through GIN; "do", in 4 %, 11 ms
	// through RUM and 12–96 ms through GIN).
	rumMaxShare = 0.05
	// rumMinChannels: a search in this many channels or fewer stays on
	// GIN, whose plans read the channel's own index (see SearchMessages).
	rumMinChannels = 32
	// commonEvery is how long the commonest words are kept before they are
	// read again.
	commonEvery = 10 * time.Minute
)

// ensureRUMSQL makes the RUM index where the extension is installed and
// this role may create it; otherwise it does nothing. Run at every start
// (the extension may come after the migrations ran) and by Reindex; nodes
// starting together take turns.
const ensureRUMSQL = `DO $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('relay_search_rum'));
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS rum;
    EXCEPTION WHEN insufficient_privilege THEN
        RETURN;
    END;
    CREATE INDEX IF NOT EXISTS messages_search_rum_idx ON messages
        USING rum (search_words rum_tsvector_addon_ops, id) WITH (attach = 'id', to = 'search_words')
        WHERE deleted_at IS NULL;
END
$$`

// ensureRUM makes the RUM index if it can (ensureRUMSQL) and records
// whether searches may use it.
func (db *DB) ensureRUM(ctx context.Context) error {
	if db.engine != EnginePostgres {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, ensureRUMSQL); err != nil {
		return fmt.Errorf("search rum index: %w", err)
	}
	return db.detectRUM(ctx)
}

// rumState is what the store knows about RUM on this database.
type rumState struct {
	mu     sync.Mutex
	index  bool               // messages_search_rum_idx exists
	common map[string]float64 // the commonest words and their share of messages
	read   time.Time          // when common was read; zero: never
}

// detectRUM records whether the RUM index exists (after migrations).
func (db *DB) detectRUM(ctx context.Context) error {
	if db.engine != EnginePostgres {
		return nil
	}
	var ok bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes
		WHERE indexname = 'messages_search_rum_idx' AND schemaname = ANY (current_schemas(false)))`).Scan(&ok)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	db.rum.mu.Lock()
	db.rum.index, db.rum.read = ok, time.Time{}
	db.rum.mu.Unlock()
	if ok {
		db.logger.InfoContext(ctx, "search: PostgreSQL RUM index in use")
	} else {
		db.logger.InfoContext(ctx, "search: PostgreSQL without the rum extension; GIN only (docs/architecture.md, \"Search\")")
	}
	return nil
}

// SearchUsesRUM reports whether PostgreSQL searches may use the RUM index.
func (db *DB) SearchUsesRUM() bool {
	db.rum.mu.Lock()
	defer db.rum.mu.Unlock()
	return db.rum.index
}

// rumFor reports whether a search with these terms should read the RUM
// index (see above).
func (db *DB) rumFor(ctx context.Context, terms []searchPart) bool {
	if db.engine != EnginePostgres {
		return false
	}
	db.rum.mu.Lock()
	index, common, read := db.rum.index, db.rum.common, db.rum.read
	db.rum.mu.Unlock()
	if !index {
		return false
	}
	if read.IsZero() || time.Since(read) > commonEvery {
		// Read outside the lock: searches meanwhile use the old list.
		var err error
		if common, err = commonWords(ctx, db.read); err != nil {
			db.logger.Warn("search: commonest words not read; using GIN", "err", err)
			return false
		}
		db.rum.mu.Lock()
		db.rum.common, db.rum.read = common, time.Now()
		db.rum.mu.Unlock()
	}
	for _, p := range terms {
		if p.gram || p.term.Prefix {
			continue // substrings (trigram index) and prefixes: no one word to weigh
		}
		for _, w := range lexemes(p.text) {
			if common[w] <= rumMaxShare {
				return true // the rarest word bounds what RUM sorts
			}
		}
	}
	return false
}

// commonWords reads PostgreSQL's most common elements of
// messages.search_words with their frequencies (none before the table is
// analysed: every word then counts as uncommon).
func commonWords(ctx context.Context, q *sql.DB) (map[string]float64, error) {
	// The frequencies array has three more entries (minimum, maximum, null
	// share) than the elements: unnest pairs them and leaves those unpaired.
	rows, err := q.QueryContext(ctx, `SELECT u.word, u.share FROM pg_stats s,
		unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(word, share)
		WHERE s.tablename = 'messages' AND s.attname = 'search_words'
			AND s.schemaname = ANY (current_schemas(false)) AND u.word IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	common := map[string]float64{}
	for rows.Next() {
		var w string
		var f float64
		if err := rows.Scan(&w, &f); err != nil {
			return nil, err
		}
		common[w] = f
	}
	return common, rows.Err()
}

// lexemes approximates the words PostgreSQL's 'simple' configuration makes
// of a term (relay_search_prep: accents and case folded; every run of
// letters and digits a word): only to look up how common they are.
func lexemes(text string) []string {
	return strings.FieldsFunc(search.Fold(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r))
	})
}
