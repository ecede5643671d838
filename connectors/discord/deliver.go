package discord

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/internal/textsplit"
)

// Delivery settings.
const (
	// MaxContent is Discord's limit on a message's content.
	MaxContent = 2000
	// WebhookName names the webhook the bot creates in each bridged channel.
	WebhookName = "Relay"
	// noHookFor is how long a channel where the bot may not create a
	// webhook is served by the bot's own messages before trying again.
	noHookFor = 15 * time.Minute
	// maxInlineWait is the longest a delivery waits for a rate limit
	// between the parts of a long message (instead of failing the row and
	// sending the first parts again).
	maxInlineWait = 10 * time.Second
)

// Secrets of a conversation (sealed by app.SetConversationSecrets).
const (
	secretWebhookID    = "webhook_id"
	secretWebhookToken = "webhook_token"
)

// noMentions keeps Relay text from pinging anyone on Discord (@everyone,
// roles, users): the text is shown, nobody is notified.
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// Deliver sends one outbox row to Discord: message.create through the
// channel's webhook (made on first use) or, failing that, as the bot;
// message.update and message.delete to the copy Discord has.
func (b *Bot) Deliver(ctx context.Context, o *relay.Outgoing) (relay.Sent, error) {
	if o.Conversation == nil {
		return relay.Sent{}, relay.Permanent(errors.New("the row names no Discord channel"))
	}
	channelID, ok := strings.CutPrefix(o.Conversation.Key, "channel:")
	if !ok || channelID == "" || strings.Trim(channelID, "0123456789") != "" {
		return relay.Sent{}, relay.Permanent(errors.New("the conversation is not a Discord channel"))
	}
	d := &delivery{b: b, o: o, channelID: channelID, secrets: o.ConversationSecrets}
	if d.secrets == nil {
		d.secrets = map[string]string{}
	}
	switch o.Item.Kind {
	case relay.OutboxMessageCreate:
		return d.create(ctx)
	case relay.OutboxMessageUpdate:
		return d.update(ctx)
	case relay.OutboxMessageDelete:
		return d.remove(ctx)
	}
	return relay.Sent{}, relay.Permanent(errors.New("unknown outbox kind " + o.Item.Kind))
}

type delivery struct {
	b         *Bot
	o         *relay.Outgoing
	channelID string
	secrets   map[string]string
}

func (d *delivery) webhook() (id, token string) {
	return d.secrets[secretWebhookID], d.secrets[secretWebhookToken]
}

func (d *delivery) create(ctx context.Context) (relay.Sent, error) {
	m := d.o.Message
	if m == nil || m.DeletedAt != nil {
		return relay.Sent{}, relay.Skip
	}
	text := d.text(m)
	if strings.TrimSpace(text) == "" {
		return relay.Sent{}, relay.Skip
	}
	id, _ := d.webhook()
	if id == "" {
		if err := d.makeWebhook(ctx); err != nil {
			return relay.Sent{}, err
		}
		id, _ = d.webhook()
	}
	var parts []string
	send := d.postAsWebhook
	if id == "" {
		// No webhook: the bot speaks, naming the author.
		parts = Split("**"+escapeMarkdown(d.username(m))+":** "+text, MaxContent)
		send = d.postAsBot
	} else {
		parts = Split(text, MaxContent)
	}
	var first string
	for i, part := range parts {
		msgID, err := d.sendPart(ctx, send, part, i > 0)
		if err != nil {
			return relay.Sent{}, err
		}
		if i == 0 {
			first = msgID
		}
	}
	return relay.Sent{ExternalID: first, ResponseCode: http.StatusOK}, nil
}

// sendPart sends one part; after the first, a short rate limit is waited
// out here so the parts already sent are not sent again by a retry.
func (d *delivery) sendPart(ctx context.Context, send func(context.Context, string) (string, *apiError), part string, later bool) (string, error) {
	for tries := 0; ; tries++ {
		id, e := send(ctx, part)
		if e == nil {
			return id, nil
		}
		if later && e.Status == http.StatusTooManyRequests && e.RetryAfter <= maxInlineWait && tries < 3 {
			if sleep(ctx, e.RetryAfter) {
				continue
			}
		}
		return "", deliveryError(e)
	}
}

