package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/webhook"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/secretbox"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/store"
)

// hookEnvOptions shape an env for webhook tests.
type hookEnvOptions struct {
	// allowPrivate lifts the SSRF guard (receivers on loopback).
	allowPrivate bool
	// worker runs the outbox workers on the real clock with short backoff;
	// otherwise the app's clock is the env's settable one and nothing is
	// delivered.
	worker bool
	// poll is how often idle outbox workers look for due rows; zero: 10 ms.
	poll time.Duration
}

// busRecorder keeps the events the app publishes.
type busRecorder struct {
	mu  sync.Mutex
	evs []relay.Event
}

func (b *busRecorder) Publish(_ context.Context, ev relay.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.evs = append(b.evs, ev)
	return nil
}

func (b *busRecorder) find(topic, name string) []relay.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []relay.Event
	for _, ev := range b.evs {
		if ev.Topic == topic && ev.Name == name {
			out = append(out, ev)
		}
	}
	return out
}

// newHookEnv is newEnv with connectors configured for webhooks: a secret
// box, a base URL, the webhook deliverer registered, and (opts.worker) the
// outbox running.
func newHookEnv(t *testing.T, db *store.DB, opts hookEnvOptions) (*env, *busRecorder) {
	t.Helper()
	dir := t.TempDir()
	fs, err := files.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	now := clk.Now
	if opts.worker {
		now = time.Now // retries become due as time passes
	}
	box, err := secretbox.New("httpapi-webhook-test-secret-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	bus := &busRecorder{}
	log := logging.New(io.Discard, "debug")
	poll := opts.poll
	if poll == 0 {
		poll = 10 * time.Millisecond
	}
	a := app.New(app.Config{Store: db, Files: fs, Logger: log, Now: now, Secrets: box, Bus: bus,
		Limits:         app.Limits{LoginPerIP: 1000, SignupPerIP: 1000},
		PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1},
		Connectors: app.ConnectorsConfig{BaseURL: "http://" + base + ":8080", WebhookAllowPrivate: opts.allowPrivate,
			OutboxBackoff: 20 * time.Millisecond, OutboxMaxBackoff: 40 * time.Millisecond, OutboxPoll: poll,
			OutboxMaxAttempts: 5}})
	a.Connectors.RegisterDeliverer(relay.ConnectorWebhook, webhook.NewDeliverer(webhook.Config{AllowPrivate: opts.allowPrivate, Timeout: 5 * time.Second}))
	srv := New(Config{App: a, BaseDomain: base, Logger: log, Incoming: webhook.NewReceiver(a.Webhooks)})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	if opts.worker {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); a.Connectors.RunOutbox(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	return &env{t: t, url: ts.URL, srv: srv, clock: clk, db: db, files: dir}, bus
}

// channelNamed finds one of the account's channels by name.
func (e *env) channelNamed(a account, name string) string {
	e.t.Helper()
	r := e.do("GET", a.sub, "/api/v1/channels", nil, bearer(a.token))
	want(e.t, r, http.StatusOK, "")
	for _, c := range r.json(e.t)["channels"].([]any) {
		if c := c.(map[string]any); c["name"] == name {
			return c["id"].(string)
		}
	}
	e.t.Fatalf("no channel %q", name)
	return ""
}

func (e *env) messages(a account, channel string) []map[string]any {
	e.t.Helper()
	r := e.do("GET", a.sub, "/api/v1/channels/"+channel+"/messages", nil, bearer(a.token))
	want(e.t, r, http.StatusOK, "")
	var out []map[string]any
	for _, m := range r.json(e.t)["messages"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

// createHook makes an incoming webhook and returns its id and token.
func (e *env) createHook(a account, channel, name string) (id, token string) {
	e.t.Helper()
	r := e.do("POST", a.sub, "/api/v1/channels/"+channel+"/incoming-webhooks", map[string]string{"name": name}, bearer(a.token))
	want(e.t, r, http.StatusCreated, "")
	m := r.json(e.t)
	return m["id"].(string), m["token"].(string)
}

func TestIncomingWebhook(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e, bus := newHookEnv(t, db, hookEnvOptions{})
		owner := e.signup("acme")
		general := e.channelNamed(owner, "general")

		r := e.do("POST", "acme", "/api/v1/channels/"+general+"/incoming-webhooks", map[string]string{"name": " Deploy bot "}, bearer(owner.token))
		want(t, r, http.StatusCreated, "")
		created := r.json(t)
		hookID, tok := created["id"].(string), created["token"].(string)
		if created["name"] != "Deploy bot" || created["channel_id"] != general || !strings.HasPrefix(tok, "rly_") {
			t.Fatalf("created = %s", r.body)
		}
		if u := created["url"]; u != "http://acme."+base+":8080/hooks/in/"+tok {
			t.Fatalf("url = %v", u)
		}
		// Listing never shows the token.
		r = e.do("GET", "acme", "/api/v1/channels/"+general+"/incoming-webhooks", nil, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		if strings.Contains(r.String(), tok) || !strings.Contains(r.String(), hookID) || strings.Contains(r.String(), "token") {
			t.Fatalf("list = %s", r.body)
		}

		// A post lands in the channel as the bot, with source webhook, live.
		before := len(e.messages(owner, general))
		r = e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": "Deploy of api 1.42 finished"})
		want(t, r, http.StatusOK, "")
		res := r.json(t)
		if res["ok"] != true || res["message_id"] == nil {
			t.Fatalf("response = %s", r.body)
		}
		msgs := e.messages(owner, general)
		if len(msgs) != before+1 {
			t.Fatalf("%d messages, want %d", len(msgs), before+1)
		}
		m := msgs[len(msgs)-1]
		author := m["author"].(map[string]any)
		if m["id"] != res["message_id"] || m["body"] != "Deploy of api 1.42 finished" || m["source"] != "webhook" ||
			author["kind"] != "bot" || author["id"] != hookID || author["display_name"] != "Deploy bot" {
			t.Fatalf("message = %v", m)
		}
		live := bus.find("channel:"+general, app.EvMessageNew)
		if len(live) == 0 || !strings.Contains(string(live[len(live)-1].Payload), res["message_id"].(string)) {
			t.Fatalf("no live message:new for the post (%d events)", len(live))
		}

		// username and avatar_url replace the webhook's face for one post;
		// the webhook works on any host.
		r = e.do("POST", "acme", "/hooks/in/"+tok, map[string]string{"text": "hi", "username": "CI", "avatar_url": "https://ci.example/a.png"})
		want(t, r, http.StatusOK, "")
		msgs = e.messages(owner, general)
		author = msgs[len(msgs)-1]["author"].(map[string]any)
		if author["display_name"] != "CI" || author["avatar_url"] != "https://ci.example/a.png" || author["id"] != hookID {
			t.Fatalf("author = %v", author)
		}

		// Idempotency-Key: a retry posts nothing new.
		first := e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": "once"}, header("Idempotency-Key", "build-1842"))
		want(t, first, http.StatusOK, "")
		again := e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": "once"}, header("Idempotency-Key", "build-1842"))
		want(t, again, http.StatusOK, "")
		if first.json(t)["message_id"] != again.json(t)["message_id"] {
			t.Fatalf("retry posted again: %s vs %s", first.body, again.body)
		}
		count := len(e.messages(owner, general))

		// Bad input: a clear error, nothing stored.
		bad := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"not JSON", "text=hi", 400, "invalid"},
			{"truncated", `{"text":"hi"`, 400, "invalid"},
			{"unknown field", map[string]any{"text": "hi", "channel": "#random"}, 400, "invalid"},
			{"attachments", map[string]any{"text": "hi", "attachments": []any{}}, 400, "invalid"},
			{"empty text", map[string]string{"text": ""}, 400, "invalid"},
			{"blank text", map[string]string{"text": "  \n "}, 400, "invalid"},
			{"no text", map[string]string{"username": "x"}, 400, "invalid"},
			{"text a number", `{"text":5}`, 400, "invalid"},
			{"array", `[{"text":"hi"}]`, 400, "invalid"},
			{"empty body", []byte{}, 400, "invalid"},
			{"bad avatar", map[string]string{"text": "hi", "avatar_url": "javascript:alert(1)"}, 400, "invalid"},
			{"text too long", map[string]string{"text": strings.Repeat("a", relay.MaxMessageRunes+1)}, 413, "too_large"},
			{"body too large", map[string]string{"text": strings.Repeat("a", webhook.MaxIncomingBody)}, 413, "too_large"},
			{"bad idempotency key", nil, 400, "invalid"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				body, opts := tt.body, []opt(nil)
				if tt.name == "bad idempotency key" {
					body, opts = map[string]string{"text": "hi"}, []opt{header("Idempotency-Key", "has spaces in it")}
				}
				want(t, e.do("POST", "", "/hooks/in/"+tok, body, opts...), tt.status, tt.code)
			})
		}
		if n := len(e.messages(owner, general)); n != count {
			t.Fatalf("bad input stored %d messages", n-count)
		}

		// Unknown and malformed tokens: 404.
		for _, p := range []string{"/hooks/in/rly_" + strings.Repeat("A", 43), "/hooks/in/nope", "/hooks/in/" + tok + "x"} {
			want(t, e.do("POST", "", p, map[string]string{"text": "hi"}), http.StatusNotFound, "not_found")
		}

		// Where incoming webhooks may not go.
		ticket := e.do("POST", "acme", "/api/v1/tickets", map[string]string{"subject": "s", "description": "d"}, bearer(owner.token))
		want(t, ticket, http.StatusCreated, "")
		agent := e.join(owner, "ann", "agent")
		dm := e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{agent.userID}}, bearer(owner.token))
		if dm.status != http.StatusOK && dm.status != http.StatusCreated {
			t.Fatalf("open DM: %d %s", dm.status, dm.body)
		}
		for name, ch := range map[string]string{"ticket": ticket.json(t)["channel_id"].(string), "dm": dm.json(t)["id"].(string)} {
			r := e.do("POST", "acme", "/api/v1/channels/"+ch+"/incoming-webhooks", map[string]string{"name": "x"}, bearer(owner.token))
			// A DM is refused by kind; a ticket's channel is not even a
			// channel the channels API shows.
			if (name == "dm" && r.status != http.StatusBadRequest) || (name == "ticket" && r.status != http.StatusNotFound) {
				t.Fatalf("incoming webhook in a %s channel: %d %s", name, r.status, r.body)
			}
		}
		want(t, e.do("POST", "acme", "/api/v1/channels/"+general+"/incoming-webhooks", map[string]string{"name": ""}, bearer(owner.token)), 400, "invalid")
		want(t, e.do("POST", "acme", "/api/v1/channels/"+general+"/incoming-webhooks", map[string]any{"name": "x", "token": "mine"}, bearer(owner.token)), 400, "invalid")
		// A private channel the owner is not in looks missing.
		priv := e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": "agents-only", "kind": "private"}, bearer(agent.token))
		want(t, priv, http.StatusCreated, "")
		privID := priv.json(t)["id"].(string)
		want(t, e.do("POST", "acme", "/api/v1/channels/"+privID+"/incoming-webhooks", map[string]string{"name": "x"}, bearer(owner.token)), 404, "not_found")

		// An archived channel refuses posts; unarchived, it takes them again.
		dr := e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": "deploys", "kind": "public"}, bearer(owner.token))
		want(t, dr, http.StatusCreated, "")
		deploys := dr.json(t)["id"].(string)
		_, deployTok := e.createHook(owner, deploys, "deployer")
		want(t, e.do("POST", "acme", "/api/v1/channels/"+deploys+"/archive", nil, bearer(owner.token)), http.StatusOK, "")
		want(t, e.do("POST", "", "/hooks/in/"+deployTok, map[string]string{"text": "hi"}), http.StatusConflict, "conflict")
		want(t, e.do("POST", "acme", "/api/v1/channels/"+deploys+"/incoming-webhooks", map[string]string{"name": "x"}, bearer(owner.token)), 409, "conflict")
		want(t, e.do("POST", "acme", "/api/v1/channels/"+deploys+"/unarchive", nil, bearer(owner.token)), http.StatusOK, "")
		want(t, e.do("POST", "", "/hooks/in/"+deployTok, map[string]string{"text": "back"}), http.StatusOK, "")

		// Revoked: the URL stops working at once.
		want(t, e.do("DELETE", "acme", "/api/v1/incoming-webhooks/"+hookID, nil, bearer(owner.token)), http.StatusNoContent, "")
		want(t, e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": "hi"}), http.StatusNotFound, "not_found")
		want(t, e.do("DELETE", "acme", "/api/v1/incoming-webhooks/"+hookID, nil, bearer(owner.token)), http.StatusNotFound, "not_found")
	})
}

