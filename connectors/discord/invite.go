package discord

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay"
)

// Permissions is the least the bot needs in a bridged channel: see it,
// read its history, post, embed links and attach files (as the bot), and
// manage webhooks (to post under each Relay author's name).
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionManageWebhooks |
	discordgo.PermissionAttachFiles | discordgo.PermissionEmbedLinks

// OAuthPath is where Discord sends the admin back after adding the bot.
const OAuthPath = "/hooks/discord/oauth"

// RedirectURI is the OAuth2 redirect registered for the application in
// Discord's developer portal.
func (b *Bot) RedirectURI() string { return b.cfg.BaseURL + OAuthPath }

// InviteURL is the link that adds the bot to a server the admin manages
// (scope bot, Permissions) and brings them back to RedirectURI with an
// authorisation code and state, the signed proof of which workspace asked.
func (b *Bot) InviteURL(state string) string {
	q := url.Values{}
	q.Set("client_id", b.cfg.ApplicationID)
	q.Set("scope", "bot")
	q.Set("permissions", strconv.FormatInt(Permissions, 10))
	q.Set("redirect_uri", b.RedirectURI())
	q.Set("response_type", "code")
	q.Set("state", state)
	sep := "?"
	if strings.Contains(b.cfg.AuthorizeURL, "?") {
		sep = "&"
	}
	return b.cfg.AuthorizeURL + sep + q.Encode()
}

// ServeOAuthCallback completes an invite (GET /hooks/discord/oauth?code&
// state&guild_id): the code is exchanged at Discord, which confirms the
// server the bot joined; the state names the workspace and connector that
// record it (app.SetDiscordGuild). Success redirects (303) to the
// connector's settings page; a refused or expired link gets a page saying
// what to do, with status 400 (409 when the server belongs to another
// workspace, 502 when Discord cannot be reached).
func (b *Bot) ServeOAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		msg := "Discord did not add the bot"
		if d := q.Get("error_description"); d != "" && len(d) < 300 {
			msg += ": " + d
		}
		b.page(w, http.StatusBadRequest, msg+". Start again from Relay's connector settings.")
		return
	}
	state, code, guildID := q.Get("state"), q.Get("code"), q.Get("guild_id")
	if state == "" || code == "" || len(state) > 2000 || len(code) > 200 {
		b.page(w, http.StatusBadRequest, "This link is incomplete: Discord's answer must carry a code and a state. Start again from Relay's connector settings.")
		return
	}
	if guildID != "" && !snowflake(guildID) {
		b.page(w, http.StatusBadRequest, "Discord named no valid server. Start again from Relay's connector settings.")
		return
	}
	confirmed, status, msg := b.exchange(r.Context(), code)
	if status != 0 {
		b.page(w, status, msg)
		return
	}
	if confirmed != "" {
		if guildID != "" && guildID != confirmed {
			b.page(w, http.StatusBadRequest, "Discord's answer does not match the server in the link. Start again from Relay's connector settings.")
			return
		}
		guildID = confirmed
	}
	if guildID == "" {
		b.page(w, http.StatusBadRequest, "Discord named no server. Start again from Relay's connector settings.")
		return
	}
	c, err := b.relay.SetDiscordGuild(r.Context(), state, guildID)
	if err != nil {
		switch relay.ErrorCode(err) {
		case relay.EINVALID, relay.ENOTFOUND:
			b.page(w, http.StatusBadRequest, relay.ErrorMessage(err))
		case relay.ECONFLICT:
			b.page(w, http.StatusConflict, relay.ErrorMessage(err))
		default:
			b.log.ErrorContext(r.Context(), "discord: recording the guild", "err", err)
			b.page(w, http.StatusInternalServerError, "Relay could not record the server. Try again in a moment.")
		}
		return
	}
	b.log.InfoContext(r.Context(), "discord: bot added to a server", "connector", c.ID, "guild", guildID)
	site := b.relay.SiteURL(r.Context(), c.WorkspaceID)
	if site == "" {
		b.page(w, http.StatusOK, "The bot was added to your Discord server. Go back to Relay's connector settings to pick the channels to bridge.")
		return
	}
	http.Redirect(w, r, strings.TrimRight(site, "/")+"/settings/connectors/"+c.ID.String(), http.StatusSeeOther)
}

func snowflake(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil && len(s) <= 20
}

// tokenAnswer is the part of Discord's token response Relay reads: for a
// bot authorisation it names the guild.
type tokenAnswer struct {
	Guild *struct {
		ID string `json:"id"`
	} `json:"guild"`
}

// exchange trades the authorisation code at POST {api}/oauth2/token (the
// application authenticates with its client id and secret). It returns the
// guild Discord confirms ("" if it names none), or an HTTP status and a
// message for the admin.
func (b *Bot) exchange(ctx context.Context, code string) (guildID string, status int, msg string) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {b.RedirectURI()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.cfg.APIURL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", http.StatusInternalServerError, "Relay could not reach Discord."
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(b.cfg.ApplicationID), url.QueryEscape(b.cfg.ClientSecret))
	resp, err := b.s.Client.Do(req)
	if err != nil {
		b.log.WarnContext(ctx, "discord: token exchange failed", "err", describe(err, &reply{}))
		return "", http.StatusBadGateway, "Discord could not be reached to confirm the server. Try again in a moment."
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusUnauthorized:
		b.log.ErrorContext(ctx, "discord: the token exchange refused the application's credentials (RELAY_DISCORD_CLIENT_SECRET)")
		return "", http.StatusBadGateway, "Relay's Discord application is misconfigured; tell the operator."
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return "", http.StatusBadRequest, "Discord refused the authorisation code (it has expired or was already used). Start again from Relay's connector settings."
	default:
		return "", http.StatusBadGateway, "Discord could not confirm the server. Try again in a moment."
	}
	var ans tokenAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		return "", http.StatusBadGateway, "Discord's answer could not be read. Try again in a moment."
	}
	if ans.Guild != nil && ans.Guild.ID != "" {
		if !snowflake(ans.Guild.ID) {
			return "", http.StatusBadGateway, "Discord's answer could not be read. Try again in a moment."
		}
		return ans.Guild.ID, 0, ""
	}
	return "", 0, ""
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · Relay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}h1{font-size:1.4rem}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Message}}</p></body></html>
`))

// page answers the browser that came back from Discord.
func (b *Bot) page(w http.ResponseWriter, status int, msg string) {
	title := "Discord connection failed"
	if status < 300 {
		title = "Discord connected"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The URL holds the authorisation code: keep it out of Referer headers.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct{ Title, Message string }{title, msg})
}