// postAsWebhook executes the channel's webhook with the Relay author's name
// and avatar; a webhook deleted on Discord's side is made again once.
func (d *delivery) postAsWebhook(ctx context.Context, content string) (string, *apiError) {
	params := &discordgo.WebhookParams{Content: content, Username: d.username(d.o.Message),
		AvatarURL: d.avatar(d.o.Message), AllowedMentions: noMentions}
	for remade := false; ; remade = true {
		id, token := d.webhook()
		if id == "" {
			// Gone, and the bot may not make another: the next try posts
			// as the bot from the first part.
			return "", &apiError{Message: "the channel's webhook was deleted and a new one cannot be made"}
		}
		var msg *discordgo.Message
		r, err := d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
			var err error
			msg, err = d.b.s.WebhookExecute(id, token, true, params, opts...)
			return err
		})
		e := describe(err, r)
		if e == nil {
			if msg == nil || msg.ID == "" {
				return "", &apiError{Status: r.status, Message: "the webhook answered without a message id"}
			}
			return msg.ID, nil
		}
		if remade || !webhookGone(e) {
			return "", e
		}
		if err := d.forgetWebhook(ctx); err != nil {
			return "", &apiError{Status: 0, Message: err.Error()}
		}
		if err := d.makeWebhook(ctx); err != nil {
			var de *relay.DeliveryError
			if errors.As(err, &de) {
				if ae, ok := de.Err.(*apiError); ok {
					return "", ae
				}
			}
			return "", &apiError{Message: err.Error()}
		}
	}
}

func (d *delivery) postAsBot(ctx context.Context, content string) (string, *apiError) {
	var msg *discordgo.Message
	r, err := d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		msg, err = d.b.s.ChannelMessageSendComplex(d.channelID, &discordgo.MessageSend{Content: content, AllowedMentions: noMentions}, opts...)
		return err
	})
	if e := describe(err, r); e != nil {
		return "", e
	}
	if msg == nil || msg.ID == "" {
		return "", &apiError{Status: r.status, Message: "Discord answered without a message id"}
	}
	return msg.ID, nil
}

// webhookGone: the stored webhook no longer exists (deleted in Discord) or
// its token no longer works.
func webhookGone(e *apiError) bool {
	return e.Code == codeUnknownWebhook || (e.Status == http.StatusNotFound && e.Code == 0) || e.Status == http.StatusUnauthorized
}

// makeWebhook creates the channel's webhook and keeps its id and token
// with the conversation. When the bot may not (missing Manage Webhooks,
// or the channel has too many) it leaves none and the bot posts itself.
func (d *delivery) makeWebhook(ctx context.Context) error {
	if until, ok := d.b.noHook.Load(d.channelID); ok && time.Now().Before(until.(time.Time)) {
		return nil
	}
	var wh *discordgo.Webhook
	r, err := d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		wh, err = d.b.s.WebhookCreate(d.channelID, WebhookName, "", opts...)
		return err
	})
	if e := describe(err, r); e != nil {
		if e.Status == http.StatusForbidden || e.Code == codeMissingPermissions || e.Code == codeMissingAccess || e.Code == codeMaxWebhooks {
			d.b.log.Warn("discord: cannot create a webhook; posting as the bot", "channel", d.channelID, "err", e)
			d.b.noHook.Store(d.channelID, time.Now().Add(noHookFor))
			return nil
		}
		return deliveryError(e)
	}
	if wh == nil || wh.ID == "" || wh.Token == "" {
		return errors.New("discord created a webhook without id or token")
	}
	d.b.noHook.Delete(d.channelID)
	next := map[string]string{}
	for k, v := range d.secrets {
		next[k] = v
	}
	next[secretWebhookID], next[secretWebhookToken] = wh.ID, wh.Token
	if err := d.b.relay.SetConversationSecrets(ctx, d.o.Conversation, next); err != nil {
		return err
	}
	d.secrets = next
	return nil
}

func (d *delivery) forgetWebhook(ctx context.Context) error {
	next := map[string]string{}
	for k, v := range d.secrets {
		if k != secretWebhookID && k != secretWebhookToken {
			next[k] = v
		}
	}
	if err := d.b.relay.SetConversationSecrets(ctx, d.o.Conversation, next); err != nil {
		return err
	}
	d.secrets = next
	return nil
}