func TestIncomingWebhookRateLimit(t *testing.T) {
	e, _ := newHookEnv(t, testdb.SQLite(t), hookEnvOptions{})
	owner := e.signup("acme")
	general := e.channelNamed(owner, "general")
	_, tok := e.createHook(owner, general, "busy")
	_, other := e.createHook(owner, general, "quiet")
	for i := 0; i < app.IncomingWebhookBurst; i++ {
		want(t, e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": fmt.Sprint("n", i)}), http.StatusOK, "")
	}
	r := e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": "one too many"})
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// The limit is per webhook.
	want(t, e.do("POST", "", "/hooks/in/"+other, map[string]string{"text": "still fine"}), http.StatusOK, "")
	// And it refills with time.
	e.clock.Advance(app.IncomingWebhookWindow)
	want(t, e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": "later"}), http.StatusOK, "")
}

// TestWebhookRoles: only owners and admins manage webhooks.
func TestWebhookRoles(t *testing.T) {
	e, _ := newHookEnv(t, testdb.SQLite(t), hookEnvOptions{allowPrivate: true})
	owner := e.signup("acme")
	general := e.channelNamed(owner, "general")
	admin := e.join(owner, "ada", "admin")
	hookID, _ := e.createHook(owner, general, "hook")
	sr := e.do("POST", "acme", "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/x", "events": []string{"ticket.created"}}, bearer(admin.token))
	want(t, sr, http.StatusCreated, "")
	subID := sr.json(t)["id"].(string)

	for _, role := range []string{"member", "agent", "customer"} {
		p := e.join(owner, role+"-person", role)
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/webhooks"},
			{"POST", "/api/v1/webhooks"},
			{"DELETE", "/api/v1/webhooks/" + subID},
			{"GET", "/api/v1/webhooks/" + subID + "/deliveries"},
			{"GET", "/api/v1/channels/" + general + "/incoming-webhooks"},
			{"POST", "/api/v1/channels/" + general + "/incoming-webhooks"},
			{"DELETE", "/api/v1/incoming-webhooks/" + hookID},
		} {
			var body any
			switch c.path {
			case "/api/v1/webhooks":
				if c.method == "POST" {
					body = map[string]any{"url": "http://127.0.0.1:9/x", "events": []string{"ticket.created"}}
				}
			case "/api/v1/channels/" + general + "/incoming-webhooks":
				if c.method == "POST" {
					body = map[string]string{"name": "mine"}
				}
			}
			r := e.do(c.method, "acme", c.path, body, bearer(p.token))
			if r.status != http.StatusForbidden {
				t.Errorf("%s %s %s: %d %s, want 403", role, c.method, c.path, r.status, r.body)
			}
		}
	}
	// Nothing changed: still one of each.
	r := e.do("GET", "acme", "/api/v1/webhooks", nil, bearer(owner.token))
	want(t, r, http.StatusOK, "")
	if n := len(r.json(t)["webhooks"].([]any)); n != 1 {
		t.Fatalf("%d subscriptions", n)
	}
	r = e.do("GET", "acme", "/api/v1/channels/"+general+"/incoming-webhooks", nil, bearer(admin.token))
	want(t, r, http.StatusOK, "")
	if n := len(r.json(t)["incoming_webhooks"].([]any)); n != 1 {
		t.Fatalf("%d incoming webhooks", n)
	}
}

