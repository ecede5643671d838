// The conformance suite of app.Store: every test runs on SQLite and on
// PostgreSQL through testdb.Engines, each subtest on a fresh database. Files
// are split by noun like the package.
package store_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestMigrate(t *testing.T) {
	t.Parallel()
	open := map[string]func(t *testing.T) store.Config{
		store.EngineSQLite: func(t *testing.T) store.Config {
			// A missing parent directory is created.
			return store.Config{SQLitePath: filepath.Join(t.TempDir(), "a", "b", "relay.db")}
		},
		store.EnginePostgres: func(t *testing.T) store.Config { return store.Config{URL: testdb.PostgresURL(t)} },
	}
	for _, engine := range []string{store.EngineSQLite, store.EnginePostgres} {
		t.Run(engine, func(t *testing.T) {
			cfg := open[engine](t)
			cfg.Logger = slog.New(slog.DiscardHandler)
			db, err := store.Open(ctx, cfg)
			must(t, err)
			defer db.Close()
			if got := db.Engine(); got != engine {
				t.Fatalf("Engine() = %q, want %q", got, engine)
			}
			must(t, db.Ping(ctx))
			v, err := db.MigrationVersion(ctx)
			must(t, err)
			if v != 0 {
				t.Fatalf("MigrationVersion before Migrate = %d, want 0", v)
			}
			latest, err := db.LatestMigration()
			must(t, err)
			for range 2 { // idempotent
				must(t, db.Migrate(ctx))
				v, err = db.MigrationVersion(ctx)
				must(t, err)
				if v != latest || v < 1 {
					t.Fatalf("MigrationVersion = %d, want %d", v, latest)
				}
			}
		})
	}
}

func TestPools(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		pools := db.Pools()
		var names []string
		for name, p := range pools {
			if p == nil {
				t.Errorf("pool %q is nil", name)
			}
			names = append(names, name)
		}
		want := map[string]int{store.EngineSQLite: 2, store.EnginePostgres: 1}[db.Engine()]
		if len(names) != want {
			t.Fatalf("Pools() names = %v, want %d pools", names, want)
		}
	})
}

// TestSQLiteSettings checks the durability and integrity settings of both
// SQLite pools, and that the read pool cannot write.
func TestSQLiteSettings(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	for name, p := range db.Pools() {
		for pragma, want := range map[string]string{
			"journal_mode": "wal",
			"foreign_keys": "1",
			"synchronous":  "2", // FULL
			"busy_timeout": "10000",
		} {
			var got string
			must(t, p.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
			if got != want {
				t.Errorf("%s pool: PRAGMA %s = %q, want %q", name, pragma, got, want)
			}
		}
		if got := p.Stats().MaxOpenConnections; name == "write" && got != 1 {
			t.Errorf("write pool MaxOpenConnections = %d, want 1", got)
		}
	}
	_, err := db.Pools()["read"].ExecContext(ctx, `DELETE FROM users`)
	if err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, []byte("x"), 0o600))
	tests := []struct {
		name string
		cfg  store.Config
	}{
		{"no path", store.Config{}},
		{"not a postgres URL", store.Config{URL: "mysql://root@127.0.0.1/relay"}},
		{"parent is a file", store.Config{SQLitePath: filepath.Join(file, "relay.db")}},
		{"postgres not listening", store.Config{URL: "postgres://postgres@127.0.0.1:1/relay?sslmode=disable&connect_timeout=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			db, err := store.Open(ctx, tt.cfg)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want an error")
			}
		})
	}
}

// TestTimes checks the representation: microseconds, UTC, whatever the
// caller's location.
func TestTimes(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tokyo := time.FixedZone("JST", 9*60*60)
		w, u := newWorkspace("times"), newUser("times@example.com")
		w.CreatedAt = t0.In(tokyo)
		w.UpdatedAt = t0.In(tokyo)
		must(t, db.CreateWorkspace(ctx, w, u, true, nil, nil))
		got, err := db.WorkspaceByID(ctx, w.ID)
		must(t, err)
		want := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
		if got.CreatedAt != want || got.UpdatedAt != want {
			t.Fatalf("times = %v, %v; want exactly %v", got.CreatedAt, got.UpdatedAt, want)
		}
		if w.CreatedAt != want {
			t.Fatalf("caller's CreatedAt after insert = %v, want it normalised to %v", w.CreatedAt, want)
		}
	})
}

func TestPing(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		must(t, db.Ping(ctx))
		must(t, db.Close())
		if err := db.Ping(ctx); err == nil {
			t.Fatal("Ping after Close succeeded")
		}
		if relay.ErrorCode(db.Ping(ctx)) != relay.EINTERNAL {
			t.Fatal("Ping error should be internal")
		}
	})
}
