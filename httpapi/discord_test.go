package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/discord"
	"github.com/relayhq/relay/connectors/discord/discordfake"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
)

// TestDiscordOAuthRoute: the callback is served on any host, without a
// session, GET only; without a bot configured it is 404.
func TestDiscordOAuthRoute(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	acme := e.signup("acme")
	want(t, e.do("GET", "", "/hooks/discord/oauth?code=x&state=y", nil), http.StatusNotFound, "not_found")
	want(t, e.do("GET", acme.sub, "/hooks/discord/oauth?code=x&state=y", nil), http.StatusNotFound, "not_found")
	r := e.do("POST", "", "/hooks/discord/oauth", nil)
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", r.status)
	}
}

// TestDiscordBothWays connects a workspace's Discord server through the
// real app and store with the bot on a fake Discord: invite and callback
// (and another workspace trying to take the same server), channel
// selection, a Discord message landing in the bridged channel, a reply
// going out through the channel's webhook under the author's name, edits
// and deletes both ways, and the webhook's echo ignored. Not parallel:
// the bot points discordgo's process-wide endpoints at its fake.
func TestDiscordBothWays(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	fake := discordfake.New(t)
	bot, err := discord.New(discord.Config{BotToken: discordfake.BotToken, ApplicationID: discordfake.ApplicationID,
		ClientSecret: discordfake.ClientSecret, BaseURL: testConnectors.BaseURL, APIURL: fake.APIURL(),
		MinBackoff: 10 * time.Millisecond, Logger: e.srv.log}, e.srv.app.Connectors)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bot.Close() })
	e.srv.discord = bot
	e.srv.app.Connectors.SetDiscordDirectory(bot)
	e.srv.app.Connectors.RegisterDeliverer("discord", bot)
	ctx := context.Background()

	guild := fake.AddGuild("Acme HQ")
	support := fake.AddChannel(guild, discordgo.ChannelTypeGuildText, "support", 0, "")
	fake.AddChannel(guild, discordgo.ChannelTypeGuildText, "random", 1, "")
	acme, globex := e.signup("acme"), e.signup("globex")
	admin, other := bearer(acme.token), bearer(globex.token)

	// Invite and callback.
	r := e.do("POST", acme.sub, "/api/v1/connectors", map[string]any{"type": "discord"}, admin)
	want(t, r, http.StatusCreated, "")
	id, invite := r.json(t)["id"].(string), r.json(t)["invite_url"].(string)
	iu, err := url.Parse(invite)
	if err != nil || iu.Query().Get("state") == "" {
		t.Fatalf("invite_url %q", invite)
	}
	redirect := iu.Query().Get("redirect_uri")
	if redirect != testConnectors.BaseURL+"/hooks/discord/oauth" {
		t.Fatalf("redirect_uri %q", redirect)
	}
	callback := func(state, code string) *httptest.ResponseRecorder {
		q := url.Values{"code": {code}, "state": {state}, "guild_id": {guild}, "permissions": {"536988672"}}
		rec := httptest.NewRecorder()
		// Through the whole server: routing, host handling, logging.
		e.srv.ServeHTTP(rec, httptest.NewRequest("GET", redirect+"?"+q.Encode(), nil))
		return rec
	}
	rec := callback(iu.Query().Get("state")+"x", fake.Authorize(guild, redirect))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("tampered state: %d, want 400", rec.Code)
	}
	rec = callback(iu.Query().Get("state"), fake.Authorize(guild, redirect))
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "http://acme."+base+":8080/settings/connectors/"+id {
		t.Fatalf("callback: %d to %q", rec.Code, loc)
	}
	// Another workspace's invite cannot take the same server.
	r = e.do("POST", globex.sub, "/api/v1/connectors", map[string]any{"type": "discord"}, other)
	want(t, r, http.StatusCreated, "")
	gu, _ := url.Parse(r.json(t)["invite_url"].(string))
	if rec := callback(gu.Query().Get("state"), fake.Authorize(guild, redirect)); rec.Code != http.StatusConflict {
		t.Errorf("a second workspace taking the server: %d, want 409", rec.Code)
	}
	want(t, e.do("GET", globex.sub, "/api/v1/connectors/"+id+"/discord/channels", nil, other), http.StatusNotFound, "not_found")

	// Channel selection through the bot's directory.
	r = e.do("GET", acme.sub, "/api/v1/connectors/"+id+"/discord/channels", nil, admin)
	want(t, r, http.StatusOK, "")
	if chs := r.json(t)["channels"].([]any); len(chs) != 2 || chs[0].(map[string]any)["id"] != support {
		t.Fatalf("channels %v", chs)
	}
	r = e.do("PUT", acme.sub, "/api/v1/connectors/"+id+"/discord/bridges",
		map[string]any{"bridges": []any{map[string]any{"discord_channel_id": support}}}, admin)
	want(t, r, http.StatusOK, "")
	chID := r.json(t)["bridges"].([]any)[0].(map[string]any)["channel_id"].(string)

	// Discord → Relay.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bot.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
		if _, live := fake.Connections(); live != 1 {
			return fmt.Errorf("the bot is not connected to the gateway")
		}
		return nil
	})
	alice := discordgo.User{ID: "900000000000000001", Username: "alice", GlobalName: "Alice"}
	hello := fake.Say(support, alice, "Hello from Discord")
	messages := func() []map[string]any {
		r := e.do("GET", acme.sub, "/api/v1/channels/"+chID+"/messages", nil, admin)
		want(t, r, http.StatusOK, "")
		var out []map[string]any
		for _, m := range r.json(t)["messages"].([]any) {
			out = append(out, m.(map[string]any))
		}
		return out
	}
	waitFor := func(what string, ok func([]map[string]any) bool) []map[string]any {
		t.Helper()
		var ms []map[string]any
		testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			if ms = messages(); !ok(ms) {
				return fmt.Errorf("%s: channel has %v", what, ms)
			}
			return nil
		})
		return ms
	}
	ms := waitFor("the Discord message", func(ms []map[string]any) bool { return len(ms) == 1 })
	if ms[0]["body"] != "Hello from Discord" || ms[0]["source"] != "discord" || ms[0]["author"].(map[string]any)["display_name"] != "Alice" {
		t.Errorf("message %v", ms[0])
	}

	// Relay → Discord, through the channel's webhook.
	r = e.do("POST", acme.sub, "/api/v1/channels/"+chID+"/messages", map[string]any{"body": "Hi from Relay"}, admin)
	want(t, r, http.StatusCreated, "")
	replyID := r.json(t)["id"].(string)
	if _, err := e.srv.app.Connectors.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	dm := fake.Messages(support)
	if len(dm) != 2 || dm[1].WebhookID == "" || dm[1].Content != "Hi from Relay" || dm[1].Author.Username != "Owner of acme" {
		t.Fatalf("Discord has %+v", dm)
	}
	// The webhook's message came back through the gateway and was ignored:
	// after the next person's message the channel holds three.
	fake.Say(support, alice, "thanks")
	ms = waitFor("the second Discord message", func(ms []map[string]any) bool { return len(ms) >= 3 })
	if len(ms) != 3 {
		t.Errorf("channel has %d messages, want 3 (no echo)", len(ms))
	}

	// Edits and deletes both ways.
	fake.Edit(hello.ID, "Hello from Discord (edited)")
	waitFor("the Discord edit", func(ms []map[string]any) bool {
		for _, m := range ms {
			if m["body"] == "Hello from Discord (edited)" {
				return true
			}
		}
		return false
	})
	want(t, e.do("PATCH", acme.sub, "/api/v1/messages/"+replyID, map[string]any{"body": "Hi from Relay (edited)"}, admin), http.StatusOK, "")
	if _, err := e.srv.app.Connectors.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if c := fake.Messages(support)[1].Content; c != "Hi from Relay (edited)" {
		t.Errorf("Discord's copy after the edit: %q", c)
	}
	want(t, e.do("DELETE", acme.sub, "/api/v1/messages/"+replyID, nil, admin), http.StatusNoContent, "")
	if _, err := e.srv.app.Connectors.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if !fake.Messages(support)[1].Deleted {
		t.Error("Discord's copy was not deleted")
	}
}