// TestWebhookCrossTenant: bravo's admin, on bravo's host, names alpha's
// incoming webhooks, subscriptions and channels: 404 every time, and
// alpha's are untouched.
func TestWebhookCrossTenant(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e, _ := newHookEnv(t, db, hookEnvOptions{allowPrivate: true})
		alpha := e.signup("alpha")
		bravo := e.signup("bravo")
		alphaGeneral := e.channelNamed(alpha, "general")
		hookID, tok := e.createHook(alpha, alphaGeneral, "alpha-hook")
		sr := e.do("POST", "alpha", "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:9/alpha-receiver",
			"events": []string{"ticket.created"}, "description": "alpha-sub"}, bearer(alpha.token))
		want(t, sr, http.StatusCreated, "")
		subID, secret := sr.json(t)["id"].(string), sr.json(t)["secret"].(string)

		state := func() (string, string) {
			a := e.do("GET", "alpha", "/api/v1/webhooks", nil, bearer(alpha.token))
			b := e.do("GET", "alpha", "/api/v1/channels/"+alphaGeneral+"/incoming-webhooks", nil, bearer(alpha.token))
			want(t, a, http.StatusOK, "")
			want(t, b, http.StatusOK, "")
			return a.String(), b.String()
		}
		subsBefore, hooksBefore := state()

		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/channels/" + alphaGeneral + "/incoming-webhooks", nil},
			{"POST", "/api/v1/channels/" + alphaGeneral + "/incoming-webhooks", map[string]string{"name": "stolen"}},
			{"DELETE", "/api/v1/incoming-webhooks/" + hookID, nil},
			{"DELETE", "/api/v1/webhooks/" + subID, nil},
			{"GET", "/api/v1/webhooks/" + subID + "/deliveries", nil},
		} {
			r := e.do(c.method, "bravo", c.path, c.body, bearer(bravo.token))
			want(t, r, http.StatusNotFound, "not_found")
			for _, leak := range []string{"alpha-hook", "alpha-sub", "alpha-receiver", secret, tok} {
				if strings.Contains(r.String(), leak) {
					t.Fatalf("%s %s leaks %q: %s", c.method, c.path, leak, r.body)
				}
			}
			// Alpha's credentials do not work on bravo's host.
			want(t, e.do(c.method, "bravo", c.path, c.body, bearer(alpha.token)), http.StatusUnauthorized, "unauthenticated")
		}
		// Bravo's own lists are empty.
		r := e.do("GET", "bravo", "/api/v1/webhooks", nil, bearer(bravo.token))
		want(t, r, http.StatusOK, "")
		if n := len(r.json(t)["webhooks"].([]any)); n != 0 {
			t.Fatalf("bravo lists %d subscriptions: %s", n, r.body)
		}
		subsAfter, hooksAfter := state()
		if subsAfter != subsBefore || hooksAfter != hooksBefore {
			t.Fatalf("alpha changed:\n%s\n%s\n%s\n%s", subsBefore, subsAfter, hooksBefore, hooksAfter)
		}
		// The token posts into alpha's channel whatever host it is sent to.
		want(t, e.do("POST", "bravo", "/hooks/in/"+tok, map[string]string{"text": "hello alpha"}), http.StatusOK, "")
		msgs := e.messages(alpha, alphaGeneral)
		if msgs[len(msgs)-1]["body"] != "hello alpha" {
			t.Fatal("the post did not land in alpha's channel")
		}
		for _, m := range e.messages(bravo, e.channelNamed(bravo, "general")) {
			if m["body"] == "hello alpha" {
				t.Fatal("the post landed in bravo")
			}
		}
	})
}

