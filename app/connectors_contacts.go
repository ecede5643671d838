package app

import (
	"context"
	"regexp"
	"strings"

	"github.com/relayhq/relay"
)

// Outside people and conversations: the shared LINE bot's joins and
// routes, contacts, redelivered events, and conversation mappings.

var joinRE = regexp.MustCompile(`^[23456789A-Z]{8}$`)

// JoinShared links an outside user to the workspace whose shared connector
// of the type has the join code: later messages from them go there.
func (a *Connectors) JoinShared(ctx context.Context, typ, code string, who relay.ExternalContact) (*relay.Connector, error) {
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
func (a *Connectors) SharedRoute(ctx context.Context, typ, externalUserID string) (*relay.Connector, error) {
	ct, err := a.store.LinkedContact(ctx, typ, relay.ModelShared, externalUserID)
	if err != nil {
		return nil, err
	}
	return a.store.Connector(ctx, ct.WorkspaceID, ct.ConnectorID)
}

func (a *Connectors) upsertContact(ctx context.Context, c *relay.Connector, who relay.ExternalContact) (*relay.Contact, error) {
	if who.ExternalID == "" || len(who.ExternalID) > 128 {
		return nil, relay.Errorf(relay.EINVALID, "An outside contact needs its id.")
	}
	name := strings.TrimSpace(who.Name)
	if name == "" {
		name = map[string]string{relay.ConnectorLINE: "LINE user", relay.ConnectorDiscord: "Discord user"}[c.Type]
	}
	name, err := relay.NormalizeName("name", truncateRunes(name, 80), 80)
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
func (a *Connectors) SetContactState(ctx context.Context, c *relay.Connector, externalID, state string) error {
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
func (a *Connectors) MarkHookEvent(ctx context.Context, c *relay.Connector, eventID string) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	return a.store.MarkHookEvent(ctx, c.ID, eventID, a.Now())
}

// SetConversationSecrets stores per-conversation credentials (a Discord
// webhook's id and token), sealed.
func (a *Connectors) SetConversationSecrets(ctx context.Context, conv *relay.Conversation, secrets map[string]string) error {
	sealed, err := a.SealSecrets(conversationAAD(conv.ID), secrets)
	if err != nil {
		return err
	}
	conv.Secrets = sealed
	return a.store.UpdateConversation(ctx, conv)
}

// Conversation finds a connector's conversation by key (ENOTFOUND if the
// outside conversation is not mapped: for Discord, not bridged).
func (a *Connectors) Conversation(ctx context.Context, c *relay.Connector, key string) (*relay.Conversation, error) {
	return a.store.ConversationByKey(ctx, c.ID, key)
}
