package httpapi

import (
	"net/http"

	"github.com/relayhq/relay"
)

// DiscordHooks serves what Discord sends browsers back to
// (connectors/discord.Bot).
type DiscordHooks interface {
	// ServeOAuthCallback completes the bot's invite: it answers the
	// browser itself (303 to the connector's settings, or a page saying
	// what went wrong).
	ServeOAuthCallback(w http.ResponseWriter, r *http.Request)
}

// discordRoutes lists the routes of the discord part of the connectors.
// Discord redirects the admin's browser to the callback: no session, any
// host (the redirect URI is on the apex); the signed state names the
// workspace (docs/connectors.md, "Discord").
func (s *Server) discordRoutes() []route {
	return []route{
		{method: "GET", path: "/hooks/discord/oauth", host: onAny, auth: authNone, h: s.discordOAuth},
	}
}

func (s *Server) discordOAuth(w http.ResponseWriter, r *http.Request) error {
	d := s.discordHooks()
	if d == nil {
		return relay.Errorf(relay.ENOTFOUND, "No Discord bot is configured on this server.")
	}
	d.ServeOAuthCallback(w, r)
	return nil
}

// discordHooks is the configured Discord bot, nil when there is none.
func (s *Server) discordHooks() DiscordHooks { return s.discord }
