package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/store"
)

// TestSearchQueue: on SQLite, posts, edits and deletes reach the search
// index through a durable queue. Whatever is queued when the process stops
// (here: an indexer that never runs, then Close, which leaves the queue as a
// kill -9 would) is indexed after the restart, and a search indexes the
// queue before it reads, so it never misses a committed message nor finds
// text edited or deleted away.
func TestSearchQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	open := func(delay time.Duration) *store.DB {
		t.Helper()
		db, err := store.Open(ctx, store.Config{SQLitePath: path, SearchIndexDelay: delay})
		if err != nil {
			t.Fatal(err)
		}
		must(t, db.Migrate(ctx))
		return db
	}
	db := open(24 * time.Hour) // the background indexer never runs
	a := mustCreateWorkspace(t, db, "acme", "owner@acme.test")
	all := []relay.ID{a.general.ID}
	search := func(db *store.DB, word string) []string {
		t.Helper()
		got := bodies(mustSearch(t, db, relay.MessageSearch{WorkspaceID: a.ws.ID, Channels: all, Terms: words(word), Sort: relay.SortNewest}).Messages)
		slices.Sort(got)
		return got
	}
	queued := func(db *store.DB) int { t.Helper(); return count(t, db, `SELECT count(*) FROM search_queue`) }

	// Indexed: one message, and an edit that the queue carries later.
	indexed := mustPostOne(t, db, msg(a.general, a.owner, "indexed before the crash"))
	edited := mustPostOne(t, db, msg(a.general, a.owner, "an indexed typo"))
	if n, err := db.IndexQueued(ctx); err != nil || n != 2 {
		t.Fatalf("IndexQueued = %d, %v; want 2", n, err)
	}
	// Queued only: new posts, an edit of an indexed message, an edit and a
	// delete of messages never indexed, a delete of an indexed one.
	mustPost(t, db, msg(a.general, a.owner, "queued alpha"), msg(a.general, a.owner, "queued beta 東京の会議"))
	pending := mustPostOne(t, db, msg(a.general, a.owner, "queued draft"))
	gone := mustPostOne(t, db, msg(a.general, a.owner, "queued then deleted"))
	if _, err := db.EditMessage(ctx, a.ws.ID, edited.ID, "an indexed fix", nil, false, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EditMessage(ctx, a.ws.ID, pending.ID, "queued final", nil, false, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteMessage(ctx, a.ws.ID, gone.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteMessage(ctx, a.ws.ID, indexed.ID, t0); err != nil {
		t.Fatal(err)
	}
	if n := queued(db); n != 6 {
		t.Fatalf("%d messages queued, want 6", n)
	}
	must(t, db.Close())

	db = open(0)
	defer db.Close()
	if n := queued(db); n != 6 {
		t.Fatalf("%d messages queued after the restart, want 6", n)
	}
	for _, c := range []struct {
		word string
		want []string
	}{
		{"queued", []string{"queued alpha", "queued beta 東京の会議", "queued final"}},
		{"会議", []string{"queued beta 東京の会議"}},
		{"東京の", []string{"queued beta 東京の会議"}},
		{"draft", nil},
		{"deleted", nil},
		{"crash", nil},
		{"typo", nil},
		{"fix", []string{"an indexed fix"}},
	} {
		if got := search(db, c.word); !slices.Equal(got, c.want) {
			t.Errorf("search %q after the restart = %q, want %q", c.word, got, c.want)
		}
	}
	if n := queued(db); n != 0 {
		t.Fatalf("%d messages still queued after a search", n)
	}
	// And the background indexer takes new writes by itself.
	mustPostOne(t, db, msg(a.general, a.owner, "background gamma"))
	deadline, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for queued(db) != 0 {
		select {
		case <-deadline.Done():
			t.Fatal("the background indexer left the queue unindexed for a minute")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if got := search(db, "gamma"); !slices.Equal(got, []string{"background gamma"}) {
		t.Fatalf("search gamma = %q", got)
	}
}
