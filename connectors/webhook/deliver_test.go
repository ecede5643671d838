package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay"
)

const testSecret = "rly_test-secret"

func outgoing(url string) *relay.Outgoing {
	sub := relay.ID(777)
	return &relay.Outgoing{
		Item: relay.OutboxItem{ID: 42, WorkspaceID: 9001, Kind: relay.OutboxWebhook, SubscriptionID: &sub,
			Event: "ticket.created", Payload: `{"ticket":{"id":"5","subject":"Printer on fire"}}`,
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		Subscription: &relay.WebhookSubscription{ID: sub, WorkspaceID: 9001, URL: url, Events: []string{"ticket.created"}, Active: true},
		Secret:       testSecret,
	}
}

// receiver records what it was sent and answers with its handler.
type receiver struct {
	mu   sync.Mutex
	reqs []received
}

type received struct {
	header http.Header
	body   []byte
}

func (rc *receiver) last(t *testing.T) received {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.reqs) == 0 {
		t.Fatal("the receiver got nothing")
	}
	return rc.reqs[len(rc.reqs)-1]
}

func (rc *receiver) count() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.reqs) }

func newReceiver(t *testing.T, h http.HandlerFunc) (*receiver, *httptest.Server) {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, received{r.Header.Clone(), b})
		rc.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return rc, srv
}

func status(code int, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "body of "+strconv.Itoa(code))
	}
}

