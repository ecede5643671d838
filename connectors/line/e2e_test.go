package line_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/line"
	"github.com/relayhq/relay/connectors/line/linefake"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/store"
)

// The app implements what the connector needs of it.
var _ line.Relay = (*app.Connectors)(nil)

const (
	e2eSecret       = "0123456789abcdef0123456789abcdef"
	e2eToken        = "own-long-lived-channel-access-token-0123456789"
	e2eSharedSecret = "fedcba9876543210fedcba9876543210"
	e2eSharedToken  = "shared-long-lived-channel-access-token-987654"
	aliceID         = "U4af4980629e9f5a8a9c4f8d2b1d3e2f1"
	bobID           = "U5bf4980629e9f5a8a9c4f8d2b1d3e2f2"
)

// e2e is the whole Relay server with the LINE connector wired to it the
// way `relay serve` does (package server: webhook handler, outbox
// deliverer), and a fake LINE.
type e2e struct {
	stack *testserver.Stack
	line  *linefake.Server
	conn  *line.Connector
	hooks string // base URL of the webhook endpoints
}

func startE2E(t *testing.T, db *store.DB) *e2e {
	t.Helper()
	lf := linefake.New(t)
	lf.AcceptTokens(e2eToken, e2eSharedToken)
	stack := testserver.Start(t, testserver.Config{DB: db, Connectors: app.ConnectorsConfig{
		LINESharedSecret: e2eSharedSecret, LINESharedToken: e2eSharedToken, LINESharedBotID: "@relaybot",
		OutboxBackoff: 10 * time.Millisecond, OutboxPoll: 10 * time.Millisecond}})
	conn := line.New(stack.App.Connectors, line.Config{APIURL: lf.URL, DataAPIURL: lf.URL,
		SharedSecret: e2eSharedSecret, SharedToken: e2eSharedToken})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = conn.Close(ctx)
	})
	conn.Register(stack.App.Connectors)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/line/shared", conn.ServeSharedHook)
	mux.HandleFunc("POST /hooks/line/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := relay.ParseID(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		conn.ServeHook(w, r, id)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return &e2e{stack: stack, line: lf, conn: conn, hooks: hs.URL}
}

func (e *e2e) post(t *testing.T, path, secret string, events ...linefake.Event) {
	t.Helper()
	res, err := linefake.PostWebhook(nil, e.hooks+path, secret, linefake.Body(events...))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("webhook %s: %d %s", path, res.StatusCode, b)
	}
}

// externalChannel waits for the external channel named name to appear for a.
func (e *e2e) externalChannel(t *testing.T, a testserver.Account, name string) relay.Channel {
	t.Helper()
	var found relay.Channel
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		var res struct{ Channels []relay.Channel }
		e.stack.Must(t, 200, "GET", a.Sub, "/api/v1/channels", a.Token, nil, &res)
		for _, c := range res.Channels {
			if c.Kind == relay.ChannelExternal && strings.Contains(c.Name+" "+c.Topic, name) {
				found = c
				return nil
			}
		}
		return fmt.Errorf("no external channel for %q among %d channels", name, len(res.Channels))
	})
	return found
}

func (e *e2e) messages(t *testing.T, a testserver.Account, ch relay.ID) []relay.Message {
	t.Helper()
	var res struct{ Messages []relay.Message }
	e.stack.Must(t, 200, "GET", a.Sub, "/api/v1/channels/"+ch.String()+"/messages", a.Token, nil, &res)
	return res.Messages
}

