package line

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/line/linefake"
)

func TestHookRefusals(t *testing.T) {
	body := linefake.Body(linefake.Text(linefake.User("U1"), "ev1", "m1", "hello"))
	good := linefake.Sign(ownSecret, body)
	mangled := []byte(good)
	mangled[3] ^= 0x01 // still base64, no longer the HMAC
	tooBig := linefake.Body(linefake.Text(linefake.User("U1"), "ev1", "m1", strings.Repeat("x", MaxHookBody)))
	for _, tt := range []struct {
		name     string
		path     string
		sig      string
		body     []byte
		status   int
		code     string
		accepted bool
	}{
		{"missing signature", "/hooks/line/100", "", body, 401, relay.EUNAUTHORIZED, false},
		{"signature not base64", "/hooks/line/100", "not base64!", body, 400, relay.EINVALID, false},
		{"signature of the wrong length", "/hooks/line/100", base64.StdEncoding.EncodeToString([]byte("short")), body, 400, relay.EINVALID, false},
		{"mangled signature", "/hooks/line/100", string(mangled), body, 401, relay.EUNAUTHORIZED, false},
		{"signed with another secret", "/hooks/line/100", linefake.Sign("someone-else", body), body, 401, relay.EUNAUTHORIZED, false},
		{"body changed after signing", "/hooks/line/100", good, append([]byte(" "), body...), 401, relay.EUNAUTHORIZED, false},
		{"shared secret on an own bot", "/hooks/line/100", linefake.Sign(sharedSecret, body), body, 401, relay.EUNAUTHORIZED, false},
		{"own secret on the shared bot", "/hooks/line/shared", good, body, 401, relay.EUNAUTHORIZED, false},
		{"unknown connector", "/hooks/line/999", good, body, 404, relay.ENOTFOUND, false},
		{"a Discord connector", "/hooks/line/300", good, body, 404, relay.ENOTFOUND, false},
		{"a shared connector's id", "/hooks/line/200", good, body, 404, relay.ENOTFOUND, false},
		{"too large", "/hooks/line/100", linefake.Sign(ownSecret, tooBig), tooBig, 413, relay.ETOOLARGE, false},
		{"signed garbage", "/hooks/line/100", linefake.Sign(ownSecret, []byte("{not json")), []byte("{not json"), 400, relay.EINVALID, false},
		{"signed non-object", "/hooks/line/100", linefake.Sign(ownSecret, []byte(`[1,2]`)), []byte(`[1,2]`), 400, relay.EINVALID, false},
		{"good", "/hooks/line/100", good, body, 200, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{})
			r.line.SetProfile("U1", "Alice", "")
			status, resp := r.post(tt.path, tt.sig, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", status, tt.status, resp)
			}
			if tt.code != "" {
				var e struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal([]byte(resp), &e); err != nil || e.Error.Code != tt.code || e.Error.Message == "" {
					t.Fatalf("body = %s, want error code %q", resp, tt.code)
				}
				if strings.Contains(resp, ownSecret) || strings.Contains(resp, sharedSecret) {
					t.Fatal("the answer carries a secret")
				}
			}
			r.close()
			received, _, _ := r.relay.snapshot()
			if got := len(received) == 1; got != tt.accepted {
				t.Fatalf("received %d messages, want accepted=%v", len(received), tt.accepted)
			}
			if !tt.accepted && r.relay.markedCount("") != 0 {
				t.Fatalf("a refused webhook recorded events: %v", r.relay.marked)
			}
		})
	}
}

func TestHookRedeliveryIsIgnored(t *testing.T) {
	r := newRig(t, Config{})
	r.line.SetProfile("U1", "Alice", "")
	ev := linefake.Text(linefake.User("U1"), "ev1", "m1", "hello")
	r.hook(ev)
	r.hook(ev.Redelivered())
	// Another event in the same batch as a redelivery still goes through.
	r.hook(ev.Redelivered(), linefake.Text(linefake.User("U1"), "ev2", "m2", "again"))
	r.close()
	received, _, _ := r.relay.snapshot()
	var bodies []string
	for _, in := range received {
		bodies = append(bodies, in.Body)
	}
	if fmt.Sprint(bodies) != "[hello again]" {
		t.Fatalf("received %q, want [hello again]", bodies)
	}
	// The app's dedupe by message id is a second line: the connector
	// itself did not process the redelivery (one profile lookup per message
	// at most, and the name cache makes it one in all).
	if n := r.relay.markedCount("100|ev1"); n != 3 {
		t.Fatalf("ev1 marked %d times, want 3 (each delivery checked)", n)
	}
}

