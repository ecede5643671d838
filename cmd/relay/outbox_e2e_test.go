package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay/connectors/webhook"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
)

// receiver is an outgoing-webhook endpoint that counts what arrives, by the
// outbox row id each delivery carries, and fails while told to.
type receiver struct {
	mu      sync.Mutex
	secret  string
	failing bool
	tries   map[string]int // every request, by Relay-Webhook-Id
	ok      map[string]int // answered 2xx
	bad     []string       // requests whose signature did not verify
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	id := r.Header.Get("Relay-Webhook-Id")
	if rc.secret != "" {
		if err := webhook.Verify(rc.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			rc.bad = append(rc.bad, id+": "+err.Error())
		}
	}
	rc.tries[id]++
	if rc.failing {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	rc.ok[id]++
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) snapshot() (tries, ok map[string]int, bad []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	tries, ok = map[string]int{}, map[string]int{}
	for k, v := range rc.tries {
		tries[k] = v
	}
	for k, v := range rc.ok {
		ok[k] = v
	}
	return tries, ok, append([]string(nil), rc.bad...)
}

// TestOutboxSurvivesKill: messages whose webhook deliveries have not gone
// out when the process is killed (SIGKILL: no shutdown code runs) are
// delivered after a restart on the same database — each exactly once.
func TestOutboxSurvivesKill(t *testing.T) {
	engines := []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"--database-url", testdb.PostgresURL(t)} }},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			rc := &receiver{failing: true, tries: map[string]int{}, ok: map[string]int{}}
			ts := httptest.NewServer(rc)
			defer ts.Close()

			data := t.TempDir()
			args := append([]string{"--data", data, "--webhook-allow-private", "--outbox-lease", "2s"}, e.args(t)...)
			srv := startRelay(t, args...)
			c := newClient(t, srv.addr, "")
			tn := signup(t, c, "crashco", "Crash Co")
			own := bearer(tn.owner.token)

			var sub struct {
				ID     string `json:"id"`
				Secret string `json:"secret"`
			}
			c.do(t, "POST", tn.host, "/api/v1/webhooks", own, jsonBody(map[string]any{"url": ts.URL + "/hook",
				"events": []string{"message.created"}})).want(t, 201).decode(t, &sub)
			rc.mu.Lock()
			rc.secret = sub.Secret
			rc.mu.Unlock()
			var chans struct {
				Channels []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"channels"`
			}
			c.do(t, "GET", tn.host, "/api/v1/channels", own).want(t, 200).decode(t, &chans)
			general := ""
			for _, ch := range chans.Channels {
				if ch.Name == "general" {
					general = ch.ID
				}
			}
			const n = 5
			for i := range n {
				c.do(t, "POST", tn.host, "/api/v1/channels/"+general+"/messages", own,
					jsonBody(map[string]string{"body": fmt.Sprintf("before the crash %d", i)})).want(t, 201)
			}
			// Every row has been tried (and failed) at least once: the rows
			// exist and the workers are at them.
			testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
				if tries, _, _ := rc.snapshot(); len(tries) < n {
					return fmt.Errorf("%d of %d deliveries tried", len(tries), n)
				}
				return nil
			})
			if err := srv.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-srv.done
			rc.mu.Lock()
			rc.failing = false
			rc.mu.Unlock()

			// The same data folder (secret key, SQLite file) or database.
			srv2 := startRelay(t, args...)
			c2 := newClient(t, srv2.addr, "")
			testenv.CheckFor(t, 60*time.Second, 100*time.Millisecond, func() error {
				_, ok, _ := rc.snapshot()
				if len(ok) < n {
					return fmt.Errorf("%d of %d delivered after the restart", len(ok), n)
				}
				var list struct {
					Items []json.RawMessage `json:"items"`
				}
				for _, st := range []string{"pending", "sending", "dead"} {
					c2.do(t, "GET", tn.host, "/api/v1/outbox?state="+st, own).want(t, 200).decode(t, &list)
					if len(list.Items) != 0 {
						return fmt.Errorf("%d rows still %s", len(list.Items), st)
					}
				}
				return nil
			})
			tries, ok, bad := rc.snapshot()
			if len(bad) > 0 {
				t.Fatalf("signatures that did not verify: %v", bad)
			}
			if len(ok) != n {
				t.Fatalf("delivered %d distinct rows, want %d: %v", len(ok), n, ok)
			}
			for id, k := range ok {
				if k != 1 {
					t.Errorf("row %s delivered %d times (tries %d), want exactly once", id, k, tries[id])
				}
			}
			var list struct {
				Items []struct {
					State    string `json:"state"`
					Attempts int    `json:"attempts"`
				} `json:"items"`
			}
			c2.do(t, "GET", tn.host, "/api/v1/outbox?state=delivered", own).want(t, 200).decode(t, &list)
			if len(list.Items) != n {
				t.Fatalf("%d delivered rows listed, want %d", len(list.Items), n)
			}
			for _, it := range list.Items {
				if it.Attempts < 2 {
					t.Errorf("a row delivered in %d attempts: it should have failed before the crash", it.Attempts)
				}
			}
		})
	}
}
