package line

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/line/linefake"
)

func TestLINEBotInfo(t *testing.T) {
	fake := linefake.New(t)
	fake.SetBot("good-token", "Acme Shop", "@acme", "https://profile.line-scdn.net/p.png")
	c := New(newFakeRelay(), Config{APIURL: fake.URL, DataAPIURL: fake.URL, Workers: 1})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	for _, tt := range []struct {
		name    string
		token   string
		fail    int // status of LINE's answer, 0: normal
		bot     string
		refused bool
	}{
		{name: "good token", token: "good-token", bot: "Acme Shop"},
		{name: "unknown token", token: "made-up-token", refused: true},
		{name: "forbidden", token: "good-token", fail: http.StatusForbidden, refused: true},
		{name: "LINE down", token: "good-token", fail: http.StatusInternalServerError},
		{name: "no token", token: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fail != 0 {
				fake.Fail("info", 1, tt.fail, "")
			}
			info, err := c.LINEBotInfo(context.Background(), tt.token)
			if tt.bot != "" {
				if err != nil || info.DisplayName != tt.bot || info.BasicID != "@acme" || info.PictureURL == "" || info.UserID == "" {
					t.Fatalf("info %+v, err %v", info, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error: %+v", info)
			}
			if got := errors.Is(err, relay.ErrTokenRefused); got != tt.refused {
				t.Fatalf("refused = %v, want %v (%v)", got, tt.refused, err)
			}
		})
	}
	// Each call went to GET /v2/bot/info with the token as a bearer.
	for _, call := range fake.Calls() {
		if call.Method != "GET" || call.Path != "/v2/bot/info" {
			t.Errorf("unexpected call %s %s", call.Method, call.Path)
		}
	}
}
