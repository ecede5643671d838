package app

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/relayhq/relay"
)

// Connectors owns the links to outside systems: connectors and their
// credentials, the outbox and its deliverers, outside conversations and
// contacts, messages arriving from outside, the shared LINE bot's joins and
// Discord bridging (connectors_*.go). It uses Messaging.
type Connectors struct {
	*kernel
	store connectorStore
	msg   *Messaging
	conn  connectorState
}

func newConnectors(k *kernel, st connectorStore, msg *Messaging, cfg ConnectorsConfig) *Connectors {
	return &Connectors{kernel: k, store: st, msg: msg,
		conn: connectorState{cfg: cfg, deliverers: map[string]relay.Deliverer{}}}
}

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

// connectorState is the Connectors service's own state: the operator's
// settings and the registered deliverers.
type connectorState struct {
	cfg        ConnectorsConfig
	mu         sync.RWMutex
	deliverers map[string]relay.Deliverer
	discord    relay.DiscordDirectory
	// lineVerifier checks own-bot LINE tokens (connectors_verify.go).
	lineVerifier relay.LINEVerifier
}

// SiteURL is a workspace's own address, derived from BaseURL; "" if the
// workspace is unknown or no base URL is configured.
func (a *Connectors) SiteURL(ctx context.Context, workspaceID relay.ID) string {
	return siteURL(ctx, a.store, a.conn.cfg.BaseURL, workspaceID)
}

// siteURL is SiteURL for any service that reads workspaces.
func siteURL(ctx context.Context, st interface {
	WorkspaceByID(ctx context.Context, id relay.ID) (*relay.Workspace, error)
}, base string, workspaceID relay.ID) string {
	if base == "" {
		return ""
	}
	w, err := st.WorkspaceByID(ctx, workspaceID)
	if err != nil {
		return ""
	}
	return WorkspaceURL(base, w.Subdomain)
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
func (a *Connectors) RegisterDeliverer(kind string, d relay.Deliverer) {
	a.conn.mu.Lock()
	defer a.conn.mu.Unlock()
	a.conn.deliverers[kind] = d
}

func (a *Connectors) deliverer(kind string) relay.Deliverer {
	a.conn.mu.RLock()
	defer a.conn.mu.RUnlock()
	return a.conn.deliverers[kind]
}

// SetDiscordDirectory sets how guild channels are listed and invites made.
func (a *Connectors) SetDiscordDirectory(d relay.DiscordDirectory) {
	a.conn.mu.Lock()
	defer a.conn.mu.Unlock()
	a.conn.discord = d
}

func (a *Connectors) discordDirectory() relay.DiscordDirectory {
	a.conn.mu.RLock()
	defer a.conn.mu.RUnlock()
	return a.conn.discord
}

func connectorAAD(id relay.ID) string    { return "connector:" + id.String() }
func conversationAAD(id relay.ID) string { return "conversation:" + id.String() }