func TestHookVerifyRequestHasNoEvents(t *testing.T) {
	r := newRig(t, Config{})
	r.hook() // LINE console's "Verify" sends {"destination":…,"events":[]}
	r.close()
	if received, _, _ := r.relay.snapshot(); len(received) != 0 {
		t.Fatalf("received %d", len(received))
	}
}

func TestHookQueueFullAnswers503AndRecordsNothing(t *testing.T) {
	r := newRig(t, Config{Workers: 1, QueueSize: 1})
	r.line.SetProfile("U1", "Alice", "")
	block := make(chan struct{})
	r.relay.block = block
	r.hook(linefake.Text(linefake.User("U1"), "ev1", "m1", "first")) // takes the only slot until processed
	second := linefake.Body(linefake.Text(linefake.User("U1"), "ev2", "m2", "second"))
	status, body := r.post("/hooks/line/100", linefake.Sign(ownSecret, second), second)
	if status != 503 || !strings.Contains(body, relay.EUNAVAILABLE) {
		t.Fatalf("full queue: %d %s, want 503", status, body)
	}
	if r.relay.markedCount("100|ev2") != 0 {
		t.Fatal("a refused event was recorded: LINE's redelivery would be ignored")
	}
	close(block)
	r.relay.mu.Lock()
	r.relay.block = nil
	r.relay.mu.Unlock()
	// LINE redelivers; once the first is done there is room again.
	waitFor(t, func() bool { return r.conn.queue.len() == 0 })
	if status, body := r.post("/hooks/line/100", linefake.Sign(ownSecret, second), second); status != 200 {
		t.Fatalf("redelivery: %d %s", status, body)
	}
	r.close()
	received, _, _ := r.relay.snapshot()
	if len(received) != 2 || received[0].Body != "first" || received[1].Body != "second" {
		t.Fatalf("received %+v", received)
	}
}

func TestHookRecordFailureAnswers503(t *testing.T) {
	r := newRig(t, Config{})
	r.relay.markErr = errFlaky
	body := linefake.Body(linefake.Text(linefake.User("U1"), "ev1", "m1", "hello"))
	if status, resp := r.post("/hooks/line/100", linefake.Sign(ownSecret, body), body); status != 503 {
		t.Fatalf("status %d %s, want 503", status, resp)
	}
	if n := r.conn.queue.len(); n != 0 {
		t.Fatalf("queue holds %d after a refused batch", n)
	}
	r.close()
	if received, _, _ := r.relay.snapshot(); len(received) != 0 {
		t.Fatalf("received %d", len(received))
	}
}

func TestHookDisabledConnectorDropsEvents(t *testing.T) {
	r := newRig(t, Config{})
	r.own.Status = relay.ConnectorDisabled
	r.hook(linefake.Text(linefake.User("U1"), "ev1", "m1", "hello"))
	r.close()
	if received, _, _ := r.relay.snapshot(); len(received) != 0 {
		t.Fatalf("a disabled connector took %d messages", len(received))
	}
}

func TestSharedHookWithoutSharedBot(t *testing.T) {
	r := newRig(t, Config{})
	r.conn.cfg.SharedSecret = ""
	body := linefake.Body(linefake.Text(linefake.User("U1"), "ev1", "m1", "hello"))
	if status, _ := r.post("/hooks/line/shared", linefake.Sign("", body), body); status != 404 {
		t.Fatalf("status %d, want 404", status)
	}
}