func TestSubscriptionInput(t *testing.T) {
	e, _ := newHookEnv(t, testdb.SQLite(t), hookEnvOptions{})
	owner := e.signup("acme")
	ok := []string{"ticket.created"}
	for _, tt := range []struct {
		name string
		body any
	}{
		{"loopback", map[string]any{"url": "http://127.0.0.1:5678/webhook", "events": ok}},
		{"IPv6 loopback", map[string]any{"url": "http://[::1]:5678/", "events": ok}},
		{"10/8", map[string]any{"url": "http://10.0.0.8/", "events": ok}},
		{"172.16/12", map[string]any{"url": "http://172.20.1.1/", "events": ok}},
		{"192.168/16", map[string]any{"url": "http://192.168.1.1/", "events": ok}},
		{"metadata", map[string]any{"url": "http://169.254.169.254/latest/meta-data/", "events": ok}},
		{"link-local v6", map[string]any{"url": "http://[fe80::1]/", "events": ok}},
		{"unique local v6", map[string]any{"url": "http://[fc00::1]/", "events": ok}},
		{"unspecified", map[string]any{"url": "http://0.0.0.0:8080/", "events": ok}},
		{"CGNAT", map[string]any{"url": "http://100.64.0.1/", "events": ok}},
		{"name resolving to loopback", map[string]any{"url": "http://localhost:5678/", "events": ok}},
		{"ftp", map[string]any{"url": "ftp://93.184.215.14/", "events": ok}},
		{"no url", map[string]any{"events": ok}},
		{"no events", map[string]any{"url": "https://93.184.215.14/"}},
		{"unknown event", map[string]any{"url": "https://93.184.215.14/", "events": []string{"user.created"}}},
		{"unknown field", map[string]any{"url": "https://93.184.215.14/", "events": ok, "secret": "mine"}},
		{"events not a list", map[string]any{"url": "https://93.184.215.14/", "events": "ticket.created"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want(t, e.do("POST", "acme", "/api/v1/webhooks", tt.body, bearer(owner.token)), http.StatusBadRequest, "invalid")
		})
	}
	r := e.do("GET", "acme", "/api/v1/webhooks", nil, bearer(owner.token))
	if n := len(r.json(t)["webhooks"].([]any)); n != 0 {
		t.Fatalf("refused subscriptions stored: %s", r.body)
	}
	// A public address is accepted (an IP literal: no DNS in tests).
	r = e.do("POST", "acme", "/api/v1/webhooks", map[string]any{"url": "https://93.184.215.14/hook", "events": []string{"ticket.created", "message.created", "ticket.created"}}, bearer(owner.token))
	want(t, r, http.StatusCreated, "")
	m := r.json(t)
	if m["secret"] == nil || fmt.Sprint(m["events"]) != "[message.created ticket.created]" || m["active"] != true {
		t.Fatalf("created = %s", r.body)
	}
	id := m["id"].(string)
	r = e.do("GET", "acme", "/api/v1/webhooks", nil, bearer(owner.token))
	if strings.Contains(r.String(), m["secret"].(string)) || strings.Contains(r.String(), `"secret"`) {
		t.Fatalf("listing shows the secret: %s", r.body)
	}
	want(t, e.do("GET", "acme", "/api/v1/webhooks/"+id+"/deliveries?limit=0", nil, bearer(owner.token)), 400, "invalid")
	want(t, e.do("GET", "acme", "/api/v1/webhooks/"+id+"/deliveries?limit=x", nil, bearer(owner.token)), 400, "invalid")
	want(t, e.do("GET", "acme", "/api/v1/webhooks/"+id+"/deliveries?limit=1000", nil, bearer(owner.token)), 400, "invalid")
	want(t, e.do("GET", "acme", "/api/v1/webhooks/nope/deliveries", nil, bearer(owner.token)), 404, "not_found")
	want(t, e.do("DELETE", "acme", "/api/v1/webhooks/"+id, nil, bearer(owner.token)), http.StatusNoContent, "")
	want(t, e.do("DELETE", "acme", "/api/v1/webhooks/"+id, nil, bearer(owner.token)), http.StatusNotFound, "not_found")
}

