package httpapi

import (
	"net/http"
	"testing"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestShortcodesBecomeEmoji: ":tada:" typed in full, posted by a webhook,
// edited in, or written on a ticket is stored as 🎉; code and unknown names
// stay as they were.
func TestShortcodesBecomeEmoji(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e, _ := newHookEnv(t, db, hookEnvOptions{})
		owner := e.signup("acme")
		general := e.channelNamed(owner, "general")

		for _, tt := range []struct{ in, want string }{
			{"Shipped :tada: :+1::skin-tone-2:", "Shipped 🎉 👍🏻"},
			{"`:tada:` and\n```\n:tada:\n```", "`:tada:` and\n```\n:tada:\n```"},
			{":not_an_emoji_name: at 10:30:00 on http://x:8080:tada:", ":not_an_emoji_name: at 10:30:00 on http://x:8080:tada:"},
		} {
			if got := e.post(owner, general, tt.in)["body"]; got != tt.want {
				t.Errorf("posted %q, stored %q; want %q", tt.in, got, tt.want)
			}
		}

		m := e.post(owner, general, "draft")
		r := e.do("PATCH", "acme", "/api/v1/messages/"+m["id"].(string), map[string]string{"body": "done :white_check_mark:"}, bearer(owner.token))
		want(t, r, http.StatusOK, "")
		if got := r.json(t)["body"]; got != "done ✅" {
			t.Errorf("edited body %q, want %q", got, "done ✅")
		}

		_, tok := e.createHook(owner, general, "CI")
		want(t, e.do("POST", "", "/hooks/in/"+tok, map[string]string{"text": ":rocket: deployed"}), http.StatusOK, "")
		msgs := e.messages(owner, general)
		if got := msgs[len(msgs)-1]["body"]; got != "🚀 deployed" {
			t.Errorf("webhook post stored %q, want %q", got, "🚀 deployed")
		}
	})
}

// TestShortcodesOnTickets: ticket messages and notes pass the same place.
func TestShortcodesOnTickets(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		d := newDeskEnv(t, db)
		tk := d.ticket(t, d.carl, map[string]any{"subject": "Thanks", "description": "It works :heart:"})
		r := d.do("POST", "/api/v1/tickets/"+tk["id"].(string)+"/messages", map[string]any{"body": "Glad :smile:", "internal": true}, d.agent)
		want(t, r, http.StatusCreated, "")
		if got := r.json(t)["body"]; got != "Glad 😄" {
			t.Errorf("ticket note stored %q, want %q", got, "Glad 😄")
		}
	})
}
