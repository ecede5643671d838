package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/discord/discordfake"
)

func TestInviteURL(t *testing.T) {
	f := discordfake.New(t)
	b := newBot(t, f, newFakeRelay())
	u, err := url.Parse(b.InviteURL("signed.state"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "https://discord.com/oauth2/authorize" {
		t.Errorf("authorize page %s", u)
	}
	q := u.Query()
	// VIEW_CHANNEL|SEND_MESSAGES|EMBED_LINKS|ATTACH_FILES|READ_MESSAGE_HISTORY|MANAGE_WEBHOOKS
	const perms = 1<<10 | 1<<11 | 1<<14 | 1<<15 | 1<<16 | 1<<29
	for k, want := range map[string]string{"client_id": discordfake.ApplicationID, "scope": "bot", "permissions": "536988672",
		"redirect_uri": "http://relay.test/hooks/discord/oauth", "response_type": "code", "state": "signed.state"} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if Permissions != perms {
		t.Errorf("Permissions %d, want %d", Permissions, perms)
	}
}

func TestTextChannels(t *testing.T) {
	f := discordfake.New(t)
	b := newBot(t, f, newFakeRelay())
	g := f.AddGuild("Acme")
	team := f.AddChannel(g, discordgo.ChannelTypeGuildCategory, "Team", 0, "")
	support := f.AddChannel(g, discordgo.ChannelTypeGuildCategory, "Support", 1, "")
	help := f.AddChannel(g, discordgo.ChannelTypeGuildText, "help", 0, support)
	billing := f.AddChannel(g, discordgo.ChannelTypeGuildText, "billing", 1, support)
	f.AddChannel(g, discordgo.ChannelTypeGuildVoice, "voice", 2, support)
	random := f.AddChannel(g, discordgo.ChannelTypeGuildText, "random", 0, team)
	news := f.AddChannel(g, discordgo.ChannelTypeGuildNews, "announcements", 1, "")
	general := f.AddChannel(g, discordgo.ChannelTypeGuildText, "general", 0, "")
	ctx := context.Background()

	if _, err := b.TextChannels(ctx, g); err == nil || !strings.Contains(err.Error(), "not in that Discord server") {
		t.Errorf("before the bot joins: %v", err)
	}
	f.Authorize(g, b.RedirectURI())
	got, err := b.TextChannels(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	want := []relay.DiscordChannel{
		{ID: general, Name: "general", Position: 0},
		{ID: news, Name: "announcements", Position: 1},
		{ID: random, Name: "random", Category: "Team", Position: 0},
		{ID: help, Name: "help", Category: "Support", Position: 0},
		{ID: billing, Name: "billing", Category: "Support", Position: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("channels\n got %+v\nwant %+v", got, want)
	}
	if _, err := b.TextChannels(ctx, "123456789"); err == nil {
		t.Error("an unknown guild listed channels")
	}
	if _, err := b.TextChannels(ctx, "../users/@me"); relay.ErrorCode(err) != relay.EINVALID {
		t.Errorf("a bad guild id: %v, want EINVALID", err)
	}
	if n := len(f.Requests("GET", "/users")); n != 0 {
		t.Errorf("a bad guild id reached Discord")
	}
}

func TestOAuthCallback(t *testing.T) {
	type setup struct {
		f     *discordfake.Server
		r     *fakeRelay
		b     *Bot
		guild string
		c     *relay.Connector
	}
	for _, tc := range []struct {
		name   string
		query  func(s *setup) url.Values
		before func(s *setup)
		status int
		// recorded is whether the guild reached SetDiscordGuild.
		recorded bool
		text     string
	}{
		{name: "success", query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"good"}, "guild_id": {s.guild}, "permissions": {"536988672"}}
		}, status: http.StatusSeeOther, recorded: true},
		{name: "success without guild_id in the link", query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"good"}}
		}, status: http.StatusSeeOther, recorded: true},
		{name: "bad state", query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"forged"}, "guild_id": {s.guild}}
		}, status: http.StatusBadRequest, text: "invalid or has expired"},
		{name: "missing state", query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "guild_id": {s.guild}}
		}, status: http.StatusBadRequest, text: "incomplete"},
		{name: "missing code", query: func(s *setup) url.Values {
			return url.Values{"state": {"good"}, "guild_id": {s.guild}}
		}, status: http.StatusBadRequest, text: "incomplete"},
		{name: "unknown code", query: func(s *setup) url.Values {
			return url.Values{"code": {"made-up"}, "state": {"good"}, "guild_id": {s.guild}}
		}, status: http.StatusBadRequest, text: "refused the authorisation code"},
		{name: "code for another redirect", query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, "https://evil.example/cb")}, "state": {"good"}, "guild_id": {s.guild}}
		}, status: http.StatusBadRequest, text: "refused the authorisation code"},
		{name: "guild swapped in the link", query: func(s *setup) url.Values {
			other := s.f.AddGuild("Other")
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"good"}, "guild_id": {other}}
		}, status: http.StatusBadRequest, text: "does not match"},
		{name: "bad guild id", query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"good"}, "guild_id": {"<script>"}}
		}, status: http.StatusBadRequest, text: "no valid server"},
		{name: "admin cancelled", query: func(s *setup) url.Values {
			return url.Values{"error": {"access_denied"}, "error_description": {"The resource owner or authorization server denied the request"}, "state": {"good"}}
		}, status: http.StatusBadRequest, text: "did not add the bot"},
		{name: "server taken by another workspace", before: func(s *setup) { s.r.conflict = true }, query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"good"}, "guild_id": {s.guild}}
		}, status: http.StatusConflict, text: "already connected"},
		{name: "Discord down", before: func(s *setup) { s.f.FailNext("POST", "/oauth2/token", 503, `{}`, nil) }, query: func(s *setup) url.Values {
			return url.Values{"code": {s.f.Authorize(s.guild, s.b.RedirectURI())}, "state": {"good"}, "guild_id": {s.guild}}
		}, status: http.StatusBadGateway, text: "could not confirm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &setup{f: discordfake.New(t), r: newFakeRelay()}
			s.b = newBot(t, s.f, s.r)
			s.guild = s.f.AddGuild("Acme")
			s.c = &relay.Connector{ID: ids.New(), WorkspaceID: ids.New(), Type: relay.ConnectorDiscord}
			s.r.states["good"] = s.c
			if tc.before != nil {
				tc.before(s)
			}
			req := httptest.NewRequest("GET", "http://relay.test/hooks/discord/oauth?"+tc.query(s).Encode(), nil)
			rec := httptest.NewRecorder()
			s.b.ServeOAuthCallback(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.recorded != (len(s.r.guildSets) == 1 && s.r.guildSets[0] == s.guild) {
				t.Errorf("guild recorded %v, want %v", s.r.guildSets, tc.recorded)
			}
			if tc.status == http.StatusSeeOther {
				if loc, want := rec.Header().Get("Location"), "http://acme.relay.test/settings/connectors/"+s.c.ID.String(); loc != want {
					t.Errorf("redirect to %q, want %q", loc, want)
				}
				tok := s.f.Requests("POST", "/oauth2/token")
				if len(tok) != 1 {
					t.Fatalf("%d token exchanges, want 1", len(tok))
				}
				id, secret, ok := (&http.Request{Header: tok[0].Header}).BasicAuth()
				if !ok || id != discordfake.ApplicationID || secret != discordfake.ClientSecret {
					t.Errorf("token exchange authenticated as %q/%q", id, secret)
				}
				form, _ := url.ParseQuery(string(tok[0].Body))
				form.Set("code", "<code>")
				raw, _ := json.Marshal(form)
				golden(t, "oauth_token_form", raw)
				return
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("content type %q", ct)
			}
			if !strings.Contains(rec.Body.String(), tc.text) {
				t.Errorf("page %q does not say %q", rec.Body, tc.text)
			}
			if rec.Header().Get("Referrer-Policy") != "no-referrer" {
				t.Error("the page may leak the code in Referer")
			}
		})
	}
}