// flakyReceiver answers 500 to its first `failures` requests, then 200, and
// keeps every request.
type flakyReceiver struct {
	mu       sync.Mutex
	failures int
	reqs     []hookRequest
}

type hookRequest struct {
	header http.Header
	body   []byte
	at     time.Time
}

func (f *flakyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, hookRequest{r.Header.Clone(), b, time.Now()})
	fail := len(f.reqs) <= f.failures
	f.mu.Unlock()
	if fail {
		http.Error(w, "receiver down", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (f *flakyReceiver) got() []hookRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hookRequest(nil), f.reqs...)
}

// TestOutgoingWebhookRetried is the end-to-end path: a ticket opened in
// Relay reaches a receiver that fails twice and then accepts; the third
// try is delivered, every try is signed with the subscription's secret and
// the same id, and the delivery log shows the three attempts.
func TestOutgoingWebhookRetried(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		rcv := &flakyReceiver{failures: 2}
		ts := httptest.NewServer(rcv)
		defer ts.Close()
		e, _ := newHookEnv(t, db, hookEnvOptions{allowPrivate: true, worker: true})
		owner := e.signup("acme")
		r := e.do("POST", "acme", "/api/v1/webhooks", map[string]any{"url": ts.URL + "/relay", "events": []string{"ticket.created"}}, bearer(owner.token))
		want(t, r, http.StatusCreated, "")
		sub := r.json(t)
		subID, secret := sub["id"].(string), sub["secret"].(string)

		tk := e.do("POST", "acme", "/api/v1/tickets", map[string]string{"subject": "Printer on fire", "description": "It is on fire."}, bearer(owner.token))
		want(t, tk, http.StatusCreated, "")
		ticketID := tk.json(t)["id"].(string)

		var log []any
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			r := e.do("GET", "acme", "/api/v1/webhooks/"+subID+"/deliveries", nil, bearer(owner.token))
			if r.status != http.StatusOK {
				return fmt.Errorf("deliveries: %d %s", r.status, r.body)
			}
			log = r.json(t)["deliveries"].([]any)
			if len(log) < 3 {
				return fmt.Errorf("%d attempts logged", len(log))
			}
			return nil
		})
		reqs := rcv.got()
		if len(reqs) != 3 {
			t.Fatalf("receiver got %d requests, want 3", len(reqs))
		}
		var outboxID string
		for i, rq := range reqs {
			if err := webhook.Verify(secret, rq.header, rq.body, rq.at, webhook.DefaultWindow); err != nil {
				t.Fatalf("request %d: signature: %v", i+1, err)
			}
			if err := webhook.Verify("rly_wrong", rq.header, rq.body, rq.at, webhook.DefaultWindow); err == nil {
				t.Fatalf("request %d verifies under a wrong secret", i+1)
			}
			var body struct {
				ID    int64  `json:"id"`
				Event string `json:"event"`
				Data  struct {
					Ticket struct {
						ID      string `json:"id"`
						Subject string `json:"subject"`
						Status  string `json:"status"`
					} `json:"ticket"`
				} `json:"data"`
			}
			if err := json.Unmarshal(rq.body, &body); err != nil {
				t.Fatal(err)
			}
			if body.Event != "ticket.created" || body.Data.Ticket.ID != ticketID || body.Data.Ticket.Subject != "Printer on fire" {
				t.Fatalf("request %d body: %s", i+1, rq.body)
			}
			id := rq.header.Get(webhook.HeaderID)
			if id != fmt.Sprint(body.ID) || (outboxID != "" && id != outboxID) {
				t.Fatalf("request %d: id %q (body %d), first %q: retries must keep the id", i+1, id, body.ID, outboxID)
			}
			outboxID = id
		}
		// The log, newest first: 200 on the third try after two 500s.
		type entry struct {
			Attempt      int
			OK           bool
			ResponseCode int
			Event        string
			OutboxID     string
			HasError     bool
		}
		var got []entry
		for _, d := range log {
			d := d.(map[string]any)
			got = append(got, entry{int(d["attempt"].(float64)), d["ok"].(bool), int(d["response_code"].(float64)), d["event"].(string),
				fmt.Sprint(d["outbox_id"]), d["error"] != nil && d["error"] != ""})
			if _, ok := d["duration_ms"].(float64); !ok {
				t.Fatalf("no duration: %v", d)
			}
		}
		wantLog := []entry{
			{3, true, 200, "ticket.created", outboxID, false},
			{2, false, 500, "ticket.created", outboxID, true},
			{1, false, 500, "ticket.created", outboxID, true},
		}
		if fmt.Sprint(got) != fmt.Sprint(wantLog) {
			t.Fatalf("delivery log = %+v, want %+v", got, wantLog)
		}
		// Delivered rows are not sent again.
		r = e.do("GET", "acme", "/api/v1/outbox?state=dead", nil, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		if strings.Contains(r.String(), outboxID) {
			t.Fatalf("the row is dead: %s", r.body)
		}
	})
}

