package socket_test

import (
	"encoding/json"
	"testing"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
)

// FuzzHandleInPayload sends arbitrary payloads with message:send, typing
// and read through a real socket to the handler. Every push must get a
// reply — ok for a valid one, otherwise an error reply with a reason and a
// code that is not "internal" — and the channel must never crash
// (phx_error) nor the socket close.
func FuzzHandleInPayload(f *testing.F) {
	for _, seed := range []struct {
		event   uint8
		payload string
	}{
		{0, `{"body":"hi","client_msg_id":"f-1"}`},
		{0, `{"body":""}`},
		{0, `{"body":"   "}`},
		{0, `{"body":123}`},
		{0, `{"body":"x","parent_id":"abc"}`},
		{0, `{"body":"x","parent_id":"1"}`},
		{0, `{"body":"x","parent_id":-1}`},
		{0, `{"body":"x","broadcast":true}`},
		{0, `{"body":"x","client_msg_id":"has spaces"}`},
		{0, `{"body":"\u0000"}`},
		{0, `{"body":"<@1> @channel","extra":1}`},
		{0, `{"body":"x","client_msg_id":"` + string(make([]byte, 70)) + `"}`},
		{1, `{}`},
		{1, `{"parent_id":null}`},
		{1, `{"parent_id":"99999999999999999999"}`},
		{1, `{"parent_id":{}}`},
		{2, `{"seq":1}`},
		{2, `{"seq":-1}`},
		{2, `{"seq":1e40}`},
		{2, `{"seq":"1"}`},
		{2, `{"seq":9223372036854775807}`},
		{2, `{}`},
		{0, `null`},
		{1, `[]`},
		{2, `"string"`},
		{0, `{"body":` + `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[` + `]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`},
		{0, "not json at all \xff"},
		{0, `{"body":"a","body":"b"}`},
		{2, `{"seq":1,"\u0073eq":2}`},
	} {
		f.Add(seed.event, []byte(seed.payload))
	}
	w := newWorld(f, testserver.Config{DB: testdb.SQLite(f)})
	c := dial(f, w.st, w.bob)
	c.mustJoin(w.topic, nil, nil)
	events := []string{"message:send", "typing", "read"}

	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		c.t = t // inputs run one at a time
		event := events[int(which)%len(events)]
		// The handler sees only JSON objects (the frame decoder answers
		// anything else itself), so other input goes in as a field.
		raw := json.RawMessage(payload)
		var obj map[string]json.RawMessage
		if json.Unmarshal(payload, &obj) != nil || obj == nil {
			raw, _ = json.Marshal(map[string]string{"body": string(payload)})
		}
		r := c.push(w.topic, event, raw)
		switch r.Status {
		case "ok":
		case "error":
			reason, code := r.reason()
			if reason == "" || code == "" || code == "internal" {
				t.Errorf("%s %s: error reply %s, want a reason and a non-internal code", event, raw, r)
			}
		default:
			t.Errorf("%s %s: reply %s", event, raw, r)
		}
		for _, fr := range c.drain() {
			if fr.Event == "phx_error" || fr.Event == "phx_close" {
				t.Fatalf("%s %s: the channel stopped: %s", event, raw, fr)
			}
		}
	})
}
