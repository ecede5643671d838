package discord

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/discord/discordfake"
)

// outgoing is an outbox row for the world's bridged channel, with the
// conversation secrets Relay holds now.
func (w *world) outgoing(kind string, m *relay.Message, externalID string) *relay.Outgoing {
	w.r.mu.Lock()
	secrets := maps.Clone(w.r.secrets[w.conv.ID])
	w.r.mu.Unlock()
	conv := *w.conv
	return &relay.Outgoing{Item: relay.OutboxItem{ID: 1, Kind: kind}, Connector: w.conn, Conversation: &conv,
		ConversationSecrets: secrets, Message: m, ExternalID: externalID, SiteURL: "http://acme.relay.test"}
}

func relayMessage(body string) *relay.Message {
	return &relay.Message{ID: ids.New(), Body: body, Source: relay.SourceInternal,
		Author: relay.Author{ID: 7, Kind: relay.AuthorUser, DisplayName: "Carol @ Support: Discord team", AvatarURL: "/api/v1/users/7/avatar"}}
}

func TestDeliverThroughTheChannelWebhook(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	ctx := context.Background()
	m := relayMessage("Hello from Relay @everyone")
	m.Attachments = []relay.Attachment{{Name: "report.pdf", Kind: "file", URL: "/api/v1/files/9"}}

	sent, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, m, ""))
	if err != nil {
		t.Fatal(err)
	}
	hooks := w.f.Webhooks(w.bridged)
	if len(hooks) != 1 || hooks[0].Name != "Relay" {
		t.Fatalf("webhooks %+v, want one named Relay", hooks)
	}
	creates := w.f.Requests("POST", "/channels/"+w.bridged+"/webhooks")
	if len(creates) != 1 || creates[0].Header.Get("Authorization") != "Bot "+discordfake.BotToken {
		t.Fatalf("webhook creations %d (with the bot's token)", len(creates))
	}
	golden(t, "webhook_create", creates[0].Body)
	if s := w.r.secrets[w.conv.ID]; s["webhook_id"] != hooks[0].ID || s["webhook_token"] != hooks[0].Token {
		t.Errorf("conversation secrets %v, want the webhook's id and token", s)
	}
	exec := w.f.Requests("POST", "/webhooks/"+hooks[0].ID+"/"+hooks[0].Token)
	if len(exec) != 1 || exec[0].Query.Get("wait") != "true" {
		t.Fatalf("webhook executions %+v, want one with wait=true", exec)
	}
	golden(t, "webhook_execute", exec[0].Body)
	msgs := w.f.Messages(w.bridged)
	if len(msgs) != 1 {
		t.Fatalf("%d messages on Discord, want 1", len(msgs))
	}
	got := msgs[0]
	if sent.ExternalID != got.ID || got.WebhookID != hooks[0].ID {
		t.Errorf("sent %+v, Discord has %+v", sent, got)
	}
	if got.Author.Username != "Carol Support D\u200biscord team" || got.AvatarURL != "http://acme.relay.test/api/v1/users/7/avatar" {
		t.Errorf("shown as %q with avatar %q", got.Author.Username, got.AvatarURL)
	}
	if want := "Hello from Relay @everyone\nreport.pdf: http://acme.relay.test/api/v1/files/9"; got.Content != want {
		t.Errorf("content %q, want %q", got.Content, want)
	}

	// The next message reuses the webhook.
	o := w.outgoing(relay.OutboxMessageCreate, relayMessage("again"), "")
	if _, err := b.Deliver(ctx, o); err != nil {
		t.Fatal(err)
	}
	if n := len(w.f.Requests("POST", "/channels/"+w.bridged+"/webhooks")); n != 1 {
		t.Errorf("%d webhook creations, want 1", n)
	}

	// Edits and deletes go to the webhook's message.
	m.Body = "Edited"
	m.Attachments = nil
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageUpdate, m, sent.ExternalID)); err != nil {
		t.Fatal(err)
	}
	edits := w.f.Requests("PATCH", "/webhooks/"+hooks[0].ID+"/"+hooks[0].Token+"/messages/"+sent.ExternalID)
	if len(edits) != 1 {
		t.Fatalf("%d webhook message edits, want 1", len(edits))
	}
	golden(t, "webhook_edit", edits[0].Body)
	if c := w.f.Messages(w.bridged)[0]; c.Content != "Edited" || c.EditedAt == nil {
		t.Errorf("after the edit Discord has %q", c.Content)
	}
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageDelete, nil, sent.ExternalID)); err != nil {
		t.Fatal(err)
	}
	if !w.f.Messages(w.bridged)[0].Deleted {
		t.Error("the message is not deleted on Discord")
	}
	// Deleting again (a retry): already gone is done.
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageDelete, nil, sent.ExternalID)); err != nil {
		t.Errorf("deleting a deleted message: %v", err)
	}
}