// TestOutgoingWebhookEvents checks what each event carries to a receiver
// that accepts everything.
func TestOutgoingWebhookEvents(t *testing.T) {
	rcv := &flakyReceiver{}
	ts := httptest.NewServer(rcv)
	defer ts.Close()
	e, _ := newHookEnv(t, testdb.SQLite(t), hookEnvOptions{allowPrivate: true, worker: true})
	owner := e.signup("acme")
	r := e.do("POST", "acme", "/api/v1/webhooks", map[string]any{"url": ts.URL, "events": []string{"ticket.status_changed", "message.created"}}, bearer(owner.token))
	want(t, r, http.StatusCreated, "")
	secret := r.json(t)["secret"].(string)
	general := e.channelNamed(owner, "general")

	want(t, e.do("POST", "acme", "/api/v1/channels/"+general+"/messages", map[string]string{"body": "hello automation"}, bearer(owner.token)), http.StatusCreated, "")
	tk := e.do("POST", "acme", "/api/v1/tickets", map[string]string{"subject": "s", "description": "d"}, bearer(owner.token))
	want(t, tk, http.StatusCreated, "")
	ticketID := tk.json(t)["id"].(string)
	want(t, e.do("PATCH", "acme", "/api/v1/tickets/"+ticketID+"/status", map[string]string{"status": "resolved"}, bearer(owner.token)), http.StatusOK, "")

	find := func(event string, match func(data map[string]any) bool) map[string]any {
		var found map[string]any
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			for _, rq := range rcv.got() {
				if err := webhook.Verify(secret, rq.header, rq.body, rq.at, 0); err != nil {
					return fmt.Errorf("unsigned delivery: %v", err)
				}
				var env struct {
					Event string         `json:"event"`
					Data  map[string]any `json:"data"`
				}
				if json.Unmarshal(rq.body, &env) == nil && env.Event == event && match(env.Data) {
					found = env.Data
					return nil
				}
			}
			return fmt.Errorf("no %s delivered yet (%d requests)", event, len(rcv.got()))
		})
		return found
	}
	msg := find("message.created", func(d map[string]any) bool {
		m, _ := d["message"].(map[string]any)
		return m != nil && m["body"] == "hello automation"
	})
	if ch, _ := msg["channel"].(map[string]any); ch == nil || ch["id"] != general || ch["name"] != "general" {
		t.Fatalf("message.created channel = %v", msg["channel"])
	}
	st := find("ticket.status_changed", func(d map[string]any) bool { return d["to"] == "resolved" })
	if st["from"] != "open" || st["ticket"].(map[string]any)["id"] != ticketID || st["ticket"].(map[string]any)["status"] != "resolved" {
		t.Fatalf("ticket.status_changed = %v", st)
	}
	// Not subscribed: no ticket.created went out.
	for _, rq := range rcv.got() {
		if rq.header.Get(webhook.HeaderEvent) == "ticket.created" {
			t.Fatal("ticket.created delivered to a subscription without it")
		}
	}
}

