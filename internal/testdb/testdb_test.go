package testdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/relayhq/relay/store"
)

func TestSQLite(t *testing.T) {
	db := SQLite(t)
	if got, want := db.Engine(), store.EngineSQLite; got != want {
		t.Fatalf("Engine() = %q, want %q", got, want)
	}
	checkMigrated(t, db)
}

func TestPostgres(t *testing.T) {
	db := Postgres(t)
	if got, want := db.Engine(), store.EnginePostgres; got != want {
		t.Fatalf("Engine() = %q, want %q", got, want)
	}
	checkMigrated(t, db)
}

func checkMigrated(t *testing.T, db *store.DB) {
	t.Helper()
	got, err := db.MigrationVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.LatestMigration()
	if err != nil {
		t.Fatal(err)
	}
	if got != want || got == 0 {
		t.Fatalf("MigrationVersion() = %d, want %d (> 0)", got, want)
	}
}

// TestPostgresURLIsFreshAndDropped checks that each call makes its own empty
// database and that it is gone once the test that asked for it ends.
func TestPostgresURLIsFreshAndDropped(t *testing.T) {
	var names []string
	t.Run("create", func(t *testing.T) {
		for range 2 {
			u := PostgresURL(t)
			name := u[strings.LastIndex(u, "/")+1:]
			name, _, _ = strings.Cut(name, "?")
			if !strings.HasPrefix(name, "relay_test_") {
				t.Fatalf("database name %q, want prefix relay_test_", name)
			}
			names = append(names, name)
			db, err := store.Open(context.Background(), store.Config{URL: u})
			if err != nil {
				t.Fatal(err)
			}
			v, err := db.MigrationVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v != 0 {
				t.Errorf("MigrationVersion of a fresh database = %d, want 0", v)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if names[0] == names[1] {
			t.Fatalf("two calls gave the same database %q", names[0])
		}
	})
	if len(names) == 0 {
		t.Skip("PostgreSQL unreachable (the subtest above fails instead under CI=true)")
	}
	a := server()
	for _, name := range names {
		var n int
		if err := a.db.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists after its test ended", name)
		}
	}
}

// fakeTB records how a test was stopped instead of stopping it.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }
func (f *fakeTB) Skipf(format string, a ...any)  { f.skip = fmt.Sprintf(format, a...) }

func TestUnreachable(t *testing.T) {
	reason := errors.New("dial tcp 127.0.0.1:5432: connection refused")
	tests := []struct {
		name, ci, require string
		wantFatal         bool
	}{
		{name: "local", ci: "", require: "", wantFatal: false},
		{name: "CI=true", ci: "true", require: "", wantFatal: true},
		{name: "CI=false", ci: "false", require: "", wantFatal: false},
		{name: "required", ci: "", require: "1", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			t.Setenv("RELAY_TEST_REQUIRE_POSTGRES", tt.require)
			f := &fakeTB{TB: t}
			unreachable(f, reason)
			msg := f.skip
			if tt.wantFatal {
				msg = f.fatal
			}
			if (f.fatal != "") != tt.wantFatal || (f.skip != "") == tt.wantFatal {
				t.Fatalf("fatal=%q skip=%q, want fatal: %v", f.fatal, f.skip, tt.wantFatal)
			}
			if !strings.Contains(msg, reason.Error()) || !strings.Contains(msg, "CI") {
				t.Errorf("message %q should give the reason and mention CI", msg)
			}
		})
	}
}