func TestDeliverAsTheBotWithoutWebhookPermission(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	w.f.DenyWebhooks(w.bridged)
	ctx := context.Background()
	m := relayMessage("Hi *there*")
	sent, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, m, ""))
	if err != nil {
		t.Fatal(err)
	}
	posts := w.f.Requests("POST", "/channels/"+w.bridged+"/messages")
	if len(posts) != 1 {
		t.Fatalf("%d bot posts, want 1", len(posts))
	}
	golden(t, "channel_message", posts[0].Body)
	msgs := w.f.Messages(w.bridged)
	if len(msgs) != 1 || msgs[0].ID != sent.ExternalID || msgs[0].Author.ID != discordfake.BotUserID {
		t.Fatalf("Discord has %+v, sent %+v", msgs, sent)
	}
	if len(w.r.secrets[w.conv.ID]) != 0 {
		t.Errorf("secrets %v stored without a webhook", w.r.secrets[w.conv.ID])
	}
	// The refusal is remembered: the next message does not ask again.
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, relayMessage("two"), "")); err != nil {
		t.Fatal(err)
	}
	if n := len(w.f.Requests("POST", "/channels/"+w.bridged+"/webhooks")); n != 1 {
		t.Errorf("%d webhook creation attempts, want 1", n)
	}
	// Edits and deletes of the bot's message use the bot's endpoints.
	m.Body = "Changed"
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageUpdate, m, sent.ExternalID)); err != nil {
		t.Fatal(err)
	}
	if c := w.f.Messages(w.bridged)[0].Content; c != "**Carol Support D\u200biscord team:** Changed" {
		t.Errorf("edited to %q", c)
	}
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageDelete, nil, sent.ExternalID)); err != nil {
		t.Fatal(err)
	}
	if !w.f.Messages(w.bridged)[0].Deleted {
		t.Error("not deleted")
	}
}

// A message the bot posted before the webhook existed is edited as the bot.
func TestDeliverEditFallsBackToTheBot(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	ctx := context.Background()
	old := w.f.Post(discordfake.Message{ChannelID: w.bridged, Author: discordgo.User{ID: discordfake.BotUserID, Username: "Relay", Bot: true}, Content: "**Carol:** old"})
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, relayMessage("makes the webhook"), "")); err != nil {
		t.Fatal(err)
	}
	m := relayMessage("new text")
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageUpdate, m, old.ID)); err != nil {
		t.Fatal(err)
	}
	if c := w.f.Messages(w.bridged)[0].Content; c != "**Carol Support D\u200biscord team:** new text" {
		t.Errorf("edited to %q", c)
	}
}

