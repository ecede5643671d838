package store

import (
	"context"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

// MigrateDownTo rolls the schema back to version (tests only: a migration
// must build what it adds for the data already there).
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.provider(false)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrate down to %d: %w", version, err)
	}
	return nil
}

// SetSearchRUM turns PostgreSQL's use of the RUM search index off (or back
// on, where the index exists), so tests run both plans.
func (db *DB) SetSearchRUM(on bool) {
	if !on {
		db.rum.mu.Lock()
		db.rum.index = false
		db.rum.mu.Unlock()
		return
	}
	_ = db.detectRUM(context.Background())
}

// SetCommonWords stands in for PostgreSQL's statistics of the commonest
// words (search_rum.go) until they are next read.
func (db *DB) SetCommonWords(common map[string]float64) {
	db.rum.mu.Lock()
	db.rum.common, db.rum.read = common, time.Now()
	db.rum.mu.Unlock()
}

// SearchRUMFor reports whether a search with these terms would read the RUM
// index.
func (db *DB) SearchRUMFor(ctx context.Context, terms []relay.SearchTerm) bool {
	return db.rumFor(ctx, searchParts(terms))
}

// PGTextArray exposes pgTextArray to tests.
var PGTextArray = pgTextArray
