package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestTenantIsolation walks every workspace route of the routing table and
// tries workspace alpha's credentials on bravo's host, and bravo's
// credentials with alpha's ids, then checks alpha is untouched and no
// response carried alpha's data.
func TestTenantIsolation(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		alpha := e.signup("alpha")
		bravo := e.signup("bravo")
		alphaAgent := e.join(alpha, "alice", "agent")
		alphaInviteTok, alphaInviteID := e.invite(alpha, "pending@alpha.example", "member")
		tr := e.do("POST", "alpha", "/api/v1/tokens", map[string]string{"name": "bot"}, bearer(alpha.token))
		want(t, tr, http.StatusCreated, "")
		alphaTokenID := tr.json(t)["id"].(string)
		want(t, e.do("PUT", "alpha", "/api/v1/workspace/logo", pngBytes(t, 8, 8), bearer(alpha.token)), http.StatusOK, "")
		want(t, e.do("PUT", "alpha", "/api/v1/users/me/avatar", pngBytes(t, 8, 8), bearer(alpha.token)), http.StatusOK, "")

		// A private channel with a message, a thread reply and a reaction.
		cr := e.do("POST", "alpha", "/api/v1/channels", map[string]any{"name": "secret-plans", "kind": "private",
			"user_ids": []string{alphaAgent.userID}}, bearer(alpha.token))
		want(t, cr, http.StatusCreated, "")
		alphaChan := cr.json(t)["id"].(string)
		mr := e.do("POST", "alpha", "/api/v1/channels/"+alphaChan+"/messages", map[string]string{"body": "launch codes 1234"}, bearer(alpha.token))
		want(t, mr, http.StatusCreated, "")
		alphaMsg := mr.json(t)["id"].(string)
		want(t, e.do("POST", "alpha", "/api/v1/channels/"+alphaChan+"/messages", map[string]string{"body": "reply", "parent_id": alphaMsg}, bearer(alphaAgent.token)), http.StatusCreated, "")
		want(t, e.do("PUT", "alpha", "/api/v1/messages/"+alphaMsg+"/reactions/👍", nil, bearer(alpha.token)), http.StatusOK, "")

		// A ticket with a conversation message and an internal note.
		tk := e.do("POST", "alpha", "/api/v1/tickets", map[string]string{"subject": "alpha-ticket-subject", "description": "the alpha case"}, bearer(alpha.token))
		want(t, tk, http.StatusCreated, "")
		alphaTicket := tk.json(t)["id"].(string)
		want(t, e.do("POST", "alpha", "/api/v1/tickets/"+alphaTicket+"/messages", map[string]any{"body": "alpha-note", "internal": true}, bearer(alpha.token)), http.StatusCreated, "")
		ticketState := func() []any {
			var out []any
			for _, p := range []string{"", "/messages", "/messages?internal=true", "/events"} {
				r := e.do("GET", "alpha", "/api/v1/tickets/"+alphaTicket+p, nil, bearer(alpha.token))
				want(t, r, http.StatusOK, "")
				out = append(out, r.json(t))
			}
			return out
		}
		beforeTicket := ticketState()

		// Connectors: an own LINE bot (its secret must never show) and a
		// bridged Discord server; a dead delivery and a stored file.
		lc := e.do("POST", "alpha", "/api/v1/connectors", map[string]any{"type": "line", "channel_id": "9876543210",
			"channel_secret": "abcdefabcdefabcdefabcdefabcdef12", "access_token": "alpha-line-access-token-0123456789"}, bearer(alpha.token))
		want(t, lc, http.StatusCreated, "")
		alphaConn := lc.json(t)["id"].(string)
		ctx := context.Background()
		conn, _, err := e.srv.app.Connectors.ConnectorForHook(ctx, mustID(t, alphaConn))
		if err != nil {
			t.Fatal(err)
		}
		in, err := e.srv.app.Connectors.ReceiveExternal(ctx, relay.ExternalIn{Connector: conn, ConversationKey: "user:Ualpha", OneToOne: true,
			From: relay.ExternalContact{ExternalID: "Ualpha", Name: "Alpha Contact"}, MessageID: "alpha-line-1", Body: "alpha-line-body",
			Files: []relay.ExternalFile{{Name: "a.png", ContentType: "image/png", Kind: "image", Data: pngBytes(t, 2, 2)}}})
		if err != nil {
			t.Fatal(err)
		}
		alphaFile := in.Attachments[0].ID.String()
		items, err := e.db.OutboxItems(ctx, conn.WorkspaceID, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		alphaOutbox := "1"
		if len(items) > 0 {
			alphaOutbox = strconv.FormatInt(items[0].ID, 10)
		}

		before := snapshot(t, e, alpha)
		beforeChat := chatSnapshot(t, e, alpha, alphaChan, alphaMsg)
		secrets := []string{alpha.email, alphaAgent.email, alpha.userID, alphaAgent.userID, alphaInviteID,
			alphaTokenID, "pending@alpha.example", "alpha", "Alpha Inc", alphaChan, alphaMsg, "secret-plans", "launch codes",
			alphaTicket, "alpha-ticket-subject", "alpha-note", alphaConn, "9876543210", "abcdefabcdefabcdefabcdefabcdef12",
			"alpha-line-access-token", "Ualpha", "Alpha Contact", "alpha-line-body", alphaFile}
		noLeak := func(t *testing.T, r res) {
			t.Helper()
			for _, s := range secrets {
				if strings.Contains(string(r.body), s) {
					t.Fatalf("response leaks alpha's %q: %s", s, r.body)
				}
			}
		}

		// Path values that belong to alpha.
		alphaPath := func(path string) string {
			path = strings.ReplaceAll(path, "{$}", "")
			path = strings.ReplaceAll(path, "{token}", alphaInviteTok)
			path = strings.ReplaceAll(path, "{user_id}", alphaAgent.userID)
			path = strings.ReplaceAll(path, "{emoji}", "👍")
			switch {
			case strings.HasPrefix(path, "/api/v1/channels/"):
				return strings.ReplaceAll(path, "{id}", alphaChan)
			case strings.HasPrefix(path, "/api/v1/tickets/"):
				return strings.ReplaceAll(path, "{id}", alphaTicket)
			case strings.HasPrefix(path, "/api/v1/messages/"):
				return strings.ReplaceAll(path, "{id}", alphaMsg)
			case strings.HasPrefix(path, "/api/v1/connectors/"):
				return strings.ReplaceAll(path, "{id}", alphaConn)
			case strings.HasPrefix(path, "/api/v1/outbox/"):
				return strings.ReplaceAll(path, "{id}", alphaOutbox)
			case strings.HasPrefix(path, "/api/v1/files/"):
				return strings.ReplaceAll(path, "{id}", alphaFile)
			case strings.HasPrefix(path, "/api/v1/users/"):
				return strings.ReplaceAll(path, "{id}", alpha.userID) // alpha's owner has an avatar
			}
			return strings.ReplaceAll(path, "{id}", alphaTokenID)
		}
		bodies := map[string]any{
			"POST /api/v1/auth/login":             map[string]string{"email": alpha.email, "password": alpha.password},
			"POST /api/v1/auth/handoff":           map[string]string{"code": alpha.handoff},
			"POST /api/v1/auth/signup":            map[string]string{"display_name": "Ann", "email": alpha.email, "password": alpha.password},
			"PATCH /api/v1/workspace":             map[string]string{"name": "Hijacked"},
			"DELETE /api/v1/workspace":            map[string]string{"confirm": "alpha"},
			"POST /api/v1/workspace/transfer":     map[string]string{"user_id": alphaAgent.userID},
			"PUT /api/v1/workspace/logo":          pngBytes(t, 4, 4),
			"POST /api/v1/invites":                map[string]string{"email": "x@alpha.example", "role": "admin"},
			"POST /api/v1/invites/{token}/accept": map[string]string{"display_name": "Mallory", "password": "mallory-password"},
			"PATCH /api/v1/members/{user_id}":     map[string]string{"role": "admin"},
			"POST /api/v1/tokens":                 map[string]string{"name": "stolen"},
			"POST /api/v1/channels":               map[string]string{"name": "stolen"},
			"PATCH /api/v1/channels/{id}":         map[string]string{"topic": "hijacked"},
			"POST /api/v1/channels/{id}/members":  map[string]any{"user_ids": []string{alphaAgent.userID}},
			"POST /api/v1/channels/{id}/read":     map[string]any{"seq": 1},
			"POST /api/v1/channels/{id}/messages": map[string]string{"body": "injected"},
			"POST /api/v1/dms":                    map[string]any{"user_ids": []string{alphaAgent.userID}},
			"PATCH /api/v1/messages/{id}":         map[string]string{"body": "edited by a stranger"},
			"PUT /api/v1/users/me/status":         map[string]string{"presence": "away"},
			"PATCH /api/v1/users/me":              map[string]string{"display_name": "Hijacked"},
			"PUT /api/v1/users/me/avatar":         pngBytes(t, 4, 4),
			"POST /api/v1/tickets":                map[string]string{"description": "stolen"},
			"PATCH /api/v1/tickets/{id}":          map[string]string{"priority": "urgent"},
			"PATCH /api/v1/tickets/{id}/status":   map[string]string{"status": "closed"},
			"PATCH /api/v1/tickets/{id}/assign":   map[string]string{"assignee_id": alpha.userID},
			"POST /api/v1/tickets/{id}/messages":  map[string]any{"body": "injected", "internal": true},
			"POST /api/v1/tickets/{id}/read":      map[string]any{"seq": 1},
		}
		bodies["POST /api/v1/channels/{id}/incoming-webhooks"] = map[string]string{"name": "stolen"}
		bodies["PATCH /api/v1/connectors/{id}"] = map[string]string{"status": "disabled"}
		bodies["PUT /api/v1/connectors/{id}/discord/bridges"] = map[string]any{"bridges": []any{}}

		tried := 0
		for _, rt := range e.srv.routes() {
			if rt.host != onWorkspace {
				continue
			}
			key := rt.method + " " + rt.path
			path := alphaPath(rt.path)
			if rt.path == "/api/v1/invites/{id}" {
				if rt.method == "GET" {
					path = "/api/v1/invites/" + alphaInviteTok
				} else {
					path = "/api/v1/invites/" + alphaInviteID
				}
			}
			t.Run(key, func(t *testing.T) {
				tried++
				for _, cred := range []struct {
					name string
					o    opt
				}{{"alpha bearer on bravo", bearer(alpha.token)}, {"alpha cookie on bravo", cookie(alpha.token)}} {
					r := e.do(rt.method, "bravo", path, bodies[key], cred.o)
					noLeak(t, r)
					switch {
					case rt.auth == authRequired:
						if r.status != http.StatusUnauthorized {
							t.Errorf("%s: status %d, want 401; body %s", cred.name, r.status, r.body)
						}
					case key == "GET /api/v1/workspace":
						if r.status != http.StatusOK || r.json(t)["subdomain"] != "bravo" {
							t.Errorf("%s: got %d %s, want bravo's public workspace", cred.name, r.status, r.body)
						}
					case key == "POST /api/v1/auth/login", key == "POST /api/v1/auth/handoff":
						want(t, r, http.StatusUnauthorized, "unauthenticated")
					case key == "POST /api/v1/auth/signup": // bravo does not take customer sign-ups
						want(t, r, http.StatusForbidden, "forbidden")
					default: // logo (bravo has none), invitation preview and accept
						want(t, r, http.StatusNotFound, "not_found")
					}
				}
				// Bravo's own owner, on bravo's host, naming alpha's things.
				if strings.Contains(rt.path, "{") {
					r := e.do(rt.method, "bravo", path, bodies[key], bearer(bravo.token))
					noLeak(t, r)
					want(t, r, http.StatusNotFound, "not_found")
				}
			})
		}
		if tried < 20 {
			t.Fatalf("only %d workspace routes tried", tried)
		}
		// Transfer of bravo to alpha's user, by id in the body.
		r := e.do("POST", "bravo", "/api/v1/workspace/transfer", map[string]string{"user_id": alphaAgent.userID}, bearer(bravo.token))
		want(t, r, http.StatusNotFound, "not_found")

		if diff := cmp.Diff(before, snapshot(t, e, alpha)); diff != "" {
			t.Fatalf("alpha changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(beforeTicket, ticketState()); diff != "" {
			t.Fatalf("alpha's ticket changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(beforeChat, chatSnapshot(t, e, alpha, alphaChan, alphaMsg)); diff != "" {
			t.Fatalf("alpha's channel changed (-before +after):\n%s", diff)
		}
		// Bravo's own lists never show alpha's channel.
		for _, path := range []string{"/api/v1/channels", "/api/v1/channels?browse=true", "/api/v1/audit",
			"/api/v1/audit?actor_id=" + alpha.userID, "/api/v1/admin/stats",
			"/api/v1/tickets", "/api/v1/tickets?q=alpha"} {
			noLeak(t, e.do("GET", "bravo", path, nil, bearer(bravo.token)))
		}
		// Alpha's credentials still work at home.
		want(t, e.do("GET", "alpha", "/api/v1/auth/me", nil, bearer(alpha.token)), http.StatusOK, "")
	})
}

// TestHostRouting checks apex-only and workspace-only routes stay on their hosts.
func TestHostRouting(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	alpha := e.signup("alpha")
	tests := []struct {
		name, method, sub, path string
		status                  int
	}{
		{"signup on a workspace host", "POST", "alpha", "/api/v1/signup", http.StatusNotFound},
		{"workspace API on the apex", "GET", "", "/api/v1/workspace", http.StatusNotFound},
		{"login on the apex", "POST", "", "/api/v1/auth/login", http.StatusNotFound},
		{"unknown subdomain", "GET", "nosuch", "/api/v1/workspace", http.StatusNotFound},
		{"nested subdomain", "GET", "x.alpha", "/api/v1/workspace", http.StatusNotFound},
		{"unknown path", "GET", "alpha", "/api/v1/nothing", http.StatusNotFound},
		{"healthz on a workspace", "GET", "alpha", "/healthz", http.StatusOK},
		{"healthz on the apex", "GET", "", "/healthz", http.StatusOK},
		{"readyz", "GET", "", "/readyz", http.StatusOK},
		{"landing page", "GET", "", "/", http.StatusOK},
		{"workspace page", "GET", "alpha", "/", http.StatusOK},
		{"unknown workspace page", "GET", "nosuch", "/", http.StatusNotFound},
		{"wrong method", "DELETE", "alpha", "/api/v1/auth/me", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.sub, tt.path, nil, bearer(alpha.token))
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			// The app's pages are HTML even when 404 (TestWebAppServing);
			// everything else answers JSON.
			if r.status == http.StatusNotFound && tt.path != "/" && r.errCode() != "not_found" {
				t.Fatalf("404 without the JSON error shape: %s", r.body)
			}
		})
	}
	// A foreign Authorization scheme (a proxy's Basic auth) never blocks a
	// public route.
	for _, path := range []string{"/healthz", "/", "/api/v1/workspace"} {
		want(t, e.do("GET", "alpha", path, nil, header("Authorization", "Basic dXNlcjpwYXNz")), http.StatusOK, "")
	}
	want(t, e.do("POST", "alpha", "/api/v1/auth/login", map[string]string{"email": alpha.email, "password": alpha.password},
		header("Authorization", "Basic dXNlcjpwYXNz")), http.StatusOK, "")
	// Nor does it hide a session cookie.
	want(t, e.do("GET", "alpha", "/api/v1/auth/me", nil, header("Authorization", "Basic dXNlcjpwYXNz"), cookie(alpha.token)), http.StatusOK, "")

	// The host's port is ignored, and so are case and a trailing dot.
	for _, h := range []string{"ALPHA.relay.test:9999", "alpha.relay.test.", "Alpha.Relay.Test:80"} {
		r := e.do("GET", "", "/api/v1/workspace", nil, func(r *http.Request) { r.Host = h })
		want(t, r, http.StatusOK, "")
		if r.json(t)["subdomain"] != "alpha" {
			t.Fatalf("Host %q resolved to %s", h, r.body)
		}
	}
}