// FuzzHookBody feeds arbitrary bodies, correctly signed, through the whole
// webhook path: whatever LINE (or someone holding the secret) sends, the
// answer is 200 or 400 and nothing panics; every event queued names a
// valid conversation.
func FuzzHookBody(f *testing.F) {
	u, g := linefake.User("U1"), linefake.Group("C1", "U2")
	for _, b := range [][]byte{
		linefake.Body(),
		linefake.Body(linefake.Text(u, "e1", "m1", "hi"), linefake.Sticker(g, "e2", "m2", "1", "2")),
		linefake.Body(linefake.Image(u, "e3", "m3"), linefake.File(u, "e4", "m4", "a.pdf", 10), linefake.Location(g, "e5", "m5", "t", "a", 1, 2)),
		linefake.Body(linefake.Follow(u, "e6"), linefake.Unfollow(u, "e7"), linefake.Join(g, "e8"), linefake.Leave(g, "e9"), linefake.Unsend(u, "e10", "m1")),
		[]byte(`{"events":[{"type":"message","source":{"type":"user"},"message":{"type":"text"}}]}`),
		[]byte(`{"events":[{"type":"message","message":null}]}`),
		[]byte(`{"events":[{"type":"bogus"},{}]}`),
		[]byte(`{"events":null}`),
		[]byte(`{"events":[{"type":"message","source":{"type":"group","groupId":"../x"},"message":{"type":"image","id":"../../y"}}]}`),
		[]byte(`null`),
	} {
		f.Add(b)
	}
	r := newRig(f, Config{Workers: 2, QueueSize: 64})
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := parseEvents(body)
		if err == nil {
			for _, e := range events {
				if _, err := PushTarget(e.key); err != nil {
					t.Fatalf("queued an event with key %q", e.key)
				}
			}
		}
		req := httptest.NewRequest("POST", "/hooks/line/100", bytes.NewReader(body))
		req.Header.Set(SignatureHeader, linefake.Sign(ownSecret, body))
		w := httptest.NewRecorder()
		r.conn.ServeHook(w, req, r.own.ID)
		switch {
		case w.Code == 200 && err == nil, w.Code == 400 && err != nil:
		case w.Code == 503 && err == nil: // the queue is full
		default:
			t.Fatalf("status %d (%s) with parse error %v", w.Code, w.Body, err)
		}
	})
}

// TestHookSignatureFailureShowsOnTheConnector: a webhook signed with
// another secret (most often a channel secret mistyped in Relay) marks the
// connector errored with a plain reason; the next correctly signed call
// clears that error, and only that one.
func TestHookSignatureFailureShowsOnTheConnector(t *testing.T) {
	r := newRig(t, Config{})
	r.line.SetProfile("U1", "Alice", "")
	body := linefake.Body(linefake.Text(linefake.User("U1"), "ev1", "m1", "hello"))
	if status, resp := r.post("/hooks/line/100", linefake.Sign("someone-else", body), body); status != 401 {
		t.Fatalf("status %d %s", status, resp)
	}
	if got := r.relay.healthReports(); len(got) != 1 || got[0] != "100|"+errSignature.Error() {
		t.Fatalf("health reports %q, want the signature error", got)
	}
	// The app records it; the connector row now says so.
	r.relay.mu.Lock()
	c := r.relay.connectors[100]
	c.Status, c.LastError = relay.ConnectorError, errSignature.Error()
	r.relay.mu.Unlock()
	if status, resp := r.post("/hooks/line/100", linefake.Sign(ownSecret, body), body); status != 200 {
		t.Fatalf("status %d %s", status, resp)
	}
	if got := r.relay.healthReports(); len(got) != 2 || got[1] != "100|ok" {
		t.Fatalf("health reports %q, want the error cleared", got)
	}
	// Another error (a delivery's) is not cleared by a good signature.
	r.relay.mu.Lock()
	c.LastError = "LINE refused the channel access token (HTTP 401)"
	r.relay.mu.Unlock()
	body2 := linefake.Body(linefake.Text(linefake.User("U1"), "ev2", "m2", "again"))
	if status, resp := r.post("/hooks/line/100", linefake.Sign(ownSecret, body2), body2); status != 200 {
		t.Fatalf("status %d %s", status, resp)
	}
	r.close()
	if got := r.relay.healthReports(); len(got) != 2 {
		t.Fatalf("health reports %q: a good signature cleared a delivery error", got)
	}
}