func TestDeliverRecreatesADeletedWebhookOnce(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	ctx := context.Background()
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, relayMessage("one"), "")); err != nil {
		t.Fatal(err)
	}
	first := w.f.Webhooks(w.bridged)[0]
	w.f.DeleteWebhook(first.ID)
	sent, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, relayMessage("two"), ""))
	if err != nil {
		t.Fatal(err)
	}
	hooks := w.f.Webhooks(w.bridged)
	if len(hooks) != 1 || hooks[0].ID == first.ID {
		t.Fatalf("webhooks %+v, want a new one", hooks)
	}
	if s := w.r.secrets[w.conv.ID]; s["webhook_id"] != hooks[0].ID {
		t.Errorf("secrets %v, want the new webhook", s)
	}
	msgs := w.f.Messages(w.bridged)
	if len(msgs) != 2 || msgs[1].ID != sent.ExternalID || msgs[1].WebhookID != hooks[0].ID {
		t.Errorf("Discord has %+v", msgs)
	}
}

func TestDeliverSplitsLongMessages(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	body := strings.Repeat("word ", 900) + "\n" + strings.Repeat("😀", 1500) // 4500 + 1 + 3000 UTF-16 units
	sent, err := b.Deliver(context.Background(), w.outgoing(relay.OutboxMessageCreate, relayMessage(body), ""))
	if err != nil {
		t.Fatal(err)
	}
	msgs := w.f.Messages(w.bridged)
	if len(msgs) < 4 {
		t.Fatalf("%d messages, want the body in ≥ 4 parts", len(msgs))
	}
	if sent.ExternalID != msgs[0].ID {
		t.Errorf("external id %s, want the first part's %s", sent.ExternalID, msgs[0].ID)
	}
	var joined strings.Builder
	for _, m := range msgs {
		if n := len(utf16.Encode([]rune(m.Content))); n > MaxContent {
			t.Errorf("a part of %d UTF-16 units", n)
		}
		joined.WriteString(m.Content)
	}
	strip := strings.NewReplacer(" ", "", "\n", "")
	if strip.Replace(joined.String()) != strip.Replace(body) {
		t.Error("the parts do not add up to the body")
	}
}

func TestDeliverErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fail      func(f *discordfake.Server)
		permanent bool
		code      int
		retry     time.Duration // minimum RetryAfter
	}{
		{name: "rate limited", fail: func(f *discordfake.Server) { f.RateLimitNext("POST", "/webhooks/", 2500*time.Millisecond) },
			code: 429, retry: 2500 * time.Millisecond},
		{name: "server error", fail: func(f *discordfake.Server) {
			f.FailNext("POST", "/webhooks/", 500, `{"message": "Internal Server Error", "code": 0}`, nil)
		}, code: 500},
		{name: "bad gateway", fail: func(f *discordfake.Server) { f.FailNext("POST", "/webhooks/", 502, `<html>bad gateway</html>`, nil) }, code: 502},
		{name: "forbidden", fail: func(f *discordfake.Server) {
			f.FailNext("POST", "/webhooks/", 403, `{"message": "Missing Access", "code": 50001}`, nil)
		}, permanent: true, code: 403},
		{name: "bad request", fail: func(f *discordfake.Server) {
			f.FailNext("POST", "/webhooks/", 400, `{"message": "Invalid Form Body", "code": 50035}`, nil)
		}, permanent: true, code: 400},
		{name: "unknown channel", fail: func(f *discordfake.Server) {
			f.FailNext("POST", "/webhooks/", 404, `{"message": "Unknown Channel", "code": 10003}`, nil)
		}, permanent: true, code: 404},
		{name: "rate limited creating the webhook", fail: func(f *discordfake.Server) {
			f.RateLimitNext("POST", "/channels/", 1500*time.Millisecond)
		}, code: 429, retry: 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			b := newBot(t, w.f, w.r)
			if !strings.Contains(tc.name, "creating") {
				if _, err := b.Deliver(context.Background(), w.outgoing(relay.OutboxMessageCreate, relayMessage("first"), "")); err != nil {
					t.Fatal(err)
				}
			}
			tc.fail(w.f)
			_, err := b.Deliver(context.Background(), w.outgoing(relay.OutboxMessageCreate, relayMessage("hello"), ""))
			var de *relay.DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T), want *relay.DeliveryError", err, err)
			}
			if de.Permanent != tc.permanent || de.ResponseCode != tc.code || de.RetryAfter < tc.retry {
				t.Errorf("got permanent %v code %d retry after %v, want %v %d ≥%v", de.Permanent, de.ResponseCode, de.RetryAfter, tc.permanent, tc.code, tc.retry)
			}
			if tc.retry == 0 && de.RetryAfter != 0 {
				t.Errorf("retry after %v on a %d", de.RetryAfter, tc.code)
			}
			for _, wh := range w.f.Webhooks(w.bridged) {
				if strings.Contains(err.Error(), wh.Token) {
					t.Errorf("the error %q shows the webhook token", err)
				}
			}
		})
	}
}

