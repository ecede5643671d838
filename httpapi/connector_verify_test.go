package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/line"
	"github.com/relayhq/relay/connectors/line/linefake"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// An own LINE bot's token is checked with LINE (GET /v2/bot/info) when the
// connector is created and when the token is replaced: a wrong token is a
// 400 naming access_token and stores nothing; LINE out of reach is a 503;
// a good token records the bot's name and picture, shown on the connector.
func TestConnectorLINETokenVerified(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{})
		fake := linefake.New(t)
		goodToken, otherToken := "good-line-token-0123456789abcdef", "other-line-token-0123456789abcdef"
		fake.SetBot(goodToken, "Acme Shop", "@acmeshop", "https://profile.line-scdn.net/acme.png")
		fake.SetBot(otherToken, "Acme Outlet", "@acmeout", "")
		lc := line.New(e.srv.app.Connectors, line.Config{APIURL: fake.URL, DataAPIURL: fake.URL, Logger: e.srv.log})
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = lc.Close(ctx)
		})
		lc.Register(e.srv.app.Connectors)

		acme, globex := e.signup("acme"), e.signup("globex")
		do := func(method, path string, body any, who account) res {
			return e.do(method, who.sub, path, body, bearer(who.token))
		}
		own := func(token string) map[string]any {
			return map[string]any{"type": "line", "model": "own", "channel_id": "1234567890", "channel_secret": lineSecret, "access_token": token}
		}
		count := func(who account) int {
			r := do("GET", "/api/v1/connectors", nil, who)
			want(t, r, http.StatusOK, "")
			return len(r.json(t)["connectors"].([]any))
		}

		// A made-up token: 400 naming the field, nothing stored.
		r := do("POST", "/api/v1/connectors", own("made-up-token-0123456789abcdef"), acme)
		want(t, r, http.StatusBadRequest, "invalid")
		if msg := r.errMessage(); !strings.Contains(msg, "access_token") || !strings.Contains(msg, "LINE") {
			t.Fatalf("message does not name the field: %s", r.body)
		}
		// LINE out of reach: 503, nothing stored.
		fake.Fail("info", 1, http.StatusInternalServerError, "")
		want(t, do("POST", "/api/v1/connectors", own(goodToken), acme), http.StatusServiceUnavailable, "unavailable")
		if n := count(acme); n != 0 {
			t.Fatalf("a refused connector was stored: %d", n)
		}

		// The right token: the bot LINE names is recorded and shown.
		r = do("POST", "/api/v1/connectors", own(goodToken), acme)
		want(t, r, http.StatusCreated, "")
		c := r.json(t)
		id := c["id"].(string)
		bot, _ := c["bot"].(map[string]any)
		if bot == nil || bot["name"] != "Acme Shop" || bot["basic_id"] != "@acmeshop" || bot["picture_url"] != "https://profile.line-scdn.net/acme.png" {
			t.Fatalf("bot: %s", r.body)
		}
		// The test server's address is http: the warning says how to fix it.
		if w, _ := c["webhook_url_warning"].(string); !strings.Contains(w, "RELAY_PUBLIC_URL") {
			t.Fatalf("no webhook warning: %s", r.body)
		}

		// Replacing the token checks the new one; a refused one changes nothing.
		r = do("PATCH", "/api/v1/connectors/"+id, map[string]any{"access_token": "made-up-token-0123456789abcdef", "name": "Renamed"}, acme)
		want(t, r, http.StatusBadRequest, "invalid")
		if !strings.Contains(r.errMessage(), "access_token") {
			t.Fatalf("message does not name the field: %s", r.body)
		}
		r = do("GET", "/api/v1/connectors/"+id, nil, acme)
		if m := r.json(t); m["name"] == "Renamed" || m["bot"].(map[string]any)["name"] != "Acme Shop" {
			t.Fatalf("a refused update changed the connector: %s", r.body)
		}
		_, creds, err := e.srv.app.Connectors.ConnectorForHook(context.Background(), mustID(t, id))
		if err != nil || creds["access_token"] != goodToken {
			t.Fatalf("stored token: %v %v", creds["access_token"], err)
		}
		r = do("PATCH", "/api/v1/connectors/"+id, map[string]any{"access_token": otherToken}, acme)
		want(t, r, http.StatusOK, "")
		if b := r.json(t)["bot"].(map[string]any); b["name"] != "Acme Outlet" || b["picture_url"] != nil {
			t.Fatalf("bot after the new token: %s", r.body)
		}

		// Another workspace sees nothing of it.
		want(t, do("GET", "/api/v1/connectors/"+id, nil, globex), http.StatusNotFound, "not_found")
		if n := count(globex); n != 0 {
			t.Fatalf("globex sees %d connectors", n)
		}
	})
}

func TestPublicURLWarning(t *testing.T) {
	for _, tt := range []struct {
		base string
		warn bool
	}{
		{"https://relay.example", false},
		{"https://relay.example:8443", false},
		{"http://relay.example", true},
		{"http://localhost:8080", true},
		{"https://localhost", true},
		{"https://acme.localhost:8443", true},
		{"https://127.0.0.1", true},
		{"https://[::1]:8443", true},
		{"https://10.0.0.5", true},
		{"https://192.168.1.20", true},
		{"", true},
		{"not a url", true},
	} {
		w := app.PublicURLWarning(tt.base)
		if (w != "") != tt.warn {
			t.Errorf("PublicURLWarning(%q) = %q, want warning %v", tt.base, w, tt.warn)
		}
		if w != "" && !strings.Contains(w, "RELAY_PUBLIC_URL") {
			t.Errorf("PublicURLWarning(%q) does not say how to fix it: %q", tt.base, w)
		}
	}
}

// errMessage is the message of an error body.
func (r res) errMessage() string {
	var b errorBody
	_ = json.Unmarshal(r.body, &b)
	return b.Error.Message
}

// problemGuilds is a shared Discord bot whose token Discord refused.
type problemGuilds struct{ fakeGuilds }

func (problemGuilds) Problem() string { return "Discord refused this Relay server's bot token." }

// While the shared Discord bot cannot work (its token refused at start),
// Discord connectors show as errored with the reason, to admins and in the
// staff summary; a disabled one stays disabled.
func TestConnectorDiscordBotProblem(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	e.srv.app.Connectors.SetDiscordDirectory(problemGuilds{})
	owner := e.signup("acme")
	agent := e.join(owner, "aggie", "agent")
	r := e.do("POST", owner.sub, "/api/v1/connectors", map[string]any{"type": "discord"}, bearer(owner.token))
	want(t, r, http.StatusCreated, "")
	c := r.json(t)
	if c["status"] != "error" || !strings.Contains(c["last_error"].(string), "refused") {
		t.Fatalf("created: %s", r.body)
	}
	r = e.do("GET", owner.sub, "/api/v1/connectors", nil, bearer(agent.token))
	want(t, r, http.StatusOK, "")
	if s := r.json(t)["connectors"].([]any)[0].(map[string]any); s["status"] != "error" || s["last_error"] == nil {
		t.Fatalf("summary: %s", r.body)
	}
	r = e.do("PATCH", owner.sub, "/api/v1/connectors/"+c["id"].(string), map[string]any{"status": "disabled"}, bearer(owner.token))
	want(t, r, http.StatusOK, "")
	if m := r.json(t); m["status"] != "disabled" {
		t.Fatalf("disabled: %s", r.body)
	}
}
