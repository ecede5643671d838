package app

import (
	"context"
	"crypto/rand"
	"net/url"
	"regexp"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// Connectors CRUD: create, list, update and delete a workspace's
// connectors, their health, and finding one for an outside system.

// ConnectorInput creates a connector (POST /connectors).
type ConnectorInput struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Model string `json:"model"`
	// LINE, own bot.
	ChannelID     string `json:"channel_id"`
	ChannelSecret string `json:"channel_secret"`
	AccessToken   string `json:"access_token"`
}

// ConnectorUpdate changes a connector (PATCH /connectors/{id}); nil is
// unchanged. Credentials may be replaced, never read.
type ConnectorUpdate struct {
	Name          *string `json:"name"`
	Status        *string `json:"status"` // active or disabled
	ChannelSecret *string `json:"channel_secret"`
	AccessToken   *string `json:"access_token"`
}

// ConnectorView is a connector as admins see it, with the addresses that
// connect it to the outside.
type ConnectorView struct {
	relay.Connector
	// LINE own bot: the URL to paste into the LINE console, and why LINE
	// can never call it when the server's public address is not an https
	// address on the internet (how to fix it).
	WebhookURL        string `json:"webhook_url,omitempty"`
	WebhookURLWarning string `json:"webhook_url_warning,omitempty"`
	// Bot is the outside bot the connector speaks as (LINE own bot: the
	// name and picture LINE gave when the token was checked).
	Bot *ConnectorBot `json:"bot,omitempty"`
	// LINE shared bot: the link that pre-fills "join <code>", and its QR code.
	JoinURL  string `json:"join_url,omitempty"`
	QRPNGURL string `json:"qr_png_url,omitempty"`
	// Discord: the link that adds the shared bot to a server (until one is added).
	InviteURL string `json:"invite_url,omitempty"`
	// Conversations counts the outside conversations mapped to channels.
	Conversations int `json:"conversations"`
}

var (
	lineChannelIDRE = regexp.MustCompile(`^[0-9]{6,20}$`)
	lineSecretRE    = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	tokenRE         = regexp.MustCompile(`^[A-Za-z0-9+/=._\-]{20,1000}$`)
)

func manageConnectors(actor *relay.Actor) error {
	return policy.Check(actor, policy.ManageConnectors, policy.Target{})
}