func TestDeliverUnreachableHidesTheWebhookURL(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	ctx := context.Background()
	if _, err := b.Deliver(ctx, w.outgoing(relay.OutboxMessageCreate, relayMessage("first"), "")); err != nil {
		t.Fatal(err)
	}
	token := w.f.Webhooks(w.bridged)[0].Token
	o := w.outgoing(relay.OutboxMessageCreate, relayMessage("second"), "")
	w.f.Close()
	_, err := b.Deliver(ctx, o)
	var de *relay.DeliveryError
	if !errors.As(err, &de) || de.Permanent || de.ResponseCode != 0 {
		t.Fatalf("error %v, want a retryable delivery error", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "/webhooks/") {
		t.Errorf("the error %q shows the webhook URL", err)
	}
}

func TestDeliverNothingToSend(t *testing.T) {
	w := newWorld(t)
	b := newBot(t, w.f, w.r)
	ctx := context.Background()
	deleted := relayMessage("gone")
	now := time.Now()
	deleted.DeletedAt = &now
	for _, o := range []*relay.Outgoing{
		w.outgoing(relay.OutboxMessageCreate, deleted, ""),
		w.outgoing(relay.OutboxMessageCreate, nil, ""),
		w.outgoing(relay.OutboxMessageCreate, relayMessage("   "), ""),
		w.outgoing(relay.OutboxMessageUpdate, relayMessage("not delivered yet"), ""),
		w.outgoing(relay.OutboxMessageDelete, nil, ""),
	} {
		if _, err := b.Deliver(ctx, o); !errors.Is(err, relay.Skip) {
			t.Errorf("%s: %v, want relay.Skip", o.Item.Kind, err)
		}
	}
	bad := w.outgoing(relay.OutboxMessageCreate, relayMessage("x"), "")
	bad.Conversation.Key = "user:U123"
	var de *relay.DeliveryError
	if _, err := b.Deliver(ctx, bad); !errors.As(err, &de) || !de.Permanent {
		t.Errorf("a LINE conversation: %v, want a permanent error", err)
	}
	if n := len(w.f.Requests("", "/")); n != 0 {
		t.Errorf("%d requests to Discord, want none", n)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"X-Ratelimit-Reset-After": {"1.25"}}, 1250 * time.Millisecond},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{}, 0},
	} {
		if got := retryAfterHeader(tc.h); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestWebhookUsername(t *testing.T) {
	for in, want := range map[string]string{
		"Carol":                 "Carol",
		"  ":                    "Relay user",
		"everyone":              "Relay user",
		"@here":                 "Relay user",
		"Discord Mod":           "D\u200biscord Mod",
		"my CLYDE":              "my C\u200bLYDE",
		"a:b#c@d```e":           "abcde",
		"line\nbreak":           "line break",
		strings.Repeat("x", 90): strings.Repeat("x", 80),
	} {
		if got := WebhookUsername(in); got != want {
			t.Errorf("WebhookUsername(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, []string{""}},
		{"aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"aaaa\nbbbb cccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"😀😀😀", 4, []string{"😀😀", "😀"}},
		{"😀", 1, []string{"😀"}},
	} {
		got := Split(tc.in, tc.limit)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("Split(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}
