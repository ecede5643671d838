package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the schema of each engine. The DDL differs (types, STRICT
// tables), so each engine has its own numbered files; a change is made to
// both, with the same version number.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

func (db *DB) dialect() goose.Dialect {
	if db.engine == EnginePostgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// provider returns a goose provider for this engine's migrations.
func (db *DB) provider(withLock bool) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+db.engine)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(db.logger),
	}
	if withLock && db.engine == EnginePostgres {
		// Several nodes may start at once: an advisory lock makes one of
		// them migrate while the others wait. SQLite has one writer anyway.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// The writer pool: on SQLite, migrations are writes like any other.
	return goose.NewProvider(db.dialect(), db.write, fsys, opts...)
}

// Migrate brings the schema up to date. It is safe to call on every start and
// from several processes at once.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider(true)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		db.logger.InfoContext(ctx, "migrated", "engine", db.engine, "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	// Messages a crash left in SQLite's search queue are indexed now rather
	// than at the next write.
	db.wakeSearchIndexer()
	if err := db.ensureRUM(ctx); err != nil {
		// A faster index, not a requirement: search works through GIN.
		db.logger.WarnContext(ctx, "search: the RUM index could not be made; searching with GIN only", "err", err)
	}
	return nil
}

// MigrationVersion returns the schema version the database is at: 0 when it
// was never migrated.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	// goose reports a missing version table as an error; for us it is version 0.
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if db.engine == EnginePostgres {
		q = `SELECT count(*) FROM pg_catalog.pg_tables
			WHERE tablename = $1 AND schemaname = ANY (current_schemas(false))`
	}
	var n int
	if err := db.write.QueryRowContext(ctx, q, goose.DefaultTablename).Scan(&n); err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	p, err := db.provider(false)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return v, nil
}

// LatestMigration returns the newest schema version this build knows.
func (db *DB) LatestMigration() (int64, error) {
	p, err := db.provider(false)
	if err != nil {
		return 0, fmt.Errorf("latest migration: %w", err)
	}
	srcs := p.ListSources()
	if len(srcs) == 0 {
		return 0, nil
	}
	return srcs[len(srcs)-1].Version, nil
}
