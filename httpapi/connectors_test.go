package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// fakeGuilds stands in for the Discord bot's view of a guild.
type fakeGuilds struct{}

func (fakeGuilds) TextChannels(_ context.Context, guildID string) ([]relay.DiscordChannel, error) {
	if guildID != "111111111111111111" {
		return nil, relay.Errorf(relay.ENOTFOUND, "unknown guild")
	}
	return []relay.DiscordChannel{{ID: "222222222222222222", Name: "support", Category: "Text"},
		{ID: "333333333333333333", Name: "general", Category: "Text", Position: 1}}, nil
}

func (fakeGuilds) InviteURL(state string) string {
	return "https://discord.example/oauth2/authorize?state=" + url.QueryEscape(state)
}

const (
	lineSecret = "0123456789abcdef0123456789abcdef"
	lineToken  = "line-access-token-0123456789-abcdefghijklmnop"
)

func TestConnectorsAPI(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{})
		e.srv.app.Connectors.SetDiscordDirectory(fakeGuilds{})
		owner := e.signup("acme")
		admin := e.join(owner, "ada", "admin")
		agent := e.join(owner, "aggie", "agent")
		member := e.join(owner, "mo", "member")
		customer := e.join(owner, "cus", "customer")
		other := e.signup("globex")
		do := func(method, path string, body any, who account) res {
			return e.do(method, who.sub, path, body, bearer(who.token))
		}

		own := map[string]any{"type": "line", "model": "own", "name": "Shop LINE", "channel_id": "1234567890",
			"channel_secret": lineSecret, "access_token": lineToken}
		// Only owners and admins add connectors.
		for _, who := range []account{agent, member, customer} {
			want(t, do("POST", "/api/v1/connectors", own, who), http.StatusForbidden, "forbidden")
		}
		// Bad input changes nothing.
		for _, bad := range []map[string]any{
			{"type": "line", "channel_id": "abc", "channel_secret": lineSecret, "access_token": lineToken},
			{"type": "line", "channel_id": "1234567890", "channel_secret": "short", "access_token": lineToken},
			{"type": "line", "channel_id": "1234567890", "channel_secret": lineSecret, "access_token": ""},
			{"type": "line", "model": "shared", "channel_secret": lineSecret},
			{"type": "telegram"},
			{"type": "webhook"},
			{"type": "discord", "model": "own"},
		} {
			want(t, do("POST", "/api/v1/connectors", bad, admin), http.StatusBadRequest, "invalid")
		}
		want(t, do("POST", "/api/v1/connectors", map[string]any{"type": "line", "extra": 1}, admin), http.StatusBadRequest, "invalid")
		if r := do("GET", "/api/v1/connectors", nil, admin); len(r.json(t)["connectors"].([]any)) != 0 {
			t.Fatalf("bad input stored a connector: %s", r.body)
		}

		r := do("POST", "/api/v1/connectors", own, admin)
		want(t, r, http.StatusCreated, "")
		c := r.json(t)
		id := c["id"].(string)
		if c["webhook_url"] != testConnectors.BaseURL+"/hooks/line/"+id || c["status"] != "active" || c["external_id"] != "1234567890" {
			t.Fatalf("created: %s", r.body)
		}
		if bytes.Contains(r.body, []byte(lineSecret)) || bytes.Contains(r.body, []byte(lineToken)) {
			t.Fatalf("credentials returned: %s", r.body)
		}
		// The same LINE channel cannot feed a second workspace.
		want(t, do("POST", "/api/v1/connectors", own, other), http.StatusConflict, "conflict")

		// Admins see it whole; other staff a summary; customers nothing.
		r = do("GET", "/api/v1/connectors/"+id, nil, owner)
		want(t, r, http.StatusOK, "")
		if bytes.Contains(r.body, []byte(lineSecret)) || bytes.Contains(r.body, []byte(lineToken)) {
			t.Fatalf("credentials returned: %s", r.body)
		}
		r = do("GET", "/api/v1/connectors", nil, member)
		want(t, r, http.StatusOK, "")
		list := r.json(t)["connectors"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["name"] != "Shop LINE" || strings.Contains(r.String(), "webhook_url") {
			t.Fatalf("member's summary: %s", r.body)
		}
		want(t, do("GET", "/api/v1/connectors", nil, customer), http.StatusForbidden, "forbidden")
		want(t, do("GET", "/api/v1/connectors/"+id, nil, agent), http.StatusForbidden, "forbidden")

		// Another workspace cannot reach it by id.
		for _, p := range []struct {
			method, path string
			body         any
		}{{"GET", "", nil}, {"PATCH", "", map[string]any{"status": "disabled"}}, {"DELETE", "", nil}, {"GET", "/qr.png", nil},
			{"GET", "/discord/channels", nil}, {"PUT", "/discord/bridges", map[string]any{"bridges": []any{}}}} {
			want(t, do(p.method, "/api/v1/connectors/"+id+p.path, p.body, other), http.StatusNotFound, "not_found")
		}

		// Disable, rename, replace credentials; status checked.
		want(t, do("PATCH", "/api/v1/connectors/"+id, map[string]any{"status": "broken"}, admin), http.StatusBadRequest, "invalid")
		want(t, do("PATCH", "/api/v1/connectors/"+id, map[string]any{"channel_secret": "nope"}, admin), http.StatusBadRequest, "invalid")
		r = do("PATCH", "/api/v1/connectors/"+id, map[string]any{"status": "disabled", "name": "Shop", "access_token": lineToken + "x"}, admin)
		want(t, r, http.StatusOK, "")
		if m := r.json(t); m["status"] != "disabled" || m["name"] != "Shop" {
			t.Fatalf("patched: %s", r.body)
		}
		cid, _ := relay.ParseID(id)
		conn, creds, err := e.srv.app.Connectors.ConnectorForHook(context.Background(), cid)
		if err != nil || conn.Status != "disabled" || creds["access_token"] != lineToken+"x" || creds["channel_secret"] != lineSecret {
			t.Fatalf("stored: %+v %v %v", conn, creds, err)
		}

		// Shared LINE: a join code, link and QR code; one per workspace.
		r = do("POST", "/api/v1/connectors", map[string]any{"type": "line", "model": "shared"}, owner)
		want(t, r, http.StatusCreated, "")
		sh := r.json(t)
		code, _ := sh["join_code"].(string)
		if len(code) != 8 || !strings.HasPrefix(sh["join_url"].(string), "https://line.me/R/oaMessage/%40relaytest/?") ||
			!strings.HasSuffix(sh["join_url"].(string), "?join%20"+code) {
			t.Fatalf("shared: %s", r.body)
		}
		want(t, do("POST", "/api/v1/connectors", map[string]any{"type": "line", "model": "shared"}, owner), http.StatusConflict, "conflict")
		r = do("GET", sh["qr_png_url"].(string), nil, owner)
		want(t, r, http.StatusOK, "")
		if !bytes.HasPrefix(r.body, []byte("\x89PNG")) {
			t.Fatalf("qr: %q", r.body[:min(len(r.body), 16)])
		}
		want(t, do("GET", "/api/v1/connectors/"+id+"/qr.png", nil, owner), http.StatusNotFound, "not_found")
		// A LINE user who sends the code is linked to this workspace.
		joined, err := e.srv.app.Connectors.JoinShared(context.Background(), "line", strings.ToLower(code), relay.ExternalContact{ExternalID: "U1", Name: "Taro"})
		if err != nil || joined.ID.String() != sh["id"] {
			t.Fatalf("join: %v %v", joined, err)
		}
		if route, err := e.srv.app.Connectors.SharedRoute(context.Background(), "line", "U1"); err != nil || route.ID.String() != sh["id"] {
			t.Fatalf("route: %v %v", route, err)
		}
		if _, err := e.srv.app.Connectors.JoinShared(context.Background(), "line", "ZZZZZZZZ", relay.ExternalContact{ExternalID: "U2"}); relay.ErrorCode(err) != relay.ENOTFOUND {
			t.Fatalf("unknown code: %v", err)
		}

		// Discord: invite link with signed state → guild → channels → bridges.
		r = do("POST", "/api/v1/connectors", map[string]any{"type": "discord"}, admin)
		want(t, r, http.StatusCreated, "")
		dc := r.json(t)
		did := dc["id"].(string)
		inv, _ := url.Parse(dc["invite_url"].(string))
		state := inv.Query().Get("state")
		if state == "" {
			t.Fatalf("invite: %s", r.body)
		}
		want(t, do("GET", "/api/v1/connectors/"+did+"/discord/channels", nil, admin), http.StatusConflict, "conflict")
		if _, err := e.srv.app.Connectors.SetDiscordGuild(context.Background(), state+"x", "111111111111111111"); relay.ErrorCode(err) != relay.EINVALID {
			t.Fatalf("forged state: %v", err)
		}
		if _, err := e.srv.app.Connectors.SetDiscordGuild(context.Background(), state, "111111111111111111"); err != nil {
			t.Fatal(err)
		}
		r = do("GET", "/api/v1/connectors/"+did+"/discord/channels", nil, admin)
		want(t, r, http.StatusOK, "")
		if chs := r.json(t)["channels"].([]any); len(chs) != 2 || chs[0].(map[string]any)["bridged"] != false {
			t.Fatalf("channels: %s", r.body)
		}
		want(t, do("PUT", "/api/v1/connectors/"+did+"/discord/bridges", map[string]any{"bridges": []any{map[string]any{"discord_channel_id": "999"}}}, admin),
			http.StatusBadRequest, "invalid")
		r = do("PUT", "/api/v1/connectors/"+did+"/discord/bridges", map[string]any{"bridges": []any{map[string]any{"discord_channel_id": "222222222222222222"}}}, admin)
		want(t, r, http.StatusOK, "")
		br := r.json(t)["bridges"].([]any)
		if len(br) != 1 || br[0].(map[string]any)["key"] != "channel:222222222222222222" {
			t.Fatalf("bridges: %s", r.body)
		}
		chID := br[0].(map[string]any)["channel_id"].(string)
		// The new external channel: named after the Discord channel, joined by desk staff.
		r = do("GET", "/api/v1/channels/"+chID, nil, agent)
		want(t, r, http.StatusOK, "")
		if m := r.json(t); m["kind"] != "external" || m["name"] != "discord-support" || m["is_member"] != true {
			t.Fatalf("external channel: %s", r.body)
		}
		want(t, do("GET", "/api/v1/channels/"+chID, nil, customer), http.StatusNotFound, "not_found")
		want(t, do("GET", "/api/v1/channels/"+chID, nil, other), http.StatusNotFound, "not_found")
		// Setting the same bridges again changes nothing; an empty list unbridges.
		r = do("PUT", "/api/v1/connectors/"+did+"/discord/bridges", map[string]any{"bridges": []any{map[string]any{"discord_channel_id": "222222222222222222"}}}, admin)
		if br2 := r.json(t)["bridges"].([]any); len(br2) != 1 || br2[0].(map[string]any)["channel_id"] != chID {
			t.Fatalf("bridges again: %s", r.body)
		}
		// Moving the bridge to an existing channel (#general).
		var general string
		for _, ch := range do("GET", "/api/v1/channels", nil, admin).json(t)["channels"].([]any) {
			if ch.(map[string]any)["name"] == "general" {
				general = ch.(map[string]any)["id"].(string)
			}
		}
		r = do("PUT", "/api/v1/connectors/"+did+"/discord/bridges", map[string]any{"bridges": []any{
			map[string]any{"discord_channel_id": "222222222222222222", "channel_id": general}}}, admin)
		want(t, r, http.StatusOK, "")
		if br3 := r.json(t)["bridges"].([]any); len(br3) != 1 || br3[0].(map[string]any)["channel_id"] != general {
			t.Fatalf("moved bridge: %s", r.body)
		}
		want(t, do("PUT", "/api/v1/connectors/"+did+"/discord/bridges", map[string]any{}, admin), http.StatusBadRequest, "invalid")
		r = do("PUT", "/api/v1/connectors/"+did+"/discord/bridges", map[string]any{"bridges": []any{}}, admin)
		if len(r.json(t)["bridges"].([]any)) != 0 {
			t.Fatalf("unbridged: %s", r.body)
		}
		want(t, do("GET", "/api/v1/channels/"+chID, nil, agent), http.StatusOK, "")

		// The outbox is for owners and admins; bad states refused.
		want(t, do("GET", "/api/v1/outbox?state=dead", nil, admin), http.StatusOK, "")
		want(t, do("GET", "/api/v1/outbox?state=lost", nil, admin), http.StatusBadRequest, "invalid")
		want(t, do("GET", "/api/v1/outbox", nil, agent), http.StatusForbidden, "forbidden")
		want(t, do("POST", "/api/v1/outbox/12345/retry", nil, admin), http.StatusNotFound, "not_found")
		want(t, do("POST", "/api/v1/outbox/abc/retry", nil, admin), http.StatusNotFound, "not_found")

		// Removing a connector is audited; its channel stays.
		want(t, do("DELETE", "/api/v1/connectors/"+did, nil, admin), http.StatusNoContent, "")
		want(t, do("GET", "/api/v1/connectors/"+did, nil, admin), http.StatusNotFound, "not_found")
		want(t, do("GET", "/api/v1/channels/"+chID, nil, agent), http.StatusOK, "")
		r = do("GET", "/api/v1/audit?target_kind=connector", nil, owner)
		for _, action := range []string{"connector.created", "connector.updated", "connector.bridges", "connector.deleted"} {
			if !strings.Contains(r.String(), action) {
				t.Fatalf("audit lacks %s: %s", action, r.body)
			}
		}
	})
}
