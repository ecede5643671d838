package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/relayhq/relay"
)

// querier is what both a transaction and a pool can do, for helpers that
// read inside a write transaction or straight from the read pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// view runs fn in one read-only transaction on the read pool, so the several
// statements of one read see one state of the database: a deferred
// transaction on SQLite (its snapshot starts at the first read), REPEATABLE
// READ on PostgreSQL. Errors are wrapped with op.
func (db *DB) view(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == EnginePostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
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
	return nil
}

// maxParams bounds the placeholders of one statement, under SQLite's limit
// (32766) and PostgreSQL's (65535).
const maxParams = 30000

// placeholders returns "$from, $from+1, …" for n parameters.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// idArgs turns ids into statement arguments.
func idArgs(ids []relay.ID) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// insertRows runs "INSERT INTO table (cols) VALUES (…), (…)" for rows of
// len(cols) values each: on PostgreSQL as few statements as the parameter
// limit allows, one round trip for a whole batch; on SQLite a few rows per
// statement, prepared once and reused, because SQLite resolves "$N" names
// by a linear search, which makes a statement of thousands of parameters
// quadratic to prepare and bind (measured: 25 ms for 100 messages in one
// statement, against a few hundred µs this way).
func (db *DB) insertRows(ctx context.Context, q querier, table string, cols []string, rows [][]any) error {
	if tx, ok := q.(*sql.Tx); ok {
		q = db.cached(tx) // one parse for all rows
	}
	per := db.rowsPerStatement(len(cols))
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		for i := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(i*len(cols)+1, len(cols)) + ")")
		}
		if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// sqliteRowsPerStatement is how many rows one SQLite INSERT takes, or one
// queryRows statement looks up (see insertRows).
const sqliteRowsPerStatement = 1

// inListSize is how many ids one "IN ($1, $2, …)" list holds: small on
// SQLite (see insertRows), as large as allowed on PostgreSQL.
func (db *DB) inListSize() int {
	if db.engine == EngineSQLite {
		return 50
	}
	return maxParams
}

// rowsPerStatement is how many rows of n parameters one statement takes.
func (db *DB) rowsPerStatement(n int) int {
	if db.engine == EngineSQLite {
		return sqliteRowsPerStatement
	}
	return max(1, maxParams/n)
}

// queryRows runs a statement for many keys (rows) of the same number of
// values: query(k) returns the statement for k keys, whose parameters are
// the keys' values in order, and which returns one id column (a SELECT, or
// an INSERT … RETURNING). Statements are as large as insertRows makes them,
// and prepared once when used more than once. It returns every id returned.
func (db *DB) queryRows(ctx context.Context, q querier, query func(k int) string, keys [][]any) ([]relay.ID, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if tx, ok := q.(*sql.Tx); ok {
		q = db.cached(tx)
	}
	per := db.rowsPerStatement(len(keys[0]))
	var ids []relay.ID
	for len(keys) > 0 {
		chunk := keys[:min(per, len(keys))]
		keys = keys[len(chunk):]
		var args []any
		for _, k := range chunk {
			args = append(args, k...)
		}
		rows, err := q.QueryContext(ctx, query(len(chunk)), args...)
		if err != nil {
			return nil, err
		}
		found, err := scanIDs(rows)
		if err != nil {
			return nil, err
		}
		ids = append(ids, found...)
	}
	return ids, nil
}

// encodeIDs stores a list of ids as a JSON array of numbers: "[1,2]".
func encodeIDs(ids []relay.ID) string {
	if len(ids) == 0 {
		return "[]"
	}
	b := make([]byte, 0, len(ids)*20+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(append(b, ']'))
}

// decodeIDs reads what encodeIDs wrote; never nil.
func decodeIDs(s string) ([]relay.ID, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("decode ids: %q is not a JSON array", s)
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	if s == "" {
		return []relay.ID{}, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]relay.ID, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("decode ids: %w", err)
		}
		ids[i] = relay.ID(v)
	}
	return ids, nil
}

// distinctIDs returns ids without repeats or zeros, in their first order.
func distinctIDs(ids []relay.ID) []relay.ID {
	out := make([]relay.ID, 0, len(ids))
	seen := make(map[relay.ID]bool, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// limitOr returns limit, or def when it is not positive, never above hi.
func limitOr(limit, def, hi int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, hi)
}