func TestDeliverSignedRequest(t *testing.T) {
	now := time.Unix(1767225600, 0)
	rc, srv := newReceiver(t, status(http.StatusNoContent))
	d := NewDeliverer(Config{AllowPrivate: true, Now: func() time.Time { return now }})
	sent, err := d.Deliver(context.Background(), outgoing(srv.URL+"/hook"))
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if sent.ResponseCode != http.StatusNoContent {
		t.Fatalf("ResponseCode = %d, want 204", sent.ResponseCode)
	}
	got := rc.last(t)
	if err := Verify(testSecret, got.header, got.body, now, DefaultWindow); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	if err := Verify("rly_other", got.header, got.body, now, DefaultWindow); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("verifies under another secret: %v", err)
	}
	for k, want := range map[string]string{HeaderID: "42", HeaderEvent: "ticket.created", HeaderTimestamp: "1767225600",
		"Content-Type": "application/json", "User-Agent": "Relay-Webhooks/1"} {
		if v := got.header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	var env struct {
		ID        int64           `json:"id"`
		Event     string          `json:"event"`
		CreatedAt string          `json:"created_at"`
		Workspace string          `json:"workspace"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(got.body, &env); err != nil {
		t.Fatalf("body: %v: %s", err, got.body)
	}
	if env.ID != 42 || env.Event != "ticket.created" || env.CreatedAt != "2026-01-02T03:04:05Z" || env.Workspace != "9001" ||
		string(env.Data) != `{"ticket":{"id":"5","subject":"Printer on fire"}}` {
		t.Fatalf("envelope = %+v", env)
	}
}

func TestDeliverOutcomes(t *testing.T) {
	now := time.Unix(1767225600, 0)
	tests := []struct {
		name       string
		h          http.HandlerFunc
		ok         bool
		permanent  bool
		retryAfter time.Duration
	}{
		{name: "200", h: status(200), ok: true},
		{name: "202", h: status(202), ok: true},
		{name: "500 retried", h: status(500)},
		{name: "502 retried", h: status(502)},
		{name: "503 retried", h: status(503)},
		{name: "408 retried", h: status(408)},
		{name: "429 retried after seconds", h: status(429, "Retry-After", "30"), retryAfter: 30 * time.Second},
		{name: "429 retried after a date", h: status(429, "Retry-After", now.Add(2*time.Minute).UTC().Format(http.TimeFormat)), retryAfter: 2 * time.Minute},
		{name: "429 absurd Retry-After capped", h: status(429, "Retry-After", "999999999"), retryAfter: time.Hour},
		{name: "429 without Retry-After", h: status(429)},
		{name: "410 permanent", h: status(410), permanent: true},
		{name: "400 permanent", h: status(400), permanent: true},
		{name: "401 permanent", h: status(401), permanent: true},
		{name: "404 permanent", h: status(404), permanent: true},
		{name: "422 permanent", h: status(422), permanent: true},
		{name: "redirect not followed", h: status(302, "Location", "http://169.254.169.254/latest/meta-data/"), permanent: true},
		{name: "307 not followed", h: status(307, "Location", "/elsewhere"), permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, srv := newReceiver(t, tt.h)
			d := NewDeliverer(Config{AllowPrivate: true, Now: func() time.Time { return now }})
			sent, err := d.Deliver(context.Background(), outgoing(srv.URL))
			if n := rc.count(); n != 1 {
				t.Fatalf("receiver got %d requests, want 1 (redirects must not be followed)", n)
			}
			if tt.ok {
				if err != nil || sent.ResponseCode < 200 || sent.ResponseCode > 299 {
					t.Fatalf("Deliver = %+v, %v", sent, err)
				}
				return
			}
			var de *relay.DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("error %T %v, want *relay.DeliveryError", err, err)
			}
			if de.Permanent != tt.permanent {
				t.Fatalf("Permanent = %v, want %v (%v)", de.Permanent, tt.permanent, err)
			}
			if de.RetryAfter != tt.retryAfter {
				t.Fatalf("RetryAfter = %v, want %v", de.RetryAfter, tt.retryAfter)
			}
			if de.ResponseCode == 0 || de.Err.Error() == "" {
				t.Fatalf("ResponseCode %d, message %q", de.ResponseCode, de.Err)
			}
		})
	}
}

func TestDeliverNetworkFailures(t *testing.T) {
	// Nobody listens: retried, no response code.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	d := NewDeliverer(Config{AllowPrivate: true})
	_, err := d.Deliver(context.Background(), outgoing(url))
	var de *relay.DeliveryError
	if !errors.As(err, &de) || de.Permanent || de.ResponseCode != 0 {
		t.Fatalf("closed port: %#v", err)
	}

	// A receiver that never answers: the attempt times out and is retried.
	release := make(chan struct{})
	_, slow := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	d = NewDeliverer(Config{AllowPrivate: true, Timeout: 100 * time.Millisecond})
	_, err = d.Deliver(context.Background(), outgoing(slow.URL))
	if !errors.As(err, &de) || de.Permanent {
		t.Fatalf("timeout: %#v", err)
	}
}

// TestDeliverGuard checks the connect-time SSRF guard: without the
// operator's switch, a receiver on loopback is never contacted, whatever
// passed at creation.
func TestDeliverGuard(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := splitPort(srv.URL)
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/hook"} {
		_, err := NewDeliverer(Config{}).Deliver(context.Background(), outgoing(u))
		var de *relay.DeliveryError
		if !errors.As(err, &de) || !de.Permanent {
			t.Fatalf("%s: %v, want a permanent refusal", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback receiver was contacted %d times", n)
	}
}

func splitPort(u string) (string, string, error) {
	i := len(u) - 1
	for i >= 0 && u[i] != ':' {
		i--
	}
	return u[:i], u[i+1:], nil
}

func TestDeliverWithoutWhatItNeeds(t *testing.T) {
	d := NewDeliverer(Config{AllowPrivate: true})
	ctx := context.Background()

	o := outgoing("http://127.0.0.1:1/")
	o.Subscription.Active = false
	if _, err := d.Deliver(ctx, o); !errors.Is(err, relay.Skip) {
		t.Fatalf("inactive subscription: %v, want Skip", err)
	}
	permanent := func(name string, o *relay.Outgoing) {
		var de *relay.DeliveryError
		if _, err := d.Deliver(ctx, o); !errors.As(err, &de) || !de.Permanent {
			t.Fatalf("%s: %v, want permanent", name, err)
		}
	}
	o = outgoing("http://127.0.0.1:1/")
	o.Subscription = nil
	permanent("no subscription", o)
	o = outgoing("http://127.0.0.1:1/")
	o.Secret = ""
	permanent("no secret", o)
	o = outgoing("http://127.0.0.1:1/")
	o.Item.Payload = `{not json`
	permanent("bad payload", o)
	o = outgoing("http://bad host/")
	permanent("bad URL", o)
}
