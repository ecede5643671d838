package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// SQLite's search index is written behind the messages, through a durable
// queue (migrations/sqlite/00013_search_index.sql): every post, edit, delete
// and purge records the message's id in search_queue in its own transaction,
// and the indexer below moves the queue into the two FTS5 indexes in batches.
// FTS5 writes a new segment of each index per transaction, so indexing in
// the post transaction (a group commit of a few to a few hundred posts)
// cost a third of the post path's throughput; a batch of thousands costs a
// fraction of that per message.
//
// Nothing can be skipped: a queued id leaves the queue only in the
// transaction that indexes it, and a crash leaves it queued. Nothing is
// stale when read: SearchMessages first indexes whatever is queued
// (catchUpSearch), so a search sees every message committed before it began.
// PostgreSQL indexes in the post transaction (a generated tsvector column and
// GIN) and has no queue.

const (
	// indexBatch bounds the messages one indexing transaction takes.
	indexBatch = 4096
	// defaultIndexDelay is how long the indexer lets writes gather after
	// the first one wakes it (Config.SearchIndexDelay): long enough to
	// index hundreds of posts at once under load, short enough that the
	// queue stays small.
	defaultIndexDelay = 200 * time.Millisecond
)

// searchIndexer runs the queue in the background.
type searchIndexer struct {
	wake chan struct{} // a write committed: buffered, one pending wake
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// startSearchIndexer starts db's indexer (SQLite only).
func (db *DB) startSearchIndexer(delay time.Duration) {
	if delay <= 0 {
		delay = defaultIndexDelay
	}
	ix := &searchIndexer{wake: make(chan struct{}, 1), stop: make(chan struct{})}
	db.indexer = ix
	ix.done.Add(1)
	go func() {
		defer ix.done.Done()
		for {
			select {
			case <-ix.stop:
				return
			case <-ix.wake:
			}
			select { // let more writes gather
			case <-ix.stop:
				return
			case <-time.After(delay):
			}
			if _, err := db.indexQueued(context.Background()); err != nil {
				// The queue keeps the work; the next write or search retries.
				db.logger.Warn("search indexing failed; retrying on the next write", "err", err)
			}
		}
	}()
}

// stopSearchIndexer stops the indexer and waits for it; what is still queued
// stays queued for the next start or search.
func (db *DB) stopSearchIndexer() {
	if db.indexer == nil {
		return
	}
	db.indexer.once.Do(func() { close(db.indexer.stop) })
	db.indexer.done.Wait()
}

// wakeSearchIndexer tells the indexer that a write committed (it may have
// queued messages). It never blocks.
func (db *DB) wakeSearchIndexer() {
	if db.indexer == nil {
		return
	}
	select {
	case db.indexer.wake <- struct{}{}:
	default:
	}
}

// catchUpSearch indexes what is queued before a search reads the index, so
// the search sees every committed message. It costs one read when the queue
// is empty, which it is unless messages were written in the last moments.
func (db *DB) catchUpSearch(ctx context.Context) error {
	if db.engine != EngineSQLite {
		return nil
	}
	var queued bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_queue)`).Scan(&queued); err != nil {
		return unavailable(fmt.Errorf("search queue: %w", err))
	}
	if !queued {
		return nil
	}
	_, err := db.indexQueued(ctx)
	return err
}

// IndexQueued indexes every message waiting in SQLite's search queue and
// returns how many it took; a no-op on PostgreSQL. The store calls it by
// itself (after writes and before searches); tests and tools call it to
// measure or to see the index settle.
func (db *DB) IndexQueued(ctx context.Context) (int, error) {
	if db.engine != EngineSQLite {
		return 0, nil
	}
	return db.indexQueued(ctx)
}

func (db *DB) indexQueued(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := db.indexBatch(ctx)
		total += n
		if err != nil || n < indexBatch {
			return total, err
		}
	}
}

// indexBatch indexes up to indexBatch queued messages, oldest id first, in
// one transaction, and removes them from the queue in the same transaction.
func (db *DB) indexBatch(ctx context.Context) (int, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, unavailable(fmt.Errorf("index search queue: begin: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	n, err := indexQueuedTx(ctx, tx)
	if err != nil {
		return 0, unavailable(fmt.Errorf("index search queue: %w", err))
	}
	if n == 0 {
		return 0, nil
	}
	if err := tx.Commit(); err != nil {
		return 0, unavailable(fmt.Errorf("index search queue: commit: %w", err))
	}
	return n, nil
}

func indexQueuedTx(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, redo FROM search_queue ORDER BY id LIMIT $1`, indexBatch)
	if err != nil {
		return 0, err
	}
	var n int
	var last int64
	var redo []int64
	for rows.Next() {
		var id int64
		var again bool
		if err := rows.Scan(&id, &again); err != nil {
			_ = rows.Close()
			return 0, err
		}
		n++
		last = id
		if again {
			redo = append(redo, id)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	// An entry already indexed goes first (contentless_delete removes it by
	// rowid; removing one that is not there is harmless).
	for _, id := range redo {
		for _, stmt := range []string{`DELETE FROM message_words WHERE rowid = $1`, `DELETE FROM message_grams WHERE rowid = $1`} {
			if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
				return 0, err
			}
		}
	}
	for _, stmt := range []string{
		`INSERT INTO message_words (rowid, body, scope)
		SELECT m.id, relay_search_text(m.body), relay_search_scope(m.channel_id, m.author_id, m.mention_ids, m.body)
		FROM search_queue q CROSS JOIN messages m ON m.id = q.id
		WHERE q.id <= $1 AND m.deleted_at IS NULL ORDER BY q.id`,
		`INSERT INTO message_grams (rowid, body)
		SELECT m.id, m.body FROM search_queue q CROSS JOIN messages m ON m.id = q.id
		WHERE q.id <= $1 AND m.deleted_at IS NULL AND relay_search_spaceless(m.body) ORDER BY q.id`,
		`DELETE FROM search_queue WHERE id <= $1`,
	} {
		if _, err := tx.ExecContext(ctx, stmt, last); err != nil {
			return 0, err
		}
	}
	return n, nil
}
