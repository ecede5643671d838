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

// DisableSearchRUM makes PostgreSQL search as a server without the RUM
// index does, so tests run both plans.
func (db *DB) DisableSearchRUM() {
	db.rum.mu.Lock()
	db.rum.index = false
	db.rum.mu.Unlock()
}

// DetectRUM looks again for the RUM index.
func (db *DB) DetectRUM(ctx context.Context) error { return db.detectRUM(ctx) }

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