// CreateConnector adds a connector to the actor's workspace.
func (a *Connectors) CreateConnector(ctx context.Context, actor *relay.Actor, in ConnectorInput) (*ConnectorView, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	now := a.Now()
	c := &relay.Connector{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, Type: in.Type, Status: relay.ConnectorActive,
		Config: map[string]string{}, CreatedBy: actor.User.ID, CreatedAt: now, UpdatedAt: now}
	secrets := map[string]string{}
	cfg := a.conn.cfg
	switch in.Type {
	case relay.ConnectorLINE:
		switch in.Model {
		case relay.ModelOwn, "":
			c.Model = relay.ModelOwn
			if !lineChannelIDRE.MatchString(in.ChannelID) {
				return nil, relay.Errorf(relay.EINVALID, "channel_id must be the LINE channel's numeric id (from the LINE Developers console).")
			}
			if !lineSecretRE.MatchString(in.ChannelSecret) {
				return nil, relay.Errorf(relay.EINVALID, "channel_secret must be the channel's 32-character secret.")
			}
			if !tokenRE.MatchString(in.AccessToken) {
				return nil, relay.Errorf(relay.EINVALID, "access_token must be the channel's long-lived access token.")
			}
			c.ExternalID = in.ChannelID
			secrets["channel_secret"], secrets["access_token"] = in.ChannelSecret, in.AccessToken
			if err := a.verifyLINEToken(ctx, in.AccessToken, c.Config); err != nil {
				return nil, err
			}
		case relay.ModelShared:
			c.Model = relay.ModelShared
			if in.ChannelID != "" || in.ChannelSecret != "" || in.AccessToken != "" {
				return nil, relay.Errorf(relay.EINVALID, "The shared LINE bot takes no credentials.")
			}
			if !cfg.lineSharedConfigured() {
				return nil, relay.Errorf(relay.EINVALID, "This server does not offer Relay's shared LINE bot: the person who runs it has not set one up.")
			}
			c.JoinCode = newJoinCode()
		default:
			return nil, relay.Errorf(relay.EINVALID, "model must be own or shared.")
		}
	case relay.ConnectorDiscord:
		if in.Model != "" && in.Model != relay.ModelShared {
			return nil, relay.Errorf(relay.EINVALID, "Discord connects through the shared bot: model must be shared.")
		}
		if in.ChannelID != "" || in.ChannelSecret != "" || in.AccessToken != "" {
			return nil, relay.Errorf(relay.EINVALID, "The shared Discord bot takes no credentials.")
		}
		if !cfg.discordConfigured() {
			return nil, relay.Errorf(relay.EINVALID, "This server does not offer Discord: the person who runs it has not set up a Discord bot.")
		}
		c.Model = relay.ModelShared
	case relay.ConnectorWebhook:
		return nil, relay.Errorf(relay.EINVALID, "Webhooks are managed at /api/v1/webhooks (outgoing) and /api/v1/channels/{id}/incoming-webhooks (incoming).")
	default:
		return nil, relay.Errorf(relay.EINVALID, "type must be line or discord.")
	}
	name := in.Name
	if strings.TrimSpace(name) == "" {
		name = map[string]string{relay.ConnectorLINE: "LINE", relay.ConnectorDiscord: "Discord"}[c.Type]
	}
	var err error
	if c.Name, err = relay.NormalizeName("name", name, 80); err != nil {
		return nil, err
	}
	if c.Type == relay.ConnectorLINE && c.Model == relay.ModelShared {
		list, err := a.store.Connectors(ctx, actor.Workspace.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if o.Type == relay.ConnectorLINE && o.Model == relay.ModelShared {
				return nil, relay.Errorf(relay.ECONFLICT, "This workspace already has a shared LINE connector (%s).", o.Name)
			}
		}
	}
	if len(secrets) > 0 {
		if c.Secrets, err = a.SealSecrets(connectorAAD(c.ID), secrets); err != nil {
			return nil, err
		}
	}
	if err := a.store.CreateConnector(ctx, c); err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT {
			return nil, relay.Errorf(relay.ECONFLICT, "That %s account is already connected to a workspace.", c.Type)
		}
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditConnectorCreated, relay.AuditTargetConnector, c.ID, map[string]any{"type": c.Type, "model": c.Model, "name": c.Name})
	return a.connectorView(ctx, c)
}

// newJoinCode is 8 characters without look-alikes (no 0/O, 1/I/L).
func newJoinCode() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// LINEJoinURL is the link that opens a chat with the shared bot with
// "join <code>" typed in.
func LINEJoinURL(botID, code string) string {
	// LINE's format: the basic id with '@' percent-encoded, then the text
	// percent-encoded (spaces as %20, not '+').
	return "https://line.me/R/oaMessage/" + strings.ReplaceAll(url.PathEscape(botID), "@", "%40") + "/?" +
		strings.ReplaceAll(url.PathEscape("join "+code), "+", "%2B")
}

func (a *Connectors) connectorView(ctx context.Context, c *relay.Connector) (*ConnectorView, error) {
	v := &ConnectorView{Connector: a.withSharedBotProblem(*c)}
	base := a.conn.cfg.BaseURL
	switch {
	case c.Type == relay.ConnectorLINE && c.Model == relay.ModelOwn:
		v.WebhookURL = base + "/hooks/line/" + c.ID.String()
		v.WebhookURLWarning = PublicURLWarning(base)
		v.Bot = connectorBot(c)
	case c.Type == relay.ConnectorLINE && c.Model == relay.ModelShared:
		v.JoinURL = LINEJoinURL(a.conn.cfg.LINESharedBotID, c.JoinCode)
		v.QRPNGURL = "/api/v1/connectors/" + c.ID.String() + "/qr.png"
	case c.Type == relay.ConnectorDiscord && c.ExternalID == "":
		if d := a.discordDirectory(); d != nil {
			v.InviteURL = d.InviteURL(a.signState(c.WorkspaceID, c.ID))
		}
	}
	convs, err := a.store.Conversations(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return nil, err
	}
	v.Conversations = len(convs)
	return v, nil
}

