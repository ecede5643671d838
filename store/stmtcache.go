package store

import (
	"context"
	"database/sql"
)

// SQLite parses every statement text it is given: the modernc driver keeps
// no statement cache, and parsing was a quarter of the server's CPU on the
// message write path, where a batch runs the same few statements for every
// message. wtx prepares each distinct statement once per transaction and
// reuses it. (A cache across transactions would prepare on the pool, whose
// one SQLite writer connection the open transaction holds.) PostgreSQL needs
// none of this: pgx caches prepared statements per connection itself.

// wtx is a write transaction whose statements are prepared once each.
type wtx struct {
	db    *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // closed with the transaction
}

func (db *DB) cached(tx *sql.Tx) *wtx { return &wtx{db: db, tx: tx} }

func (w *wtx) stmt(ctx context.Context, query string) *sql.Stmt {
	if w.db.engine != EngineSQLite {
		return nil
	}
	if st := w.stmts[query]; st != nil {
		return st
	}
	st, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared path reports the error
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = st
	return st
}

func (w *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := w.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return w.tx.ExecContext(ctx, query, args...)
}

func (w *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := w.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return w.tx.QueryContext(ctx, query, args...)
}

func (w *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := w.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return w.tx.QueryRowContext(ctx, query, args...)
}

var _ querier = (*wtx)(nil)
