// Package testdb gives tests fresh, migrated Relay databases on both engines,
// so the store's conformance suite, app, httpapi and end-to-end tests all
// run against SQLite and PostgreSQL the same way.
//
// SQLite databases live in the test's TempDir. PostgreSQL databases are
// created per call as relay_test_<random hex> on the server named by
// RELAY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
// and dropped WITH (FORCE) when the test ends; the admin connection is only
// used to create and drop those databases (and, for Outage, to refuse and
// drop connections to one of them), never to read or change the contents of
// any database.
//
// When PostgreSQL cannot be reached, its tests are skipped with the reason,
// unless CI=true or RELAY_TEST_REQUIRE_POSTGRES=1, when they fail: under CI
// nothing the suite covers may be skipped (scripts/test-services.sh starts
// the server first).
//
// This package is for tests only; production code must never import it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/relayhq/relay/store"
)

// DefaultPostgresURL is the admin URL used when RELAY_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupTimeout bounds creating, opening and migrating one database.
const setupTimeout = time.Minute

// SQLite returns a fresh, migrated SQLite database in tb.TempDir(), closed
// when the test ends.
func SQLite(tb testing.TB) *store.DB {
	tb.Helper()
	return open(tb, store.Config{SQLitePath: filepath.Join(tb.TempDir(), "relay.db")})
}

// Postgres returns a fresh, migrated PostgreSQL database, closed and dropped
// when the test ends. See PostgresURL for when it skips or fails.
func Postgres(tb testing.TB) *store.DB {
	tb.Helper()
	return open(tb, store.Config{URL: PostgresURL(tb)})
}

// Engines runs fn as the subtests "sqlite" and "postgres", each with a fresh
// migrated database of that engine.
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run(store.EngineSQLite, func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run(store.EnginePostgres, func(t *testing.T) { fn(t, Postgres(t)) })
}

func open(tb testing.TB, cfg store.Config) *store.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("testdb: close: %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return db
}

// PostgresURL creates an empty database relay_test_<random hex> (not
// migrated), drops it WITH (FORCE) when the test ends and returns its URL. If
// PostgreSQL cannot be reached it calls tb.Fatalf when CI=true or
// RELAY_TEST_REQUIRE_POSTGRES=1, and tb.Skipf otherwise.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	a := server()
	if a.err != nil {
		unreachable(tb, a.err)
		return "" // unreachable only returns when tb is a fake that does not stop
	}

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	name := "relay_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	// name is [a-z0-9_] only, so quoting it as an identifier is enough.
	if _, err := a.db.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		tb.Fatalf("testdb: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if _, err := a.db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			tb.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	u := *a.url
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// admin is the process-wide connection used to create and drop test
// databases, or the reason there is none. Reachability is checked once.
type admin struct {
	db  *sql.DB
	url *url.URL
	err error
}

var (
	adminOnce sync.Once
	adminConn admin
)

func server() admin {
	adminOnce.Do(func() { adminConn = connectAdmin() })
	return adminConn
}

func connectAdmin() admin {
	raw := os.Getenv("RELAY_TEST_POSTGRES_URL")
	if raw == "" {
		raw = DefaultPostgresURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return admin{err: fmt.Errorf("RELAY_TEST_POSTGRES_URL must be a postgres:// URL")}
	}
	db, err := sql.Open("pgx", raw)
	if err != nil {
		return admin{err: fmt.Errorf("%s: %w", u.Redacted(), err)}
	}
	db.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return admin{err: fmt.Errorf("%s: %w", u.Redacted(), err)}
	}
	// The admin connection lives as long as the test process.
	return admin{db: db, url: u}
}

// unreachable stops the test because PostgreSQL cannot be had: a failure
// when it is required, a skip otherwise.
func unreachable(tb testing.TB, err error) {
	tb.Helper()
	if postgresRequired() {
		tb.Fatalf("testdb: PostgreSQL is required (CI=true or RELAY_TEST_REQUIRE_POSTGRES=1) but unreachable: %v", err)
		return
	}
	tb.Skipf("testdb: PostgreSQL unreachable (set CI=true to make this fatal): %v", err)
}

// postgresRequired reports whether an unreachable PostgreSQL fails tests.
func postgresRequired() bool {
	ci, _ := strconv.ParseBool(strings.TrimSpace(os.Getenv("CI")))
	return ci || os.Getenv("RELAY_TEST_REQUIRE_POSTGRES") == "1"
}

// Outage makes the PostgreSQL database at dbURL (one PostgresURL made)
// unreachable, as a database server that went away looks to Relay: new
// connections are refused (ALLOW_CONNECTIONS false) and every open one is
// terminated, so pooled connections fail on their next use. It returns the
// function that ends the outage (connections allowed again); the test's
// cleanup calls it too. Only the test's own database is touched.
func Outage(tb testing.TB, dbURL string) (restore func()) {
	tb.Helper()
	a := server()
	if a.err != nil {
		unreachable(tb, a.err)
		return func() {}
	}
	u, err := url.Parse(dbURL)
	name := strings.TrimPrefix(u.Path, "/")
	if err != nil || !strings.HasPrefix(name, "relay_test_") || strings.Trim(name[len("relay_test_"):], "0123456789abcdef") != "" {
		tb.Fatalf("testdb: Outage needs a database made by PostgresURL, not %q", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if _, err := a.db.ExecContext(ctx, `ALTER DATABASE "`+name+`" ALLOW_CONNECTIONS false`); err != nil {
		tb.Fatalf("testdb: outage of %s: %v", name, err)
	}
	if _, err := a.db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
		tb.Fatalf("testdb: outage of %s: %v", name, err)
	}
	var once sync.Once
	restore = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
			defer cancel()
			if _, err := a.db.ExecContext(ctx, `ALTER DATABASE "`+name+`" ALLOW_CONNECTIONS true`); err != nil {
				tb.Errorf("testdb: end the outage of %s: %v", name, err)
			}
		})
	}
	tb.Cleanup(restore)
	return restore
}
