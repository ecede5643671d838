package discord

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/connectors/discord/discordfake"
	"github.com/relayhq/relay/internal/testenv"
)

// A bot token Discord refuses is found at start (GET /users/@me answers
// 401) and reported as the bot's Problem, in words for workspace admins;
// a refused Message Content intent too; a bot that connects has none.
func TestBotProblemAtStart(t *testing.T) {
	for _, tt := range []struct {
		name   string
		token  string
		intent bool // Discord refuses the Message Content intent
		want   string
	}{
		{name: "refused token", token: "not-the-bot-token", want: "refused this Relay server's bot token"},
		{name: "missing intent", token: discordfake.BotToken, intent: true, want: "Message Content intent"},
		{name: "good token", token: discordfake.BotToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if tt.intent {
				w.f.RefuseMessageContent()
			}
			b, err := New(Config{BotToken: tt.token, ApplicationID: discordfake.ApplicationID, ClientSecret: discordfake.ClientSecret,
				BaseURL: "http://relay.test", APIURL: w.f.APIURL(), MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}, w.r)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- b.Run(ctx) }()
			defer func() { cancel(); <-done }()
			if tt.want == "" {
				waitLive(t, w.f, 1)
				if p := b.Problem(); p != "" {
					t.Fatalf("problem %q with a good token", p)
				}
				return
			}
			testenv.CheckFor(t, 10*time.Second, 5*time.Millisecond, func() error {
				if p := b.Problem(); !strings.Contains(p, tt.want) {
					return fmt.Errorf("problem %q, want it to say %q", p, tt.want)
				}
				return nil
			})
			if tt.intent {
				return
			}
			// The token was checked with GET /users/@me, which Discord refused.
			reqs := w.f.Requests("GET", "/users/@me")
			if len(reqs) == 0 || reqs[0].Header.Get("Authorization") != "Bot "+tt.token {
				t.Fatalf("GET /users/@me requests: %+v", reqs)
			}
			if n := len(w.f.Identifies()); n != 0 {
				t.Errorf("%d IDENTIFY with a refused token", n)
			}
		})
	}
}
