package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relayhq/relay"
)

// sqliteErr returns a real SQLite error of the kind named: modernc's Error
// has no exported constructor, so the driver is made to fail.
func sqliteErr(t *testing.T, kind string) error {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	switch kind {
	case "cantopen":
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "missing", "x.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		return db.PingContext(ctx)
	case "busy":
		path := filepath.Join(dir, "x.db")
		a, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if _, err := a.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
			t.Fatal(err)
		}
		tx, err := a.BeginTx(ctx, nil) // holds the write lock
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		b, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		tx2, err := b.BeginTx(ctx, nil)
		if err == nil {
			tx2.Rollback()
		}
		return err
	case "constraint":
		db, err := sql.Open("sqlite", filepath.Join(dir, "c.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "CREATE TABLE t (x INTEGER UNIQUE)"); err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecContext(ctx, "INSERT INTO t VALUES (1), (1)")
		return err
	}
	t.Fatalf("unknown kind %q", kind)
	return nil
}

// pgConnectErr returns pgx's error for a server that refuses the dial.
func pgConnectErr(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = pgconn.Connect(context.Background(), "postgres://relay@"+addr+"/relay?sslmode=disable&connect_timeout=5")
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("connect to a closed port: %v, want a *pgconn.ConnectError", err)
	}
	return err
}

// TestUnavailable checks that connection-level failures of either engine
// become EUNAVAILABLE with a Retry-After and the cause kept for logs, and
// that statement failures and coded errors are left alone.
func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	coded := relay.Errorf(relay.ECONFLICT, "taken")
	tests := []struct {
		name string
		err  error
		want bool // EUNAVAILABLE
	}{
		{"pg connection failure 08006", &pgconn.PgError{Code: "08006"}, true},
		{"pg connection does not exist 08003", &pgconn.PgError{Code: "08003"}, true},
		{"pg cannot connect 08001", &pgconn.PgError{Code: "08001"}, true},
		{"pg admin shutdown 57P01", &pgconn.PgError{Code: "57P01"}, true},
		{"pg crash shutdown 57P02", &pgconn.PgError{Code: "57P02"}, true},
		{"pg cannot connect now 57P03", &pgconn.PgError{Code: "57P03"}, true},
		{"pg wrapped", fmt.Errorf("post: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"network refused", fmt.Errorf("begin: %w", refused), true},
		{"pg connect refused", fmt.Errorf("begin: %w", pgConnectErr(t)), true},
		{"bad connection", driver.ErrBadConn, true},
		{"connection done", sql.ErrConnDone, true},
		{"deadline waiting for a connection", fmt.Errorf("begin: %w", context.DeadlineExceeded), true},
		{"sqlite cannot open", sqliteErr(t, "cantopen"), true},
		{"sqlite busy", sqliteErr(t, "busy"), true},
		{"pg unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"pg query canceled 57014", &pgconn.PgError{Code: "57014"}, false},
		{"pg syntax", &pgconn.PgError{Code: "42601"}, false},
		{"sqlite constraint", sqliteErr(t, "constraint"), false},
		{"no rows", sql.ErrNoRows, false},
		{"canceled by the caller", context.Canceled, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error to classify")
			}
			got := unavailable(tt.err)
			if code := relay.ErrorCode(got); (code == relay.EUNAVAILABLE) != tt.want {
				t.Fatalf("unavailable(%v): code %q, want unavailable %v", tt.err, code, tt.want)
			}
			if !tt.want {
				if got != tt.err {
					t.Fatalf("unavailable(%v) changed the error to %v", tt.err, got)
				}
				return
			}
			var e *relay.Error
			if !errors.As(got, &e) || e.RetryAfter <= 0 || e.Message == "" {
				t.Fatalf("unavailable(%v) = %+v, want a message and a Retry-After", tt.err, e)
			}
			if !errors.Is(got, tt.err) {
				t.Fatalf("unavailable(%v) lost its cause", tt.err)
			}
		})
	}
	if got := unavailable(fmt.Errorf("x: %w", coded)); relay.ErrorCode(got) != relay.ECONFLICT {
		t.Fatalf("a coded error became %q", relay.ErrorCode(got))
	}
	if unavailable(nil) != nil {
		t.Fatal("unavailable(nil) != nil")
	}
}
