package socket_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testserver"
)

// TestRoleChangedLive: member:role_changed reaches the changed member's own
// socket (before it closes for re-authorisation) and the workspace's other
// staff, so navigation follows without a reload; nobody in another
// workspace hears of it, not even the same person's socket there.
func TestRoleChangedLive(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		st := w.st
		globex := st.Signup(t, "globex")
		// bob is a member of globex too: the same person, signed in there.
		var inv struct {
			Token string `json:"token"`
		}
		st.Must(t, http.StatusCreated, "POST", "globex", "/api/v1/invites", globex.Token,
			map[string]string{"email": w.bob.Email, "role": string(relay.RoleMember)}, &inv)
		var res struct {
			Token string `json:"token"`
		}
		st.Must(t, http.StatusCreated, "POST", "globex", "/api/v1/invites/"+inv.Token+"/accept", "",
			map[string]string{"display_name": "bob", "password": w.bob.Password}, &res)
		bobThere := w.bob
		bobThere.Sub, bobThere.Token, bobThere.WorkspaceID = "globex", res.Token, globex.WorkspaceID
		carol := st.Invite(t, w.owner, "carol", relay.RoleMember)

		acme, other := relay.WorkspaceTopic(w.owner.WorkspaceID), relay.WorkspaceTopic(globex.WorkspaceID)
		open := func(a testserver.Account, topic string) *client {
			c := dial(t, st, a)
			c.mustJoin(topic, nil, nil)
			c.mustJoin(relay.UserTopic(a.UserID), nil, nil)
			return c
		}
		bob, owner := open(w.bob, acme), open(w.owner, acme)
		there, globexOwner := open(bobThere, other), open(globex, other)

		patch := func(who testserver.Account, body map[string]any) {
			st.Must(t, http.StatusOK, "PATCH", "acme", "/api/v1/members/"+who.UserID.String(), w.owner.Token, body, nil)
		}
		check := func(c *client, want app.MemberRoleChangedEvent) {
			t.Helper()
			f := c.expect("member:role_changed", is(acme, app.EvMemberRoleChanged))
			var got app.MemberRoleChangedEvent
			if err := json.Unmarshal(f.Payload, &got); err != nil || got != want {
				t.Errorf("%s: member:role_changed %s (%v), want %+v", c.name, f.Payload, err, want)
			}
		}

		// A member made an agent: their own socket hears it, then closes.
		patch(w.bob, map[string]any{"role": relay.RoleAgent})
		agent := app.MemberRoleChangedEvent{UserID: w.bob.UserID, Role: relay.RoleAgent}
		check(bob, agent)
		check(owner, agent)
		bob.closed()

		// The desk granted to a member: the same event, with desk.
		c := open(carol, acme)
		patch(carol, map[string]any{"desk": true})
		granted := app.MemberRoleChangedEvent{UserID: carol.UserID, Role: relay.RoleMember, Desk: true}
		check(c, granted)
		check(owner, granted)

		// globex heard nothing: not its owner, not bob's own socket there
		// (which stays open: its access did not change).
		there.alive()
		globexOwner.alive()
		for _, c := range []*client{there, globexOwner} {
			for _, f := range c.drain() {
				if f.Event == app.EvMemberRoleChanged {
					t.Errorf("%s in another workspace got %s", c.name, f)
				}
			}
		}
	})
}