// TestOutgoingWebhookWakesOutbox: a post that writes a webhook row wakes
// the outbox workers of its process, so the event goes out at once, not at
// their next poll (an hour away here: a delivery that waited for it would
// never arrive in time).
func TestOutgoingWebhookWakesOutbox(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		rcv := &flakyReceiver{}
		ts := httptest.NewServer(rcv)
		defer ts.Close()
		e, _ := newHookEnv(t, db, hookEnvOptions{allowPrivate: true, worker: true, poll: time.Hour})
		owner := e.signup("acme")
		want(t, e.do("POST", "acme", "/api/v1/webhooks", map[string]any{"url": ts.URL, "events": []string{"message.created"}}, bearer(owner.token)), http.StatusCreated, "")
		general := e.channelNamed(owner, "general")
		tk := e.do("POST", "acme", "/api/v1/tickets", map[string]string{"subject": "s", "description": "d"}, bearer(owner.token))
		want(t, tk, http.StatusCreated, "")
		ticketID := tk.json(t)["id"].(string)

		for _, tc := range []struct {
			name, path, body string
		}{
			{"public channel", "/api/v1/channels/" + general + "/messages", "hello at once"},
			{"ticket conversation", "/api/v1/tickets/" + ticketID + "/messages", "a ticket reply at once"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				want(t, e.do("POST", "acme", tc.path, map[string]string{"body": tc.body}, bearer(owner.token)), http.StatusCreated, "")
				testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
					for _, rq := range rcv.got() {
						var env struct {
							Event string `json:"event"`
							Data  struct {
								Message struct {
									Body string `json:"body"`
								} `json:"message"`
							} `json:"data"`
						}
						if json.Unmarshal(rq.body, &env) == nil && env.Event == "message.created" && env.Data.Message.Body == tc.body {
							return nil
						}
					}
					return fmt.Errorf("%q not delivered yet (%d requests)", tc.body, len(rcv.got()))
				})
			})
		}
	})
}

