package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// ConnectorsConfig is the operator's connector settings (RELAY_* variables).
type ConnectorsConfig struct {
	// BaseURL is the apex's public address (e.g. http://localhost:8080):
	// webhook URLs shown to admins, and workspace addresses derived from it.
	BaseURL string
	// The shared LINE bot: its channel secret and access token, and its
	// basic id (like @123abcde) for the add-friend / oaMessage links.
	LINESharedSecret, LINESharedToken, LINESharedBotID string
	// The shared Discord bot.
	DiscordBotToken, DiscordApplicationID, DiscordClientSecret string
	// WebhookAllowPrivate lets outgoing webhooks reach private, loopback
	// and link-local addresses (RELAY_WEBHOOK_ALLOW_PRIVATE).
	WebhookAllowPrivate bool
	// Outbox tuning; zero values take the defaults.
	OutboxMaxAttempts int           // tries before a row is dead (default 8)
	OutboxBackoff     time.Duration // first retry delay (default 2 s), doubling, with jitter
	OutboxMaxBackoff  time.Duration // cap of the delay (default 10 min)
	OutboxWorkers     int           // concurrent deliveries per process (default 4)
	OutboxPoll        time.Duration // how often idle workers look for due rows (default 1 s)
	OutboxLease       time.Duration // how long a claimed row is a worker's (default 2 min)
}