// Connectors lists the workspace's connectors.
func (a *Connectors) Connectors(ctx context.Context, actor *relay.Actor) ([]ConnectorView, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	list, err := a.store.Connectors(ctx, actor.Workspace.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ConnectorView, 0, len(list))
	for i := range list {
		v, err := a.connectorView(ctx, &list[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// ConnectorSummary is what every staff member sees of a connector (the
// sidebar's list with status dots): no credentials, no URLs.
type ConnectorSummary struct {
	ID        relay.ID `json:"id"`
	Type      string   `json:"type"`
	Name      string   `json:"name"`
	Status    string   `json:"status"`
	LastError string   `json:"last_error,omitempty"`
}

// ConnectorSummaries lists the workspace's connectors for any staff member.
func (a *Connectors) ConnectorSummaries(ctx context.Context, actor *relay.Actor) ([]ConnectorSummary, error) {
	if err := policy.Check(actor, policy.ViewConnectors, policy.Target{}); err != nil {
		return nil, err
	}
	list, err := a.store.Connectors(ctx, actor.Workspace.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ConnectorSummary, 0, len(list))
	for _, c := range list {
		c = a.withSharedBotProblem(c)
		out = append(out, ConnectorSummary{ID: c.ID, Type: c.Type, Name: c.Name, Status: c.Status, LastError: c.LastError})
	}
	return out, nil
}

func (a *Connectors) connector(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Connector, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	c, err := a.store.Connector(ctx, actor.Workspace.ID, id)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Errorf(relay.ENOTFOUND, "Connector not found.")
	}
	return c, err
}

// Connector returns one connector of the actor's workspace.
func (a *Connectors) Connector(ctx context.Context, actor *relay.Actor, id relay.ID) (*ConnectorView, error) {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return a.connectorView(ctx, c)
}

// UpdateConnector renames, enables or disables a connector, or replaces an
// own LINE bot's credentials.
func (a *Connectors) UpdateConnector(ctx context.Context, actor *relay.Actor, id relay.ID, upd ConnectorUpdate) (*ConnectorView, error) {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		if c.Name, err = relay.NormalizeName("name", *upd.Name, 80); err != nil {
			return nil, err
		}
	}
	if upd.Status != nil {
		switch *upd.Status {
		case relay.ConnectorDisabled:
			c.Status = relay.ConnectorDisabled
		case relay.ConnectorActive:
			// Enabling clears the last error: the next delivery or event tells.
			c.Status, c.LastError, c.LastErrorAt = relay.ConnectorActive, "", nil
		default:
			return nil, relay.Errorf(relay.EINVALID, "status must be active or disabled.")
		}
	}
	if upd.ChannelSecret != nil || upd.AccessToken != nil {
		if c.Type != relay.ConnectorLINE || c.Model != relay.ModelOwn {
			return nil, relay.Errorf(relay.EINVALID, "Only an own LINE bot has credentials to replace.")
		}
		secrets, err := a.OpenSecrets(connectorAAD(c.ID), c.Secrets)
		if err != nil {
			return nil, err
		}
		if v := upd.ChannelSecret; v != nil {
			if !lineSecretRE.MatchString(*v) {
				return nil, relay.Errorf(relay.EINVALID, "channel_secret must be the channel's 32-character secret.")
			}
			secrets["channel_secret"] = *v
		}
		if v := upd.AccessToken; v != nil {
			if !tokenRE.MatchString(*v) {
				return nil, relay.Errorf(relay.EINVALID, "access_token must be the channel's long-lived access token.")
			}
			if err := a.verifyLINEToken(ctx, *v, c.Config); err != nil {
				return nil, err
			}
			secrets["access_token"] = *v
		}
		if c.Secrets, err = a.SealSecrets(connectorAAD(c.ID), secrets); err != nil {
			return nil, err
		}
	}
	if err := a.store.UpdateConnector(ctx, c); err != nil {
		return nil, err
	}
	fields := map[string]any{"name": c.Name, "status": c.Status}
	if upd.ChannelSecret != nil || upd.AccessToken != nil {
		fields["credentials"] = "replaced"
	}
	a.audit(ctx, actor, relay.AuditConnectorUpdated, relay.AuditTargetConnector, c.ID, fields)
	a.connectorChanged(ctx, c)
	return a.connectorView(ctx, c)
}

// DeleteConnector removes a connector; its channels and messages stay.
func (a *Connectors) DeleteConnector(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := a.store.DeleteConnector(ctx, c.WorkspaceID, c.ID); err != nil {
		return err
	}
	a.audit(ctx, actor, relay.AuditConnectorDeleted, relay.AuditTargetConnector, c.ID, map[string]any{"type": c.Type, "name": c.Name})
	a.publish(ctx, c.WorkspaceID, relay.WorkspaceTopic(c.WorkspaceID), EvConnectorDeleted, map[string]any{"id": c.ID}, 0, 0)
	return nil
}

// EvConnectorUpdated tells staff a connector's name or status changed
// (sidebar status dots); EvConnectorDeleted that it is gone.
const (
	EvConnectorUpdated = "connector:updated"
	EvConnectorDeleted = "connector:deleted"
)

func (a *Connectors) connectorChanged(ctx context.Context, c *relay.Connector) {
	a.publish(ctx, c.WorkspaceID, relay.WorkspaceTopic(c.WorkspaceID), EvConnectorUpdated,
		ConnectorSummary{ID: c.ID, Type: c.Type, Name: c.Name, Status: c.Status, LastError: c.LastError}, 0, 0)
}

// ReportConnectorHealth records the outcome of talking to the outside
// through a connector: nil makes an errored connector active again.
func (a *Connectors) ReportConnectorHealth(ctx context.Context, c *relay.Connector, err error) {
	text := ""
	if err != nil {
		text = truncateError(err)
	}
	if (text == "" && c.Status != relay.ConnectorError) || c.Status == relay.ConnectorDisabled {
		return
	}
	if text != "" && c.Status == relay.ConnectorError && c.LastError == text {
		return
	}
	now := a.Now()
	if e := a.store.SetConnectorHealth(ctx, c.WorkspaceID, c.ID, text, now); e != nil {
		a.log.Warn("connector health", "connector", c.ID, "err", e)
		return
	}
	if text == "" {
		// The last error stays on record (shown as resolved) until the next one.
		c.Status = relay.ConnectorActive
	} else {
		c.Status, c.LastError, c.LastErrorAt = relay.ConnectorError, text, &now
	}
	a.connectorChanged(ctx, c)
}

// ConnectorForHook finds the connector an outside webhook names by id,
// with its credentials opened.
func (a *Connectors) ConnectorForHook(ctx context.Context, id relay.ID) (*relay.Connector, map[string]string, error) {
	c, err := a.store.ConnectorForHook(ctx, id)
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, nil, relay.Errorf(relay.ENOTFOUND, "Connector not found.")
		}
		return nil, nil, err
	}
	return a.withSecrets(c)
}

// ConnectorByExternal finds the connector of a type bound to an outside
// account (a Discord guild, a LINE channel), with its credentials opened.
func (a *Connectors) ConnectorByExternal(ctx context.Context, typ, externalID string) (*relay.Connector, map[string]string, error) {
	c, err := a.store.ConnectorByExternal(ctx, typ, externalID)
	if err != nil {
		return nil, nil, err
	}
	return a.withSecrets(c)
}

func (a *Connectors) withSecrets(c *relay.Connector) (*relay.Connector, map[string]string, error) {
	s, err := a.OpenSecrets(connectorAAD(c.ID), c.Secrets)
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}
