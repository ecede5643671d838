package socket_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
)

// TestPushRefusesDuplicateKeys: a push whose payload names a key twice in
// one object, at any depth, gets an invalid error reply that names the key;
// nothing is posted and the channel stays joined.
func TestPushRefusesDuplicateKeys(t *testing.T) {
	w := newWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	c := dial(t, w.st, w.bob)
	c.mustJoin(w.topic, nil, nil)
	for _, tc := range []struct {
		event, payload, key string
	}{
		{"message:send", `{"body":"a","body":"b"}`, `"body"`},
		{"message:send", `{"body":"a","\u0062ody":"b"}`, `"body"`},
		{"message:send", `{"body":"a","client_msg_id":"x","client_msg_id":"y"}`, `"client_msg_id"`},
		{"read", `{"seq":1,"seq":2}`, `"seq"`},
		{"typing", `{"parent_id":null,"parent_id":null}`, `"parent_id"`},
	} {
		r := c.push(w.topic, tc.event, json.RawMessage(tc.payload))
		reason, code := r.reason()
		if r.Status != "error" || code != "invalid" || !strings.Contains(reason, tc.key) {
			t.Errorf("%s %s: reply %s, want an invalid error naming %s", tc.event, tc.payload, r, tc.key)
		}
	}
	for _, f := range c.drain() {
		if f.Event == "message:new" || f.Event == "phx_error" || f.Event == "phx_close" {
			t.Fatalf("after refused pushes: %s", f)
		}
	}
	send(t, c, w.topic, map[string]any{"body": "still joined"})
}
