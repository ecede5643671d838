package app

import (
	"context"

	"github.com/relayhq/relay"
)

// Inbound is a message that arrives from outside Relay: a connector (LINE,
// Discord, email, a webhook) or the assistant posting into a channel.
type Inbound struct {
	ChannelID relay.ID
	// Author is the outside person (kind contact) or program (kind bot);
	// its ID is the connector's contact or bot id.
	Author relay.Author
	// Source names the outside system: line, discord, email, webhook or
	// assistant.
	Source string
	Body   string
	// ExternalID makes deliveries idempotent: the outside system's message
	// id (stored as client_msg_id), so a redelivered webhook posts once.
	ExternalID string
	// Attachments already stored (app.storeFiles) or linked.
	Attachments []relay.Attachment
}

var inboundSources = map[string]bool{relay.SourceLINE: true, relay.SourceDiscord: true, relay.SourceEmail: true,
	relay.SourceWebhook: true, relay.SourceAssistant: true}

// PostInbound stores and publishes a message from outside into a channel of
// the workspace, through the same sequencer as every post. It is called by
// trusted server components (connectors), not by members, so no policy
// applies; the channel must still belong to the workspace and be open.
func (a *Messaging) PostInbound(ctx context.Context, workspaceID relay.ID, in Inbound) (*relay.Message, error) {
	if !inboundSources[in.Source] {
		return nil, relay.Errorf(relay.EINVALID, "Unknown message source %q.", in.Source)
	}
	if in.Author.Kind != relay.AuthorContact && in.Author.Kind != relay.AuthorBot {
		return nil, relay.Errorf(relay.EINVALID, "An inbound message's author is a contact or a bot.")
	}
	if in.Author.ID == 0 {
		return nil, relay.Errorf(relay.EINVALID, "An inbound message needs its author's id.")
	}
	if err := validateBody(in.Body); err != nil {
		return nil, err
	}
	if in.ExternalID != "" && !clientMsgIDRE.MatchString(in.ExternalID) {
		return nil, relay.Errorf(relay.EINVALID, "The external id must be 1–64 characters of letters, digits and . _ : -")
	}
	c, err := a.store.ChannelAccess(ctx, workspaceID, in.ChannelID, 0)
	if err != nil {
		return nil, err
	}
	if c.Archived {
		return nil, relay.Errorf(relay.ECONFLICT, "The channel is archived.")
	}
	name, err := relay.NormalizeName("The author's name", in.Author.DisplayName, 80)
	if err != nil {
		return nil, err
	}
	author := in.Author
	author.DisplayName = name
	// Outside bodies are plain text to Relay: a "<@id>" from LINE mentions
	// nobody here, and @channel from a stranger notifies no one.
	m := &relay.Message{ID: a.ids.New(), WorkspaceID: workspaceID, ChannelID: c.ID, Author: author,
		Source: in.Source, Body: in.Body, ClientMsgID: in.ExternalID, CreatedAt: a.Now(), Attachments: in.Attachments}
	res, err := a.seq.post(ctx, m)
	if err != nil {
		return nil, err
	}
	return res.Message, nil
}
