package socket_test

// Who may connect, join and stay: refused upgrades, forbidden topics, and
// revocation when a person loses access while connected.

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/store"
)

func TestSocketAuthorisation(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		hs := &hookStore{DB: db}
		w := newWorld(t, testserver.Config{DB: db, Store: hs})
		st := w.st
		globex := st.Signup(t, "globex")
		globexGeneral := st.General(t, globex)
		carol := st.Invite(t, w.owner, "carol", relay.RoleMember)
		secret := st.CreateChannel(t, w.owner, "secret", relay.ChannelPrivate, w.bob.UserID)
		secretTopic := relay.ChannelTopic(secret)

		t.Run("refused upgrades", func(t *testing.T) {
			cookie := func(tok string) dialOpt { return withHeader("Cookie", "relay_session="+tok) }
			for _, tc := range []struct {
				name, sub, token string
				opts             []dialOpt
				want             int
			}{
				{name: "no credential", sub: "acme", want: http.StatusUnauthorized},
				{name: "malformed token", sub: "acme", token: "nope", want: http.StatusUnauthorized},
				{name: "unknown token", sub: "acme", token: "rly_" + strings.Repeat("x", 43), want: http.StatusUnauthorized},
				{name: "another workspace's token", sub: "acme", token: globex.Token, want: http.StatusUnauthorized},
				{name: "token on another workspace's host", sub: "globex", token: w.bob.Token, want: http.StatusUnauthorized},
				{name: "no such workspace", sub: "nowhere", token: w.bob.Token, want: http.StatusNotFound},
				{name: "apex host", sub: "", token: w.bob.Token, want: http.StatusNotFound},
				{name: "foreign origin", sub: "acme", token: w.bob.Token, opts: []dialOpt{withHeader("Origin", "https://evil.example")}, want: http.StatusForbidden},
				{name: "cookie from a foreign origin", sub: "acme", opts: []dialOpt{cookie(w.bob.Token), withHeader("Origin", "https://evil.example")}, want: http.StatusForbidden},
				{name: "cookie from the workspace's origin", sub: "acme", opts: []dialOpt{cookie(w.bob.Token), withHeader("Origin", "http://acme.relay.test")}, want: http.StatusSwitchingProtocols},
				{name: "token", sub: "acme", token: w.bob.Token, want: http.StatusSwitchingProtocols},
			} {
				t.Run(tc.name, func(t *testing.T) {
					c, status, err := tryDial(t, st, tc.sub, tc.token, tc.opts...)
					if status != tc.want {
						t.Fatalf("upgrade status %d (%v), want %d", status, err, tc.want)
					}
					if c != nil {
						c.alive()
					}
				})
			}
		})

		t.Run("forbidden topics", func(t *testing.T) {
			c := dial(t, st, carol)
			for _, tc := range []struct{ name, topic string }{
				{"another workspace's channel", relay.ChannelTopic(globexGeneral)},
				{"another workspace's topic", relay.WorkspaceTopic(globex.WorkspaceID)},
				{"another user's topic", relay.UserTopic(w.bob.UserID)},
				{"a private channel one is not in", secretTopic},
				{"no such channel", "channel:12345"},
				{"malformed id", "channel:abc"},
				{"unknown kind", "room:1"},
			} {
				if r := c.join(tc.topic, nil); r.Status != "error" {
					t.Errorf("%s: join %s: %s, want an error", tc.name, tc.topic, r)
				} else if reason, _ := r.reason(); reason == "" {
					t.Errorf("%s: error reply without a reason: %s", tc.name, r)
				}
			}
			// The socket is still usable for what carol may join.
			c.mustJoin(relay.UserTopic(carol.UserID), nil, nil)
			c.mustJoin(relay.WorkspaceTopic(carol.WorkspaceID), nil, nil)
			c.mustJoin(w.topic, nil, nil)
		})

		t.Run("customers do not get the workspace topic", func(t *testing.T) {
			// It carries staff presence, public channel names and the member
			// list: a customer would see other customers and internal names.
			cu := st.Invite(t, w.owner, "cora", relay.RoleCustomer)
			c := dial(t, st, cu)
			if r := c.join(relay.WorkspaceTopic(cu.WorkspaceID), nil); r.Status != "error" {
				t.Fatalf("customer joined the workspace topic: %s", r)
			}
			c.mustJoin(relay.UserTopic(cu.UserID), nil, nil)
		})

		t.Run("removed from a private channel", func(t *testing.T) {
			c := dial(t, st, w.bob)
			c.mustJoin(secretTopic, map[string]any{"last_seq": 0}, nil)
			joinRef := c.joinRef(secretTopic)
			c.mustJoin(w.topic, nil, nil)
			m := st.Post(t, w.owner, secret, "secret 1")
			c.expect("the first secret", isMsg(secretTopic, m.ID))

			st.Must(t, http.StatusNoContent, "DELETE", "acme", "/api/v1/channels/"+secret.String()+"/members/"+w.bob.UserID.String(), w.owner.Token, nil, nil)
			f := c.expect("phx_close on the private channel", is(secretTopic, "phx_close"))
			if f.JoinRef != joinRef || f.Ref != joinRef {
				t.Errorf("phx_close refs = %q, %q; want the join ref %q twice", f.JoinRef, f.Ref, joinRef)
			}
			st.Post(t, w.owner, secret, "secret 2")
			sentinel := st.Post(t, w.owner, w.general, "sentinel")
			for _, f := range c.until("the sentinel", isMsg(w.topic, sentinel.ID)) {
				if f.Topic == secretTopic && f.Event != "member:left" {
					t.Errorf("after phx_close: %s", f)
				}
			}
			if r := c.push(secretTopic, "message:send", map[string]any{"body": "let me in"}); r.Status != "error" {
				t.Errorf("push on the closed topic: %s, want an error", r)
			}
			if r := c.join(secretTopic, nil); r.Status != "error" {
				t.Errorf("rejoin after removal: %s, want an error", r)
			}
			c.alive()
		})

		t.Run("nothing posted after the removal arrives", func(t *testing.T) {
			// The removal has committed when DELETE answers: a message
			// posted after that must not reach the removed member, even
			// while the server is still checking their access (held here
			// as a slow database would).
			hush := st.CreateChannel(t, w.owner, "hush", relay.ChannelPrivate, carol.UserID)
			hushTopic := relay.ChannelTopic(hush)
			c := dial(t, st, carol)
			c.mustJoin(hushTopic, nil, nil)
			c.mustJoin(w.topic, nil, nil)
			release := hs.holdAccess(t, hush, carol.UserID)
			st.Must(t, http.StatusNoContent, "DELETE", "acme", "/api/v1/channels/"+hush.String()+"/members/"+carol.UserID.String(), w.owner.Token, nil, nil)
			after := st.Post(t, w.owner, hush, "said after carol left")
			sentinel := st.Post(t, w.owner, w.general, "sentinel")
			frames := c.until("the sentinel", isMsg(w.topic, sentinel.ID))
			release()
			if !slices.ContainsFunc(frames, is(hushTopic, "phx_close")) {
				frames = append(frames, c.expect("phx_close on the private channel", is(hushTopic, "phx_close")))
			}
			for _, f := range append(frames, c.drain()...) {
				if isMsg(hushTopic, after.ID)(f) {
					t.Errorf("the removed member received a message posted after the removal: %s", f)
				}
			}
		})

		t.Run("logout closes that session's sockets", func(t *testing.T) {
			dave := st.Invite(t, w.owner, "dave", relay.RoleMember)
			dave2 := st.Login(t, dave)
			s1, s2 := dial(t, st, dave), dial(t, st, dave2)
			s1.mustJoin(w.topic, nil, nil)
			s2.mustJoin(w.topic, nil, nil)
			st.Must(t, http.StatusNoContent, "POST", "acme", "/api/v1/auth/logout", dave.Token, nil, nil)
			if err := s1.closed(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("the signed-out session's socket ended with %v, want close 1000", err)
			}
			s2.alive()
			if _, status, _ := tryDial(t, st, "acme", dave.Token); status != http.StatusUnauthorized {
				t.Errorf("reconnect with the ended session: status %d, want 401", status)
			}
		})

		t.Run("removed from the workspace", func(t *testing.T) {
			c := dial(t, st, carol)
			c.mustJoin(relay.WorkspaceTopic(carol.WorkspaceID), nil, nil)
			idle := dial(t, st, carol) // connected, nothing joined yet
			idle.alive()
			other := dial(t, st, w.bob)
			st.Must(t, http.StatusNoContent, "DELETE", "acme", "/api/v1/members/"+carol.UserID.String(), w.owner.Token, nil, nil)
			if err := c.closed(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("the removed member's socket ended with %v, want close 1000", err)
			}
			// A socket that had joined nothing yet must not outlive the
			// membership either: it would go on joining public channels
			// with the credentials it was opened with.
			ref := idle.sendJoin(w.topic, nil)
			f, err := idle.tryExpect(func(f frame) bool { return f.Event == "phx_reply" && f.Ref == ref })
			if err == nil && strings.Contains(string(f.Payload), `"status":"ok"`) {
				t.Errorf("the removed member's idle socket joined %s after the removal: %s", w.topic, f)
			}
			other.alive()
			if _, status, _ := tryDial(t, st, "acme", carol.Token); status != http.StatusUnauthorized {
				t.Errorf("reconnect after removal: status %d, want 401", status)
			}
		})
	})
}
