package store

import (
	"context"
	"fmt"
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