func (c *ConnectorsConfig) defaults() {
	if c.OutboxMaxAttempts <= 0 {
		c.OutboxMaxAttempts = 8
	}
	if c.OutboxBackoff <= 0 {
		c.OutboxBackoff = 2 * time.Second
	}
	if c.OutboxMaxBackoff <= 0 {
		c.OutboxMaxBackoff = 10 * time.Minute
	}
	if c.OutboxWorkers <= 0 {
		c.OutboxWorkers = 4
	}
	if c.OutboxPoll <= 0 {
		c.OutboxPoll = time.Second
	}
	if c.OutboxLease <= 0 {
		c.OutboxLease = 2 * time.Minute
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

// DiscordChannel is a text channel of a Discord guild, as offered for bridging.
type DiscordChannel struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category,omitempty"`
	Position int    `json:"position"`
}

// DiscordDirectory reads a guild through the shared Discord bot.
type DiscordDirectory interface {
	TextChannels(ctx context.Context, guildID string) ([]DiscordChannel, error)
	// InviteURL is the OAuth2 link that adds the bot to a guild, carrying state.
	InviteURL(state string) string
}

// connectorState is the connector part of the App.
type connectorState struct {
	cfg        ConnectorsConfig
	mu         sync.RWMutex
	deliverers map[string]Deliverer
	discord    DiscordDirectory
	wake       chan struct{}
	// lineVerifier checks own-bot LINE tokens (connectors_verify.go).
	lineVerifier LINEVerifier
}

// SiteURL is a workspace's own address, derived from BaseURL; "" if the
// workspace is unknown or no base URL is configured.
func (a *App) SiteURL(ctx context.Context, workspaceID relay.ID) string {
	w, err := a.store.WorkspaceByID(ctx, workspaceID)
	if err != nil || a.conn.cfg.BaseURL == "" {
		return ""
	}
	return WorkspaceURL(a.conn.cfg.BaseURL, w.Subdomain)
}

// WorkspaceURL puts a subdomain in front of a base URL's host.
func WorkspaceURL(base, subdomain string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	u.Host = subdomain + "." + u.Host
	u.Path = ""
	return strings.TrimRight(u.String(), "/")
}

// RegisterDeliverer sets who delivers outbox rows of a kind: a connector
// type (line, discord) or "webhook".
func (a *App) RegisterDeliverer(kind string, d Deliverer) {
	a.conn.mu.Lock()
	defer a.conn.mu.Unlock()
	a.conn.deliverers[kind] = d
}

func (a *App) deliverer(kind string) Deliverer {
	a.conn.mu.RLock()
	defer a.conn.mu.RUnlock()
	return a.conn.deliverers[kind]
}

// SetDiscordDirectory sets how guild channels are listed and invites made.
func (a *App) SetDiscordDirectory(d DiscordDirectory) {
	a.conn.mu.Lock()
	defer a.conn.mu.Unlock()
	a.conn.discord = d
}

func (a *App) discordDirectory() DiscordDirectory {
	a.conn.mu.RLock()
	defer a.conn.mu.RUnlock()
	return a.conn.discord
}

// SealSecrets encrypts a map of credentials under the server's secret key,
// bound to aad (e.g. "connector:<id>").
func (a *App) SealSecrets(aad string, m map[string]string) ([]byte, error) {
	if a.box == nil {
		return nil, relay.Errorf(relay.EINTERNAL, "No secret key is configured to encrypt credentials.")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return a.box.Seal(b, []byte(aad)), nil
}

// OpenSecrets decrypts what SealSecrets sealed with the same aad; nil
// sealed is an empty map.
func (a *App) OpenSecrets(aad string, sealed []byte) (map[string]string, error) {
	m := map[string]string{}
	if len(sealed) == 0 {
		return m, nil
	}
	if a.box == nil {
		return nil, relay.Errorf(relay.EINTERNAL, "No secret key is configured to decrypt credentials.")
	}
	b, err := a.box.Open(sealed, []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("open secrets %s: %w", aad, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("open secrets %s: %w", aad, err)
	}
	return m, nil
}

func connectorAAD(id relay.ID) string    { return "connector:" + id.String() }
func conversationAAD(id relay.ID) string { return "conversation:" + id.String() }

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

func (a *App) manageConnectors(actor *relay.Actor) error {
	return policy.Check(actor, policy.ManageConnectors, policy.Target{})
}

// CreateConnector adds a connector to the actor's workspace.
func (a *App) CreateConnector(ctx context.Context, actor *relay.Actor, in ConnectorInput) (*ConnectorView, error) {
	if err := a.manageConnectors(actor); err != nil {
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
	if c.Name, err = NormalizeName("name", name, 80); err != nil {
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
	a.audit(ctx, actor, AuditConnectorCreated, "connector", c.ID, map[string]any{"type": c.Type, "model": c.Model, "name": c.Name})
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

func (a *App) connectorView(ctx context.Context, c *relay.Connector) (*ConnectorView, error) {
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
func (a *App) Connectors(ctx context.Context, actor *relay.Actor) ([]ConnectorView, error) {
	if err := a.manageConnectors(actor); err != nil {
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
func (a *App) ConnectorSummaries(ctx context.Context, actor *relay.Actor) ([]ConnectorSummary, error) {
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

func (a *App) connector(ctx context.Context, actor *relay.Actor, id relay.ID) (*relay.Connector, error) {
	if err := a.manageConnectors(actor); err != nil {
		return nil, err
	}
	c, err := a.store.Connector(ctx, actor.Workspace.ID, id)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Errorf(relay.ENOTFOUND, "Connector not found.")
	}
	return c, err
}

// Connector returns one connector of the actor's workspace.
func (a *App) Connector(ctx context.Context, actor *relay.Actor, id relay.ID) (*ConnectorView, error) {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return a.connectorView(ctx, c)
}

// UpdateConnector renames, enables or disables a connector, or replaces an
// own LINE bot's credentials.
func (a *App) UpdateConnector(ctx context.Context, actor *relay.Actor, id relay.ID, upd ConnectorUpdate) (*ConnectorView, error) {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		if c.Name, err = NormalizeName("name", *upd.Name, 80); err != nil {
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
	a.audit(ctx, actor, AuditConnectorUpdated, "connector", c.ID, fields)
	a.connectorChanged(ctx, c)
	return a.connectorView(ctx, c)
}

// DeleteConnector removes a connector; its channels and messages stay.
func (a *App) DeleteConnector(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	c, err := a.connector(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := a.store.DeleteConnector(ctx, c.WorkspaceID, c.ID); err != nil {
		return err
	}
	a.audit(ctx, actor, AuditConnectorDeleted, "connector", c.ID, map[string]any{"type": c.Type, "name": c.Name})
	a.publish(ctx, c.WorkspaceID, relay.WorkspaceTopic(c.WorkspaceID), EvConnectorDeleted, map[string]any{"id": c.ID}, 0, 0)
	return nil
}

// EvConnectorUpdated tells staff a connector's name or status changed
// (sidebar status dots); EvConnectorDeleted that it is gone.
const (
	EvConnectorUpdated = "connector:updated"
	EvConnectorDeleted = "connector:deleted"
)

func (a *App) connectorChanged(ctx context.Context, c *relay.Connector) {
	a.publish(ctx, c.WorkspaceID, relay.WorkspaceTopic(c.WorkspaceID), EvConnectorUpdated,
		ConnectorSummary{ID: c.ID, Type: c.Type, Name: c.Name, Status: c.Status, LastError: c.LastError}, 0, 0)
}

// ReportConnectorHealth records the outcome of talking to the outside
// through a connector: nil makes an errored connector active again.
func (a *App) ReportConnectorHealth(ctx context.Context, c *relay.Connector, err error) {
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
func (a *App) ConnectorForHook(ctx context.Context, id relay.ID) (*relay.Connector, map[string]string, error) {
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
func (a *App) ConnectorByExternal(ctx context.Context, typ, externalID string) (*relay.Connector, map[string]string, error) {
	c, err := a.store.ConnectorByExternal(ctx, typ, externalID)
	if err != nil {
		return nil, nil, err
	}
	return a.withSecrets(c)
}

func (a *App) withSecrets(c *relay.Connector) (*relay.Connector, map[string]string, error) {
	s, err := a.OpenSecrets(connectorAAD(c.ID), c.Secrets)
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

var joinRE = regexp.MustCompile(`^[23456789A-Z]{8}$`)

// JoinShared links an outside user to the workspace whose shared connector
// of the type has the join code: later messages from them go there.
func (a *App) JoinShared(ctx context.Context, typ, code string, who ExternalContact) (*relay.Connector, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !joinRE.MatchString(code) {
		return nil, relay.Errorf(relay.ENOTFOUND, "Unknown join code.")
	}
	c, err := a.store.ConnectorByJoinCode(ctx, code)
	if err != nil || c.Type != typ || c.Model != relay.ModelShared {
		return nil, relay.Errorf(relay.ENOTFOUND, "Unknown join code.")
	}
	if c.Status == relay.ConnectorDisabled {
		return nil, relay.Errorf(relay.ENOTFOUND, "Unknown join code.")
	}
	if _, err := a.upsertContact(ctx, c, who); err != nil {
		return nil, err
	}
	return c, nil
}

// SharedRoute finds the shared connector an outside user joined (the most
// recent join wins); ENOTFOUND when they joined none.
func (a *App) SharedRoute(ctx context.Context, typ, externalUserID string) (*relay.Connector, error) {
	ct, err := a.store.LinkedContact(ctx, typ, relay.ModelShared, externalUserID)
	if err != nil {
		return nil, err
	}
	return a.store.Connector(ctx, ct.WorkspaceID, ct.ConnectorID)
}

func (a *App) upsertContact(ctx context.Context, c *relay.Connector, who ExternalContact) (*relay.Contact, error) {
	if who.ExternalID == "" || len(who.ExternalID) > 128 {
		return nil, relay.Errorf(relay.EINVALID, "An outside contact needs its id.")
	}
	name := strings.TrimSpace(who.Name)
	if name == "" {
		name = map[string]string{relay.ConnectorLINE: "LINE user", relay.ConnectorDiscord: "Discord user"}[c.Type]
	}
	name, err := NormalizeName("name", truncateRunes(name, 80), 80)
	if err != nil {
		name = c.Type + " user"
	}
	avatar := who.AvatarURL
	if len(avatar) > 1000 || !(strings.HasPrefix(avatar, "https://") || strings.HasPrefix(avatar, "http://")) {
		avatar = ""
	}
	now := a.Now()
	return a.store.UpsertContact(ctx, &relay.Contact{ID: a.ids.New(), WorkspaceID: c.WorkspaceID, ConnectorID: c.ID,
		ExternalID: who.ExternalID, Name: name, AvatarURL: avatar, State: relay.ContactActive, CreatedAt: now, UpdatedAt: now})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// SetContactState records that an outside person followed or unfollowed.
func (a *App) SetContactState(ctx context.Context, c *relay.Connector, externalID, state string) error {
	if state != relay.ContactActive && state != relay.ContactUnfollowed {
		return relay.Errorf(relay.EINVALID, "Unknown contact state %q.", state)
	}
	ct, err := a.store.ContactByExternal(ctx, c.ID, externalID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		ct = &relay.Contact{ID: a.ids.New(), WorkspaceID: c.WorkspaceID, ConnectorID: c.ID, ExternalID: externalID,
			Name: map[string]string{relay.ConnectorLINE: "LINE user", relay.ConnectorDiscord: "Discord user"}[c.Type], CreatedAt: a.Now()}
	} else if err != nil {
		return err
	}
	ct.State, ct.UpdatedAt = state, a.Now()
	_, err = a.store.UpsertContact(ctx, ct)
	return err
}

// MarkHookEvent records an outside event id; false means it was seen before.
func (a *App) MarkHookEvent(ctx context.Context, c *relay.Connector, eventID string) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	return a.store.MarkHookEvent(ctx, c.ID, eventID, a.Now())
}

// SetConversationSecrets stores per-conversation credentials (a Discord
// webhook's id and token), sealed.
func (a *App) SetConversationSecrets(ctx context.Context, conv *relay.Conversation, secrets map[string]string) error {
	sealed, err := a.SealSecrets(conversationAAD(conv.ID), secrets)
	if err != nil {
		return err
	}
	conv.Secrets = sealed
	return a.store.UpdateConversation(ctx, conv)
}

// Conversation finds a connector's conversation by key (ENOTFOUND if the
// outside conversation is not mapped: for Discord, not bridged).
func (a *App) Conversation(ctx context.Context, c *relay.Connector, key string) (*relay.Conversation, error) {
	return a.store.ConversationByKey(ctx, c.ID, key)
}

// State for the Discord OAuth round trip: sealed {workspace, connector,
// expiry}, so only this server can make one and it names its connector.
type oauthState struct {
	W relay.ID `json:"w"`
	C relay.ID `json:"c"`
	E int64    `json:"e"`
}

func (a *App) signState(ws, conn relay.ID) string {
	if a.box == nil {
		return ""
	}
	b, _ := json.Marshal(oauthState{W: ws, C: conn, E: a.Now().Add(time.Hour).Unix()})
	return base64.RawURLEncoding.EncodeToString(a.box.Seal(b, []byte("discord-oauth-state")))
}

// SetDiscordGuild completes the Discord invite: state (from the invite
// link) names the workspace and connector; the guild is recorded on it.
func (a *App) SetDiscordGuild(ctx context.Context, state, guildID string) (*relay.Connector, error) {
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
	a.auditAs(ctx, c.WorkspaceID, c.CreatedBy, AuditConnectorGuild, "connector", c.ID, map[string]any{"guild_id": guildID})
	a.connectorChanged(ctx, c)
	return c, nil
}

// DiscordChannelView is a guild channel with its bridge, if any.
type DiscordChannelView struct {
	DiscordChannel
	Bridged   bool      `json:"bridged"`
	ChannelID *relay.ID `json:"channel_id"`
}

// DiscordChannels lists the text channels of the connector's guild.
func (a *App) DiscordChannels(ctx context.Context, actor *relay.Actor, id relay.ID) ([]DiscordChannelView, error) {
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
func (a *App) SetDiscordBridges(ctx context.Context, actor *relay.Actor, id relay.ID, in []BridgeInput) ([]relay.Conversation, error) {
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
	byID := map[string]DiscordChannel{}
	for _, v := range views {
		byID[v.ID] = v.DiscordChannel
	}
	want := map[string]BridgeInput{}
	for _, b := range in {
		if _, ok := byID[b.DiscordChannelID]; !ok {
			return nil, relay.Errorf(relay.EINVALID, "%q is not a text channel of the Discord server.", b.DiscordChannelID)
		}
		if b.ChannelID != nil {
			ch, _, err := a.channelAccess(ctx, actor, *b.ChannelID, false)
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
	a.audit(ctx, actor, AuditConnectorBridges, "connector", c.ID, map[string]any{"channels": len(want)})
	return a.store.Conversations(ctx, c.WorkspaceID, c.ID)
}