type alphaState struct {
	Workspace map[string]any
	Members   []any
	Invites   []any
	Tokens    []any
	Audit     []any
}

func snapshot(t *testing.T, e *env, a account) alphaState {
	t.Helper()
	get := func(path string) res {
		r := e.do("GET", a.sub, path, nil, bearer(a.token))
		want(t, r, http.StatusOK, "")
		return r
	}
	return alphaState{
		Workspace: get("/api/v1/workspace").json(t),
		Members:   get("/api/v1/members").json(t)["members"].([]any),
		Invites:   get("/api/v1/invites").json(t)["invites"].([]any),
		Tokens:    get("/api/v1/tokens").json(t)["tokens"].([]any),
		Audit:     get("/api/v1/audit").json(t)["events"].([]any),
	}
}

type chatState struct {
	Channel  map[string]any
	Members  []any
	Messages []any
	Replies  []any
}

func chatSnapshot(t *testing.T, e *env, a account, channel, message string) chatState {
	t.Helper()
	get := func(path string) map[string]any {
		r := e.do("GET", a.sub, path, nil, bearer(a.token))
		want(t, r, http.StatusOK, "")
		return r.json(t)
	}
	return chatState{
		Channel:  get("/api/v1/channels/" + channel),
		Members:  get("/api/v1/channels/" + channel + "/members")["members"].([]any),
		Messages: get("/api/v1/channels/" + channel + "/messages")["messages"].([]any),
		Replies:  get("/api/v1/messages/" + message + "/replies")["messages"].([]any),
	}
}

func mustID(t testing.TB, s string) relay.ID {
	t.Helper()
	id, err := relay.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
