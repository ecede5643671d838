package app

import (
	"context"

	"github.com/relayhq/relay"
)

// ConnectorKind is a kind of connector and whether this server offers it:
// the shared LINE bot and Discord need the operator's configuration.
type ConnectorKind struct {
	Type      string `json:"type"`
	Model     string `json:"model"`
	Available bool   `json:"available"`
	// OperatorSetup says, to workspace owners only, what the person who
	// runs the server must do to offer an unavailable kind.
	OperatorSetup string `json:"operator_setup,omitempty"`
}

// Plain words for owners: what the operator sets to offer a kind.
const (
	setupLINEShared = "The person who runs this Relay server has not set up Relay's shared LINE bot. To offer it, they " +
		"create a LINE Messaging API channel for the whole server and start Relay with its channel secret, channel " +
		"access token and basic id in RELAY_LINE_SHARED_SECRET, RELAY_LINE_SHARED_TOKEN and RELAY_LINE_SHARED_BOT_ID."
	setupDiscord = "The person who runs this Relay server has not set up a Discord bot. To offer Discord, they create a " +
		"bot in Discord's developer portal and start Relay with its token, application id and client secret in " +
		"RELAY_DISCORD_BOT_TOKEN, RELAY_DISCORD_APPLICATION_ID and RELAY_DISCORD_CLIENT_SECRET."
)

func (c *ConnectorsConfig) lineSharedConfigured() bool {
	return c.LINESharedSecret != "" && c.LINESharedToken != "" && c.LINESharedBotID != ""
}

func (c *ConnectorsConfig) discordConfigured() bool {
	return c.DiscordBotToken != "" && c.DiscordApplicationID != ""
}

// AvailableConnectors lists the kinds of connector and whether this server
// offers each (owners and admins); owners also learn what the operator must
// set for the ones it does not.
func (a *Connectors) AvailableConnectors(ctx context.Context, actor *relay.Actor) ([]ConnectorKind, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	cfg := &a.conn.cfg
	kinds := []ConnectorKind{
		{Type: relay.ConnectorLINE, Model: relay.ModelOwn, Available: true},
		{Type: relay.ConnectorLINE, Model: relay.ModelShared, Available: cfg.lineSharedConfigured()},
		{Type: relay.ConnectorDiscord, Model: relay.ModelShared, Available: cfg.discordConfigured()},
	}
	if actor.Role() == relay.RoleOwner {
		for i := range kinds {
			switch k := &kinds[i]; {
			case k.Available:
			case k.Type == relay.ConnectorLINE:
				k.OperatorSetup = setupLINEShared
			case k.Type == relay.ConnectorDiscord:
				k.OperatorSetup = setupDiscord
			}
		}
	}
	return kinds, nil
}