// TestOutgoingWebhookGone: a receiver answering 410 Gone ends the delivery
// at once (dead, one attempt) and switches its subscription off, so later
// events are not queued for it.
func TestOutgoingWebhookGone(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "this hook was removed", http.StatusGone)
		}))
		defer ts.Close()
		e, _ := newHookEnv(t, db, hookEnvOptions{allowPrivate: true, worker: true})
		owner := e.signup("acme")
		r := e.do("POST", "acme", "/api/v1/webhooks", map[string]any{"url": ts.URL + "/relay", "events": []string{"ticket.created"}}, bearer(owner.token))
		want(t, r, http.StatusCreated, "")
		subID := r.json(t)["id"].(string)
		want(t, e.do("POST", "acme", "/api/v1/tickets", map[string]string{"description": "First."}, bearer(owner.token)), http.StatusCreated, "")
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			r := e.do("GET", "acme", "/api/v1/outbox?state=dead", nil, bearer(owner.token))
			if n := len(r.json(t)["items"].([]any)); n != 1 {
				return fmt.Errorf("%d dead rows", n)
			}
			return nil
		})
		r = e.do("GET", "acme", "/api/v1/webhooks", nil, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		var active any = "missing"
		for _, s := range r.json(t)["webhooks"].([]any) {
			if s := s.(map[string]any); s["id"] == subID {
				active = s["active"]
			}
		}
		if active != false {
			t.Fatalf("subscription active = %v after 410, want false: %s", active, r.body)
		}
		r = e.do("GET", "acme", "/api/v1/webhooks/"+subID+"/deliveries", nil, bearer(owner.token))
		if log := r.json(t)["deliveries"].([]any); len(log) != 1 || log[0].(map[string]any)["response_code"] != float64(410) {
			t.Fatalf("delivery log: %s", r.body)
		}
		// Later events find no active subscription.
		want(t, e.do("POST", "acme", "/api/v1/tickets", map[string]string{"description": "Second."}, bearer(owner.token)), http.StatusCreated, "")
		r = e.do("GET", "acme", "/api/v1/outbox", nil, bearer(owner.token))
		if n := len(r.json(t)["items"].([]any)); n != 1 {
			t.Fatalf("%d outbox rows after the subscription was switched off, want 1: %s", n, r.body)
		}
	})
}

// TestIncomingWebhookNotConfigured: without a receiver (Config.Incoming
// nil) the incoming endpoint answers 404 in the JSON error shape.
func TestIncomingWebhookNotConfigured(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	e.srv.incoming = nil
	want(t, e.do("POST", "", "/hooks/in/rly_"+strings.Repeat("A", 43), `{"text":"hi"}`), http.StatusNotFound, "not_found")
}
