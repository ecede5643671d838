package socket_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/relayhq/relay/internal/testserver"
)

// TestMessageRateOnSocket: message:send past the workspace's per-user
// message rate gets an error reply with code rate_limited and retry_after,
// and nothing is stored; once the owner turns the limit off (over REST,
// while the socket stays open), the burst passes.
func TestMessageRateOnSocket(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		w.st.SetMessageRate(t, w.owner, 1, 1) // one message, then one a second
		c := dial(t, w.st, w.bob)
		c.mustJoin(w.topic, nil, nil)
		send := func(i int) reply {
			return c.push(w.topic, "message:send", map[string]string{"body": fmt.Sprint("socket ", i), "client_msg_id": fmt.Sprint("s-", i)})
		}
		if r := send(0); r.Status != "ok" {
			t.Fatalf("first message: %s", r)
		}
		// The next is refused unless a second passed; twenty in a row
		// cannot all pass.
		oks := 1
		var refused *reply
		for i := 1; i <= 20 && refused == nil; i++ {
			if r := send(i); r.Status != "ok" {
				refused = &r
			} else {
				oks++
			}
		}
		if refused == nil {
			t.Fatal("21 messages at once, none refused")
		}
		var e struct {
			Reason     string `json:"reason"`
			Code       string `json:"code"`
			RetryAfter int    `json:"retry_after"`
		}
		if err := json.Unmarshal(refused.Response, &e); err != nil || refused.Status != "error" ||
			e.Code != "rate_limited" || e.RetryAfter != 1 || e.Reason == "" {
			t.Fatalf("refusal %s, want an error reply with code rate_limited and retry_after 1", refused)
		}
		c.alive()

		// Off: the burst passes on the same socket.
		w.st.SetMessageRate(t, w.owner, 0, 0)
		for i := 100; i < 150; i++ {
			if r := send(i); r.Status != "ok" {
				t.Fatalf("message %d with the limit off: %s", i, r)
			}
			oks++
		}
		var h struct {
			Messages []struct{ Body string } `json:"messages"`
		}
		w.st.Must(t, http.StatusOK, "GET", "acme", "/api/v1/channels/"+w.general.String()+"/messages?limit=200", w.owner.Token, nil, &h)
		stored := 0
		for _, m := range h.Messages {
			var n int
			if _, err := fmt.Sscanf(m.Body, "socket %d", &n); err == nil {
				stored++
			}
		}
		if stored != oks { // the refused message was not stored
			t.Fatalf("%d socket messages stored, %d accepted", stored, oks)
		}
	})
}