func TestEndToEndOwnBot(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := startE2E(t, db)
		owner := e.stack.Signup(t, "acme")
		other := e.stack.Signup(t, "globex")
		var created struct {
			ID         relay.ID `json:"id"`
			WebhookURL string   `json:"webhook_url"`
		}
		e.stack.Must(t, 201, "POST", owner.Sub, "/api/v1/connectors", owner.Token, map[string]any{"type": "line", "model": "own",
			"name": "Acme LINE", "channel_id": "1657000000", "channel_secret": e2eSecret, "access_token": e2eToken}, &created)
		if !strings.HasSuffix(created.WebhookURL, "/hooks/line/"+created.ID.String()) {
			t.Fatalf("webhook_url = %q", created.WebhookURL)
		}
		hook := "/hooks/line/" + created.ID.String()
		e.line.SetProfile(aliceID, "Alice", "https://profile.line-scdn.net/alice")
		e.line.SetContent("m2", "image/png", []byte("\x89PNG\r\n\x1a\n fake png"))

		// A bad signature stores nothing.
		res, err := linefake.PostWebhook(nil, e.hooks+hook, "not-the-secret",
			linefake.Body(linefake.Text(linefake.User(aliceID), "ev0", "m0", "forged")))
		if err != nil || res.StatusCode != 401 {
			t.Fatalf("forged webhook: %v %v", res.StatusCode, err)
		}
		res.Body.Close()

		// LINE → Relay: the message lands in a new external channel named
		// after the user; the image is stored; a redelivery adds nothing.
		text := linefake.Text(linefake.User(aliceID), "ev1", "m1", "Hello from LINE")
		e.post(t, hook, e2eSecret, text, linefake.Image(linefake.User(aliceID), "ev2", "m2"))
		e.post(t, hook, e2eSecret, text.Redelivered())
		ch := e.externalChannel(t, owner, "Alice")
		var msgs []relay.Message
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			if msgs = e.messages(t, owner, ch.ID); len(msgs) < 2 {
				return fmt.Errorf("%d messages", len(msgs))
			}
			return nil
		})
		if len(msgs) != 2 {
			t.Fatalf("%d messages: a redelivery was stored twice", len(msgs))
		}
		first, second := msgs[0], msgs[1]
		if first.CreatedAt.After(second.CreatedAt) || first.Seq > second.Seq {
			first, second = second, first
		}
		if first.Body != "Hello from LINE" || first.Source != relay.SourceLINE || first.Author.Kind != relay.AuthorContact || first.Author.DisplayName != "Alice" {
			t.Fatalf("first message = %+v", first)
		}
		if len(second.Attachments) != 1 || second.Attachments[0].Kind != "image" {
			t.Fatalf("image message = %+v", second)
		}
		file := e.stack.Do(t, "GET", owner.Sub, second.Attachments[0].URL, owner.Token, nil)
		if file.Status != 200 || !strings.Contains(string(file.Body), "fake png") {
			t.Fatalf("attachment: %d %q", file.Status, file.Body)
		}
		// Another workspace cannot read it.
		if r := e.stack.Do(t, "GET", other.Sub, "/api/v1/channels/"+ch.ID.String()+"/messages", other.Token, nil); r.Status != 404 {
			t.Fatalf("globex reads acme's LINE channel: %d", r.Status)
		}

		// Relay → LINE: a reply goes out as a push with the channel's token.
		reply := e.stack.Post(t, owner, ch.ID, "Hi Alice, how can we help?")
		var push linefake.Call
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			ps := e.line.Pushes()
			if len(ps) == 0 {
				return fmt.Errorf("no push yet")
			}
			push = ps[0]
			return nil
		})
		p := push.Decode()
		if push.Token() != e2eToken || p.To != aliceID || len(p.Messages) != 1 || p.Messages[0].Text != reply.Body ||
			p.Messages[0].Sender == nil || p.Messages[0].Sender.Name == "" {
			t.Fatalf("push = %+v (token %q)", p, push.Token())
		}
		if n := len(e.line.Pushes()); n != 1 {
			t.Fatalf("%d pushes", n)
		}
	})
}

func TestEndToEndSharedBot(t *testing.T) {
	e := startE2E(t, testdb.SQLite(t))
	owner := e.stack.Signup(t, "acme")
	var created struct {
		ID       relay.ID `json:"id"`
		JoinCode string   `json:"join_code"`
	}
	e.stack.Must(t, 201, "POST", owner.Sub, "/api/v1/connectors", owner.Token, map[string]any{"type": "line", "model": "shared"}, &created)
	if created.JoinCode == "" {
		t.Fatal("no join code")
	}
	e.line.SetProfile(bobID, "Bob", "")
	u := linefake.User(bobID)
	e.post(t, "/hooks/line/shared", e2eSharedSecret, linefake.Text(u, "s1", "m1", "hi?"),
		linefake.Text(u, "s2", "m2", "join "+strings.ToLower(created.JoinCode)))
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if n := len(e.line.Replies()); n < 2 {
			return fmt.Errorf("%d replies", n)
		}
		return nil
	})
	e.post(t, "/hooks/line/shared", e2eSharedSecret, linefake.Text(u, "s3", "m3", "I joined"))
	ch := e.externalChannel(t, owner, "Bob")
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if ms := e.messages(t, owner, ch.ID); len(ms) != 1 || ms[0].Body != "I joined" {
			return fmt.Errorf("messages %+v", ms)
		}
		return nil
	})
	e.stack.Post(t, owner, ch.ID, "Welcome, Bob")
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		ps := e.line.Pushes()
		if len(ps) != 1 {
			return fmt.Errorf("%d pushes", len(ps))
		}
		if ps[0].Token() != e2eSharedToken || ps[0].Decode().To != bobID {
			return fmt.Errorf("push %+v with token %q", ps[0].Decode(), ps[0].Token())
		}
		return nil
	})
}
