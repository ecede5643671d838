package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

// SetLINEVerifier sets how own-bot LINE tokens are checked when a connector
// is created or its token replaced. Without one (tests of the HTTP layer
// that run no LINE connector) tokens are stored unchecked.
func (a *Connectors) SetLINEVerifier(v relay.LINEVerifier) {
	a.conn.mu.Lock()
	defer a.conn.mu.Unlock()
	a.conn.lineVerifier = v
}

func (a *Connectors) getLINEVerifier() relay.LINEVerifier {
	a.conn.mu.RLock()
	defer a.conn.mu.RUnlock()
	return a.conn.lineVerifier
}

// Keys of Connector.Config that hold the bot LINE named (not secret).
const (
	cfgBotUserID  = "bot_user_id"
	cfgBotBasicID = "bot_basic_id"
	cfgBotName    = "bot_name"
	cfgBotPicture = "bot_picture_url"
)

// ConnectorBot is the outside bot a connector speaks as, as the platform
// named it when its credentials were checked.
type ConnectorBot struct {
	Name       string `json:"name"`
	BasicID    string `json:"basic_id,omitempty"`
	PictureURL string `json:"picture_url,omitempty"`
}

// verifyLINEToken asks LINE whose token this is and records the bot's name
// and picture in cfg. A refused token is a 400 naming the field; LINE out
// of reach is a 503. Nothing is stored by the caller in either case.
func (a *Connectors) verifyLINEToken(ctx context.Context, token string, cfg map[string]string) error {
	v := a.getLINEVerifier()
	if v == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, err := v.LINEBotInfo(ctx, token)
	if errors.Is(err, relay.ErrTokenRefused) {
		return relay.Errorf(relay.EINVALID, "access_token was refused by LINE: copy the channel access token (long-lived) "+
			"again from the Messaging API tab of the LINE Developers console.")
	}
	if err != nil {
		a.log.WarnContext(ctx, "LINE token check failed", "err", err)
		return relay.Errorf(relay.EUNAVAILABLE, "LINE could not be reached to check access_token; nothing was saved, try again in a moment.")
	}
	cfg[cfgBotUserID], cfg[cfgBotBasicID] = truncate(info.UserID, 64), truncate(info.BasicID, 64)
	cfg[cfgBotName] = truncate(strings.TrimSpace(info.DisplayName), 80)
	cfg[cfgBotPicture] = ""
	if p := info.PictureURL; len(p) <= 1000 && strings.HasPrefix(p, "https://") {
		cfg[cfgBotPicture] = p
	}
	return nil
}

// connectorBot is the bot recorded in a connector's config, if any.
func connectorBot(c *relay.Connector) *ConnectorBot {
	if c.Config[cfgBotName] == "" {
		return nil
	}
	return &ConnectorBot{Name: c.Config[cfgBotName], BasicID: c.Config[cfgBotBasicID], PictureURL: c.Config[cfgBotPicture]}
}

// PublicURLWarning says why LINE (or any outside platform) can never call
// webhook URLs under base, and how to fix it; "" when base looks reachable:
// LINE calls only https addresses on the internet.
func PublicURLWarning(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "This server has no public address, so LINE cannot reach it. Set RELAY_PUBLIC_URL to the https address " +
			"people use to reach this server, restart Relay, then paste the webhook URL into the LINE Developers console."
	}
	host := strings.ToLower(u.Hostname())
	local := host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local")
	if ip := net.ParseIP(host); ip != nil {
		local = ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast()
	}
	switch {
	case local:
		return "LINE cannot reach " + u.Scheme + "://" + u.Host + ": it is an address of this computer or network only. " +
			"Set RELAY_PUBLIC_URL to the public https address of this server (for a test, an https tunnel to it), " +
			"restart Relay, then paste the new webhook URL into the LINE Developers console."
	case u.Scheme != "https":
		return "LINE only calls https addresses, and this server's public address is " + u.Scheme + "://" + u.Host + ". " +
			"Serve Relay over https and set RELAY_PUBLIC_URL to that address (https://…), restart Relay, " +
			"then paste the new webhook URL into the LINE Developers console."
	}
	return ""
}

// withSharedBotProblem shows a Discord connector as errored while the
// operator's shared bot cannot work at all (Discord refused its token, or
// the Message Content intent): no delivery or event would ever say so.
func (a *Connectors) withSharedBotProblem(c relay.Connector) relay.Connector {
	if c.Type != relay.ConnectorDiscord || c.Status == relay.ConnectorDisabled {
		return c
	}
	if p, ok := a.discordDirectory().(interface{ Problem() string }); ok {
		if text := p.Problem(); text != "" {
			c.Status, c.LastError = relay.ConnectorError, text
		}
	}
	return c
}
