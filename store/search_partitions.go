package store

import (
	"context"
	"fmt"
	"time"
)

// PostgreSQL keeps search words in message_search, partitioned by month of
// the message id (migrations/postgres/00013_search_index.sql). A partition
// must exist before the month's first message is written, or its rows wait
// in the default partition (found all the same, only without the month
// windows' speed). The store makes this month's and the next three months'
// partitions when it migrates and then twice a day, and moves whatever
// waits in the default partition into partitions of its own.

// partitionEvery is how often a running server checks the partitions.
const partitionEvery = 12 * time.Hour

// MaintainSearch makes the missing partitions of message_search (see
// above); a no-op on SQLite. The store runs it by itself; tools that write
// messages of past months in bulk call it to move them out of the default
// partition.
func (db *DB) MaintainSearch(ctx context.Context) error {
	if db.engine != EnginePostgres {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `SELECT relay_search_partitions()`); err != nil {
		return unavailable(fmt.Errorf("search partitions: %w", err))
	}
	return nil
}

// startSearchPartitions runs MaintainSearch every partitionEvery until
// Close (PostgreSQL, once migrated).
func (db *DB) startSearchPartitions() {
	if db.engine != EnginePostgres || db.indexer != nil {
		return
	}
	ix := &searchIndexer{stop: make(chan struct{})}
	db.indexer = ix
	ix.done.Add(1)
	go func() {
		defer ix.done.Done()
		tick := time.NewTicker(partitionEvery)
		defer tick.Stop()
		for {
			select {
			case <-ix.stop:
				return
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			if err := db.MaintainSearch(ctx); err != nil {
				db.logger.Warn("search partitions not made; retrying later", "err", err)
			}
			cancel()
		}
	}()
}
