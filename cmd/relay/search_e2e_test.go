package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/relayhq/relay/internal/testdb"
)

// TestSearchSurvivesKill: a process killed while posting (SIGKILL: no
// shutdown code runs) leaves no acknowledged message unfindable after a
// restart on the same database. PostgreSQL indexes in the post transaction;
// SQLite queues each post's id in its transaction and indexes the queue
// later (store/search_queue.go): here its indexer is held back for the whole
// first run, so the kill lands between the post and its indexing for every
// message, and the test checks that the queue still held them.
func TestSearchSurvivesKill(t *testing.T) {
	engines := []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"--database-url", testdb.PostgresURL(t)} }},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			data := t.TempDir()
			args := append([]string{"--data", data}, e.args(t)...)
			srv := startRelay(t, append(args, "--search-index-delay", "24h")...)
			c := newClient(t, srv.addr, "")
			tn := signup(t, c, "crashco", "Crash Co")
			own := bearer(tn.owner.token)
			c.do(t, "PATCH", tn.host, "/api/v1/workspace", own, jsonBody(map[string]int{"message_rate": 0, "message_burst": 0})).want(t, 200)
			var chans struct {
				Channels []struct{ ID, Name string } `json:"channels"`
			}
			c.do(t, "GET", tn.host, "/api/v1/channels", own).want(t, 200).decode(t, &chans)
			general := ""
			for _, ch := range chans.Channels {
				if ch.Name == "general" {
					general = ch.ID
				}
			}

			// Four posters; the process is killed once 60 posts are
			// acknowledged, with posts in flight.
			var mu sync.Mutex
			acked := map[string]bool{}
			enough := make(chan struct{})
			var once sync.Once
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						body := fmt.Sprintf("surviving word w%di%d", w, i)
						r, err := c.send("POST", tn.host, "/api/v1/channels/"+general+"/messages", own, jsonBody(map[string]string{"body": body}))
						if err != nil || r.status != 201 {
							return // killed
						}
						mu.Lock()
						acked[body] = true
						if len(acked) >= 60 {
							once.Do(func() { close(enough) })
						}
						mu.Unlock()
					}
				}()
			}
			<-enough
			if err := srv.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-srv.done
			wg.Wait()
			if e.name == "sqlite" {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if q := countRows(t, filepath.Join(data, "relay.db"), "search_queue"); q < n {
					t.Fatalf("%d messages queued for indexing at the kill, want at least the %d acknowledged", q, n)
				}
			}

			srv2 := startRelay(t, args...)
			c2 := newClient(t, srv2.addr, "")
			found := map[string]bool{}
			cursor := ""
			for {
				var page struct {
					Results []struct {
						Message struct{ Body string } `json:"message"`
					} `json:"results"`
					NextCursor string `json:"next_cursor"`
				}
				c2.do(t, "GET", tn.host, "/api/v1/search?sort=newest&limit=50&q=surviving&cursor="+url.QueryEscape(cursor), own).want(t, 200).decode(t, &page)
				for _, r := range page.Results {
					found[r.Message.Body] = true
				}
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for body := range acked {
				if !found[body] {
					t.Errorf("acknowledged %q is not found after the restart", body)
				}
			}
			t.Logf("%d acknowledged, %d found after the restart", len(acked), len(found))
		})
	}
}

// countRows counts a table's rows in the SQLite file at path (the server is
// not running).
func countRows(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
