package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/line"
	"github.com/relayhq/relay/connectors/line/linefake"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
)

// TestLINEHooks drives LINE's webhook routes through the whole server:
// the routing table (any host, no session, the body limit), the signature
// check before anything is stored, and tenant isolation between two
// workspaces' connectors.
func TestLINEHooks(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	// Without a LINE connector wired, the hooks answer 404.
	want(t, e.do("POST", "", "/hooks/line/123", "{}"), http.StatusNotFound, "not_found")
	want(t, e.do("POST", "", "/hooks/line/shared", "{}"), http.StatusNotFound, "not_found")

	fake := linefake.New(t)
	lc := line.New(e.srv.app.Connectors, line.Config{APIURL: fake.URL, DataAPIURL: fake.URL,
		SharedSecret: testConnectors.LINESharedSecret, SharedToken: testConnectors.LINESharedToken, Logger: e.srv.log})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = lc.Close(ctx)
	})
	e.srv.line = lc

	acme, globex := e.signup("acme"), e.signup("globex")
	create := func(a account, channelID, secret string) string {
		r := e.do("POST", a.sub, "/api/v1/connectors", map[string]any{"type": "line", "model": "own", "channel_id": channelID,
			"channel_secret": secret, "access_token": lineToken}, bearer(a.token))
		want(t, r, http.StatusCreated, "")
		return r.json(t)["id"].(string)
	}
	acmeSecret, globexSecret := strings.Repeat("cd", 16), strings.Repeat("ab", 16)
	acmeID, globexID := create(acme, "1111111111", acmeSecret), create(globex, "2222222222", globexSecret)
	fake.SetProfile("U1", "Alice", "")

	body := linefake.Body(linefake.Text(linefake.User("U1"), "ev1", "m1", "hello acme"))
	signed := func(secret string) opt { return header(line.SignatureHeader, linefake.Sign(secret, body)) }
	for _, tt := range []struct {
		name   string
		sub    string
		path   string
		body   any
		opts   []opt
		status int
		code   string
	}{
		{"no signature", "", "/hooks/line/" + acmeID, body, nil, 401, "unauthenticated"},
		{"malformed signature", "", "/hooks/line/" + acmeID, body, []opt{header(line.SignatureHeader, "%%%")}, 400, "invalid"},
		{"another workspace's secret", "", "/hooks/line/" + acmeID, body, []opt{signed(globexSecret)}, 401, "unauthenticated"},
		{"unknown connector", "", "/hooks/line/987654321", body, []opt{signed(acmeSecret)}, 404, "not_found"},
		{"not an id", "", "/hooks/line/abc", body, []opt{signed(acmeSecret)}, 404, "not_found"},
		{"too large", "", "/hooks/line/" + acmeID, strings.Repeat("x", 2<<20), []opt{signed(acmeSecret)}, 413, "too_large"},
		{"wrong method", "", "/hooks/line/" + acmeID, nil, nil, 405, "method_not_allowed"},
		{"shared bot, own secret", "", "/hooks/line/shared", body, []opt{signed(acmeSecret)}, 401, "unauthenticated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			method := "POST"
			if tt.status == 405 {
				method = "GET"
			}
			want(t, e.do(method, tt.sub, tt.path, tt.body, tt.opts...), tt.status, tt.code)
		})
	}
	// Nothing refused was stored: neither workspace has an external channel.
	for _, a := range []account{acme, globex} {
		if n := externalChannels(t, e, a); n != 0 {
			t.Fatalf("%s has %d external channels after refused webhooks", a.sub, n)
		}
	}

	// Signed right, on the apex or a workspace's host alike: taken, and the
	// message lands in that connector's workspace only.
	want(t, e.do("POST", "", "/hooks/line/"+acmeID, body, signed(acmeSecret)), http.StatusOK, "")
	want(t, e.do("POST", "globex", "/hooks/line/"+acmeID, body, signed(acmeSecret)), http.StatusOK, "") // a redelivery: ignored
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if n := externalChannels(t, e, acme); n != 1 {
			return fmt.Errorf("acme has %d external channels", n)
		}
		return nil
	})
	if n := externalChannels(t, e, globex); n != 0 {
		t.Fatalf("globex got acme's LINE message")
	}
	_ = globexID
}

func externalChannels(t *testing.T, e *env, a account) int {
	t.Helper()
	r := e.do("GET", a.sub, "/api/v1/channels", nil, bearer(a.token))
	want(t, r, http.StatusOK, "")
	n := 0
	for _, c := range r.json(t)["channels"].([]any) {
		if c.(map[string]any)["kind"] == "external" {
			n++
		}
	}
	return n
}