func (d *delivery) update(ctx context.Context) (relay.Sent, error) {
	m := d.o.Message
	if m == nil || m.DeletedAt != nil || d.o.ExternalID == "" {
		return relay.Sent{}, relay.Skip
	}
	text := d.text(m)
	if strings.TrimSpace(text) == "" {
		return relay.Sent{}, relay.Skip
	}
	// Only the first part of a long message can follow an edit.
	first := Split(text, MaxContent)[0]
	var e *apiError
	if id, token := d.webhook(); id != "" {
		var r *reply
		var err error
		r, err = d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
			_, err := d.b.s.WebhookMessageEdit(id, token, d.o.ExternalID, &discordgo.WebhookEdit{Content: &first, AllowedMentions: noMentions}, opts...)
			return err
		})
		if e = describe(err, r); e == nil {
			return relay.Sent{ExternalID: d.o.ExternalID, ResponseCode: r.status}, nil
		}
		if e.Status != http.StatusNotFound && e.Status != http.StatusForbidden && e.Status != http.StatusUnauthorized {
			return relay.Sent{}, deliveryError(e)
		}
		// Not the webhook's message: perhaps the bot posted it.
	}
	botFirst := Split("**"+escapeMarkdown(d.username(m))+":** "+text, MaxContent)[0]
	r, err := d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := d.b.s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: d.o.ExternalID, Channel: d.channelID,
			Content: &botFirst, AllowedMentions: noMentions}, opts...)
		return err
	})
	if e := describe(err, r); e != nil {
		return relay.Sent{}, deliveryError(e)
	}
	return relay.Sent{ExternalID: d.o.ExternalID, ResponseCode: r.status}, nil
}

func (d *delivery) remove(ctx context.Context) (relay.Sent, error) {
	if d.o.ExternalID == "" {
		return relay.Sent{}, relay.Skip
	}
	if id, token := d.webhook(); id != "" {
		r, err := d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
			return d.b.s.WebhookMessageDelete(id, token, d.o.ExternalID, opts...)
		})
		e := describe(err, r)
		if e == nil {
			return relay.Sent{ResponseCode: r.status}, nil
		}
		if e.Status != http.StatusNotFound && e.Status != http.StatusForbidden && e.Status != http.StatusUnauthorized {
			return relay.Sent{}, deliveryError(e)
		}
	}
	r, err := d.b.call(ctx, func(opts ...discordgo.RequestOption) error {
		return d.b.s.ChannelMessageDelete(d.channelID, d.o.ExternalID, opts...)
	})
	if e := describe(err, r); e != nil {
		if e.Status == http.StatusNotFound {
			// Already gone on Discord: nothing left to do.
			return relay.Sent{ResponseCode: e.Status}, nil
		}
		return relay.Sent{}, deliveryError(e)
	}
	return relay.Sent{ResponseCode: r.status}, nil
}

// text is what Discord shows: the body, then a link per attachment.
func (d *delivery) text(m *relay.Message) string {
	var b strings.Builder
	b.WriteString(m.Body)
	for _, a := range m.Attachments {
		u := d.absolute(a.URL)
		if u == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		name := a.Name
		if name == "" {
			name = a.Kind
		}
		b.WriteString(escapeMarkdown(name) + ": " + u)
	}
	return b.String()
}

// absolute makes a Relay path (/api/v1/…) a full URL on the workspace's
// address; "" when there is none.
func (d *delivery) absolute(u string) string {
	switch {
	case strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"):
		return u
	case strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && d.o.SiteURL != "":
		return strings.TrimRight(d.o.SiteURL, "/") + u
	}
	return ""
}

func (d *delivery) avatar(m *relay.Message) string {
	u := d.absolute(m.Author.AvatarURL)
	if len(u) > 2000 {
		return ""
	}
	return u
}

// username is the author's name as a webhook may show it: 1–80
// characters, none of the words and characters Discord refuses in webhook
// names ("discord", "clyde", @, #, :, ```), not "everyone" or "here".
func (d *delivery) username(m *relay.Message) string { return WebhookUsername(m.Author.DisplayName) }

// WebhookUsername makes a display name acceptable as a webhook username.
func WebhookUsername(name string) string {
	s := strings.Map(func(r rune) rune {
		switch r {
		case '@', '#', ':':
			return -1
		case '\n', '\r', '\t':
			return ' '
		}
		return r
	}, name)
	for strings.Contains(s, "```") {
		s = strings.ReplaceAll(s, "```", "")
	}
	s = strings.Join(strings.Fields(s), " ")
	// A zero-width space keeps the name readable and acceptable.
	s = refusedWordRE.ReplaceAllStringFunc(s, func(w string) string { return w[:1] + "\u200b" + w[1:] })
	if rs := []rune(s); len(rs) > 80 {
		s = strings.TrimSpace(string(rs[:80]))
	}
	switch strings.ToLower(s) {
	case "", "everyone", "here":
		return "Relay user"
	}
	return s
}

var refusedWordRE = regexp.MustCompile(`(?i)discord|clyde`)

var markdownEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `~`, `\~`, `|`, `\|`, `>`, `\>`)

func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// Split cuts text into parts of at most limit UTF-16 code units (how
// Discord counts), preferring a line break or a space (textsplit.Split);
// blank text is one empty part.
func Split(text string, limit int) []string {
	if parts := textsplit.Split(text, limit); len(parts) > 0 {
		return parts
	}
	return []string{""}
}
