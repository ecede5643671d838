package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names returned by (*DB).Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Config says which database to open.
type Config struct {
	// URL is a PostgreSQL URL (postgres://user@host:5432/db?sslmode=disable).
	// Empty means SQLite at SQLitePath.
	URL string
	// SQLitePath is the SQLite database file; its directory is created if
	// missing. Used only when URL is empty.
	SQLitePath string
	// Logger receives migration progress; nil discards it.
	Logger *slog.Logger
	// SearchIndexDelay (SQLite) is how long writes gather before the
	// search indexer takes them in one batch (search_queue.go); 0 means
	// the default, 200 ms.
	SearchIndexDelay time.Duration
}

// Pool sizes. SQLite has exactly one writer connection by design.
const (
	sqliteReaders   = 4
	postgresMaxOpen = 20
)

// DB is a Relay database, SQLite or PostgreSQL. It is safe for concurrent
// use; Close it when done.
type DB struct {
	engine string
	write  *sql.DB // every writing transaction; the only pool on PostgreSQL
	read   *sql.DB // read-only methods; == write on PostgreSQL
	logger *slog.Logger

	// lockWorkspace locks the workspace row for the rest of a write
	// transaction (see lockWorkspace in membership.go).
	lockWorkspaceSQL string
	// forUpdate is appended to a SELECT that must lock the rows it reads
	// until the transaction ends: " FOR UPDATE" on PostgreSQL, "" on SQLite,
	// whose single writer connection already serialises write transactions.
	forUpdate string
	// forNoKeyUpdate is the same for rows whose key the transaction will
	// not change (a channel's counters): on PostgreSQL it does not block the
	// key-share locks that foreign-key checks take, so adding a channel
	// member does not wait for a post in that channel.
	forNoKeyUpdate string

	// indexer writes SQLite's search index from its queue (search_queue.go);
	// nil on PostgreSQL.
	indexer *searchIndexer
	// rum: PostgreSQL's RUM search index, if any (search_rum.go).
	rum rumState
}

// Open connects to the database cfg names and checks that it answers. It does
// not migrate: call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.URL == "" {
		return openSQLite(ctx, cfg.SQLitePath, logger, cfg.SearchIndexDelay)
	}
	return openPostgres(ctx, cfg.URL, logger)
}

func openSQLite(ctx context.Context, path string, logger *slog.Logger, indexDelay time.Duration) (_ *DB, err error) {
	if path == "" {
		return nil, errors.New("open sqlite: no database path given")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite: path %q may not contain '?' or '#'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// mmap_size: pages are read from the OS's page cache through a memory
	// map instead of a read() per page into each connection's own 2 MB
	// cache. Searches visit thousands of scattered message and index pages;
	// at a million messages this cut their time by a third (docs/perf.md,
	// "Search"). 2 GiB is SQLite's default ceiling; a larger file is read
	// past it as before. Writes still go through write() and the WAL.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=mmap_size(2147418112)"
	// The writer sets WAL (a property of the file) before any reader opens.
	write, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	defer func() {
		if err != nil {
			_ = write.Close()
		}
	}()
	var mode string
	if err := write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return nil, fmt.Errorf("open sqlite %s: journal_mode is %q, want wal", path, mode)
	}

	read, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(sqliteReaders)
	read.SetMaxIdleConns(sqliteReaders)
	read.SetConnMaxIdleTime(5 * time.Minute)
	if err := read.PingContext(ctx); err != nil {
		_ = read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db := &DB{
		engine: EngineSQLite,
		write:  write,
		read:   read,
		logger: logger,
		// Write transactions begin IMMEDIATE on the one writer connection, so
		// they are already serialised; a plain read suffices.
		lockWorkspaceSQL: `SELECT id FROM workspaces WHERE id = $1`,
	}
	db.startSearchIndexer(indexDelay)
	return db, nil
}

func openPostgres(ctx context.Context, rawURL string, logger *slog.Logger) (*DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Never echo the URL: it may hold a password.
		return nil, errors.New("open postgres: the database URL must look like postgres://user@host:5432/dbname")
	}
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", u.Redacted(), err)
	}
	db.SetMaxOpenConns(postgresMaxOpen)
	db.SetMaxIdleConns(postgresMaxOpen)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres %s: %w", u.Redacted(), err)
	}
	return &DB{
		engine:           EnginePostgres,
		write:            db,
		read:             db,
		logger:           logger,
		lockWorkspaceSQL: `SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`,
		forUpdate:        " FOR UPDATE",
		forNoKeyUpdate:   " FOR NO KEY UPDATE",
	}, nil
}

// Close closes every pool.
func (db *DB) Close() error {
	db.stopSearchIndexer()
	var errs []error
	if db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.write.Close())
	return errors.Join(errs...)
}

// Engine returns EngineSQLite or EnginePostgres.
func (db *DB) Engine() string { return db.engine }

// Pools returns the connection pools by name, for metrics: "write" and "read"
// on SQLite, "main" on PostgreSQL. Callers must not close them.
func (db *DB) Pools() map[string]*sql.DB {
	if db.engine == EngineSQLite {
		return map[string]*sql.DB{"write": db.write, "read": db.read}
	}
	return map[string]*sql.DB{"main": db.write}
}

// Ping checks that every pool reaches the database.
func (db *DB) Ping(ctx context.Context) error {
	for name, p := range db.Pools() {
		if err := p.PingContext(ctx); err != nil {
			return fmt.Errorf("ping %s %s: %w", db.engine, name, err)
		}
	}
	return nil
}

// update runs fn in one write transaction: committed if fn returns nil,
// rolled back otherwise. Errors are wrapped with op.
func (db *DB) update(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(fmt.Errorf("%s: begin: %w", op, err))
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return unavailable(fmt.Errorf("%s: %w", op, err))
	}
	if err := tx.Commit(); err != nil {
		return unavailable(fmt.Errorf("%s: commit: %w", op, err))
	}
	db.wakeSearchIndexer()
	return nil
}

// micros is how a time is stored: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros turns a stored time back into a time.Time in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// normal returns t as it will read back from the database.
func normal(t time.Time) time.Time { return fromMicros(micros(t)) }

// nullMicros stores an optional time: NULL for nil.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// normalPtr is normal for optional times.
func normalPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normal(*t)
	return &n
}

// timePtr turns a nullable stored time into *time.Time.
func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// rowsAffected returns how many rows a statement changed.
func rowsAffected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
