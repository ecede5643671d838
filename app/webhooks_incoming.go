package app

import (
	"context"
	"strings"

	"github.com/relayhq/relay"
)

// Incoming webhooks: secret URLs that post into a channel.

// CreatedIncomingWebhook is a new incoming webhook with its secret URL,
// shown this once.
type CreatedIncomingWebhook struct {
	relay.IncomingWebhook
	// URL is where outside systems POST; "" when the server knows no
	// public base URL (the HTTP layer fills it in from the request).
	URL   string `json:"url"`
	Token string `json:"token"`
}

// IncomingWebhookPath is where incoming webhooks are served, before the token.
const IncomingWebhookPath = "/hooks/in/"

// incomingChannel loads a channel the actor may read and manage incoming
// webhooks of: not a DM, not a ticket's.
func (a *Webhooks) incomingChannel(ctx context.Context, actor *relay.Actor, channelID relay.ID) (*relay.Channel, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	c, _, err := a.msg.channelView(ctx, actor, channelID)
	if err != nil {
		return nil, err
	}
	switch c.Kind {
	case relay.ChannelPublic, relay.ChannelPrivate, relay.ChannelExternal:
		return c, nil
	}
	return nil, relay.Errorf(relay.EINVALID, "Incoming webhooks post into public, private and external channels, not into a %s.", c.Kind)
}

// CreateIncomingWebhook makes a secret URL that posts into a channel the
// actor (owner or admin) can read.
func (a *Webhooks) CreateIncomingWebhook(ctx context.Context, actor *relay.Actor, channelID relay.ID, name string) (*CreatedIncomingWebhook, error) {
	c, err := a.incomingChannel(ctx, actor, channelID)
	if err != nil {
		return nil, err
	}
	if c.Archived {
		return nil, relay.Errorf(relay.ECONFLICT, "The channel is archived.")
	}
	name, err = relay.NormalizeName("The webhook's name", name, maxIncomingWebhookName)
	if err != nil {
		return nil, err
	}
	list, err := a.store.IncomingWebhooks(ctx, actor.Workspace.ID, c.ID)
	if err != nil {
		return nil, err
	}
	if len(list) >= MaxIncomingWebhooks {
		return nil, relay.Errorf(relay.ECONFLICT, "A channel has at most %d incoming webhooks; delete one first.", MaxIncomingWebhooks)
	}
	tok, hash := newToken()
	w := &relay.IncomingWebhook{ID: a.ids.New(), WorkspaceID: actor.Workspace.ID, ChannelID: c.ID, Name: name,
		CreatedBy: actor.User.ID, CreatedAt: a.Now()}
	if err := a.store.CreateIncomingWebhook(ctx, w, hash); err != nil {
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditIncomingWebhookCreated, relay.AuditTargetIncoming, w.ID, map[string]any{"channel_id": c.ID, "name": name})
	out := &CreatedIncomingWebhook{IncomingWebhook: *w, Token: tok}
	if site := siteURL(ctx, a.store, a.cfg.BaseURL, actor.Workspace.ID); site != "" {
		out.URL = site + IncomingWebhookPath + tok
	}
	return out, nil
}

// IncomingWebhooks lists a channel's incoming webhooks (never their tokens).
func (a *Webhooks) IncomingWebhooks(ctx context.Context, actor *relay.Actor, channelID relay.ID) ([]relay.IncomingWebhook, error) {
	c, err := a.incomingChannel(ctx, actor, channelID)
	if err != nil {
		return nil, err
	}
	list, err := a.store.IncomingWebhooks(ctx, actor.Workspace.ID, c.ID)
	if list == nil && err == nil {
		list = []relay.IncomingWebhook{}
	}
	return list, err
}

// DeleteIncomingWebhook revokes an incoming webhook's URL.
func (a *Webhooks) DeleteIncomingWebhook(ctx context.Context, actor *relay.Actor, id relay.ID) error {
	if err := manageConnectors(actor); err != nil {
		return err
	}
	err := a.store.DeleteIncomingWebhook(ctx, actor.Workspace.ID, id)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return relay.Errorf(relay.ENOTFOUND, "Incoming webhook not found.")
	} else if err != nil {
		return err
	}
	a.audit(ctx, actor, relay.AuditIncomingWebhookDeleted, relay.AuditTargetIncoming, id, nil)
	return nil
}

var errNoIncoming = relay.Errorf(relay.ENOTFOUND, "No incoming webhook at this address.")

// PostIncomingWebhook posts into the channel of the incoming webhook whose
// token it is, as a bot (the webhook) with source webhook. No actor: the
// token is the credential. Posts are rate-limited per token.
func (a *Webhooks) PostIncomingWebhook(ctx context.Context, token string, in relay.IncomingPost) (*relay.Message, error) {
	if !plausibleToken(token) {
		return nil, errNoIncoming
	}
	hash := hashToken(token)
	w, err := a.store.IncomingWebhookByToken(ctx, hash)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, errNoIncoming
	} else if err != nil {
		return nil, err
	}
	if ok, wait := a.incomingLimiter().Allow(w.ID.String()); !ok {
		return nil, rateLimited(wait)
	}
	name := strings.TrimSpace(in.Username)
	if name == "" {
		name = w.Name
	}
	return a.msg.PostInbound(ctx, w.WorkspaceID, Inbound{ChannelID: w.ChannelID,
		Author: relay.Author{ID: w.ID, Kind: relay.AuthorBot, DisplayName: name, AvatarURL: strings.TrimSpace(in.AvatarURL)},
		Source: relay.SourceWebhook, Body: in.Text, ExternalID: in.IdempotencyKey})
}
