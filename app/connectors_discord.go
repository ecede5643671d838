package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

// Discord through the shared bot: linking a guild (OAuth state), listing
// its channels, and choosing which are bridged.

// State for the Discord OAuth round trip: sealed {workspace, connector,
// expiry}, so only this server can make one and it names its connector.
type oauthState struct {
	W relay.ID `json:"w"`
	C relay.ID `json:"c"`
	E int64    `json:"e"`
}

func (a *Connectors) signState(ws, conn relay.ID) string {
	if a.box == nil {
		return ""
	}
	b, _ := json.Marshal(oauthState{W: ws, C: conn, E: a.Now().Add(time.Hour).Unix()})
	return base64.RawURLEncoding.EncodeToString(a.box.Seal(b, []byte("discord-oauth-state")))
}

// SetDiscordGuild completes the Discord invite: state (from the invite
// link) names the workspace and connector; the guild is recorded on it.
func (a *Connectors) SetDiscordGuild(ctx context.Context, state, guildID string) (*relay.Connector, error) {
	bad := relay.Errorf(relay.EINVALID, "This Discord authorisation link is invalid or has expired; start again from Relay's settings.")
	raw, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil || a.box == nil {
		return nil, bad
	}
	b, err := a.box.Open(raw, []byte("discord-oauth-state"))
	if err != nil {
		return nil, bad
	}
	var st oauthState
	if json.Unmarshal(b, &st) != nil || a.Now().Unix() > st.E {
		return nil, bad
	}
	if _, err := strconv.ParseUint(guildID, 10, 64); err != nil {
		return nil, relay.Errorf(relay.EINVALID, "Discord did not name a server.")
	}
	c, err := a.store.Connector(ctx, st.W, st.C)
	if err != nil {
		return nil, bad
	}
	if c.Type != relay.ConnectorDiscord {
		return nil, bad
	}
	if c.ExternalID == guildID {
		return c, nil
	}
	c.ExternalID = guildID
	if c.Status == relay.ConnectorError {
		c.Status, c.LastError, c.LastErrorAt = relay.ConnectorActive, "", nil
	}
	if err := a.store.UpdateConnector(ctx, c); err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT {
			return nil, relay.Errorf(relay.ECONFLICT, "That Discord server is already connected to a workspace.")
		}
		return nil, err
	}
	a.auditAs(ctx, c.WorkspaceID, c.CreatedBy, relay.AuditConnectorGuild, relay.AuditTargetConnector, c.ID, map[string]any{"guild_id": guildID})
	a.connectorChanged(ctx, c)
	return c, nil
}

// DiscordChannelView is a guild channel with its bridge, if any.
type DiscordChannelView struct {
	relay.DiscordChannel
	Bridged   bool      `json:"bridged"`
	ChannelID *relay.ID `json:"channel_id"`
}

// DiscordChannels lists the text channels of the connector's guild.
func (a *Connectors) DiscordChannels(ctx context.Context, actor *relay.Actor, id relay.ID) ([]DiscordChannelView, error) {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if c.Type != relay.ConnectorDiscord {
		return nil, relay.Errorf(relay.EINVALID, "This connector is not a Discord connector.")
	}
	if c.ExternalID == "" {
		return nil, relay.Errorf(relay.ECONFLICT, "Add the bot to a Discord server first (the invite link).")
	}
	d := a.discordDirectory()
	if d == nil {
		return nil, relay.Errorf(relay.EUNAVAILABLE, "Discord is not configured on this server.")
	}
	chs, err := d.TextChannels(ctx, c.ExternalID)
	if err != nil {
		a.ReportConnectorHealth(ctx, c, err)
		return nil, relay.Errorf(relay.EUNAVAILABLE, "Discord did not answer: %v", err)
	}
	convs, err := a.store.Conversations(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return nil, err
	}
	bridged := map[string]relay.ID{}
	for _, cv := range convs {
		bridged[cv.Key] = cv.ChannelID
	}
	out := make([]DiscordChannelView, 0, len(chs))
	for _, ch := range chs {
		v := DiscordChannelView{DiscordChannel: ch}
		if cid, ok := bridged["channel:"+ch.ID]; ok {
			v.Bridged, v.ChannelID = true, &cid
		}
		out = append(out, v)
	}
	return out, nil
}

// BridgeInput selects a Discord channel to bridge, into an existing Relay
// channel (ChannelID) or a new external one (nil).
type BridgeInput struct {
	DiscordChannelID string    `json:"discord_channel_id"`
	ChannelID        *relay.ID `json:"channel_id"`
}

// SetDiscordBridges makes the connector's bridged channels exactly the
// given set: new bridges are created (with a new external channel unless
// one is named), missing ones removed (their Relay channels stay).
func (a *Connectors) SetDiscordBridges(ctx context.Context, actor *relay.Actor, id relay.ID, in []BridgeInput) ([]relay.Conversation, error) {
	views, err := a.DiscordChannels(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if len(in) > 100 {
		return nil, relay.Errorf(relay.EINVALID, "At most 100 channels can be bridged.")
	}
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	byID := map[string]relay.DiscordChannel{}
	for _, v := range views {
		byID[v.ID] = v.DiscordChannel
	}
	want := map[string]BridgeInput{}
	for _, b := range in {
		if _, ok := byID[b.DiscordChannelID]; !ok {
			return nil, relay.Errorf(relay.EINVALID, "%q is not a text channel of the Discord server.", b.DiscordChannelID)
		}
		if b.ChannelID != nil {
			ch, _, err := a.msg.channelAccess(ctx, actor, *b.ChannelID, false)
			if err != nil {
				return nil, err
			}
			if ch.Kind == relay.ChannelDM || ch.Kind == relay.ChannelTicket {
				return nil, relay.Errorf(relay.EINVALID, "Direct messages and tickets cannot be bridged.")
			}
		}
		want[b.DiscordChannelID] = b
	}
	convs, err := a.store.Conversations(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return nil, err
	}
	for _, cv := range convs {
		b, keep := want[strings.TrimPrefix(cv.Key, "channel:")]
		// A bridge moved to another existing channel is made again there.
		moved := keep && b.ChannelID != nil && *b.ChannelID != cv.ChannelID
		if !keep || moved {
			if err := a.store.DeleteConversation(ctx, c.WorkspaceID, cv.ID); err != nil {
				return nil, err
			}
		}
	}
	for dID, b := range want {
		key := "channel:" + dID
		if _, err := a.store.ConversationByKey(ctx, c.ID, key); err == nil {
			continue
		} else if relay.ErrorCode(err) != relay.ENOTFOUND {
			return nil, err
		}
		if _, err := a.createConversation(ctx, c, key, byID[dID].Name, nil, b.ChannelID); err != nil {
			return nil, err
		}
	}
	a.audit(ctx, actor, relay.AuditConnectorBridges, relay.AuditTargetConnector, c.ID, map[string]any{"channels": len(want)})
	return a.store.Conversations(ctx, c.WorkspaceID, c.ID)
}
