package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/relayhq/relay"
)

// fakePoster records the last post and answers with err or a message.
type fakePoster struct {
	token string
	in    relay.IncomingPost
	err   error
}

func (f *fakePoster) PostIncomingWebhook(_ context.Context, token string, in relay.IncomingPost) (*relay.Message, error) {
	f.token, f.in = token, in
	if f.err != nil {
		return nil, f.err
	}
	return &relay.Message{ID: 42}, nil
}

func TestReceiver(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		postErr    error
		code       string // "" when it succeeds
		posted     bool
	}{
		{name: "posted", body: `{"text":"Deploy finished","username":"ci"}`, posted: true},
		{name: "bad JSON", body: `{"text":`, code: relay.EINVALID},
		{name: "duplicate key", body: `{"text":"a","text":"b"}`, code: relay.EINVALID},
		{name: "too large", body: `{"text":"` + strings.Repeat("a", MaxIncomingBody) + `"}`, code: relay.ETOOLARGE},
		{name: "app refuses", body: `{"text":"hi"}`, postErr: relay.Errorf(relay.ENOTFOUND, "Incoming webhook not found."), code: relay.ENOTFOUND, posted: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakePoster{err: tc.postErr}
			r := httptest.NewRequest("POST", "/hooks/in/rly_secret", strings.NewReader(tc.body))
			r.Header.Set("Idempotency-Key", "k-1")
			w := httptest.NewRecorder()
			err := NewReceiver(p).ServeIncoming(w, r, "rly_secret")
			if got := relay.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v (code %q), want code %q", err, got, tc.code)
			}
			if (p.token != "") != tc.posted {
				t.Fatalf("posted = %v, want %v", p.token != "", tc.posted)
			}
			if tc.posted && (p.token != "rly_secret" || p.in.IdempotencyKey != "k-1") {
				t.Fatalf("posted with token %q key %q", p.token, p.in.IdempotencyKey)
			}
			if tc.code != "" {
				if w.Body.Len() != 0 || w.Code != http.StatusOK && w.Code != 0 {
					t.Fatalf("an error wrote a response: %d %s", w.Code, w.Body)
				}
				return
			}
			var out struct {
				OK        bool     `json:"ok"`
				MessageID relay.ID `json:"message_id"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || !out.OK || out.MessageID != 42 || p.in.Text != "Deploy finished" || p.in.Username != "ci" {
				t.Fatalf("answer %d %s (%v), posted %+v", w.Code, w.Body, err, p.in)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type = %q", ct)
			}
		})
	}
}
