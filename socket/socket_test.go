package socket_test

// Delivery over the socket: slow consumers, idempotent sends, typing,
// read cursors.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/socket"
)

// TestSlowConsumerIsDisconnected: a socket that stops reading while a
// channel floods is closed by the server once its bounded queue is full;
// another subscriber of the channel receives every message, in order.
func TestSlowConsumerIsDisconnected(t *testing.T) {
	const maxFlood = 3000 // far more than the buffers can hold
	// Bounds small enough that the paused socket overflows soon, with room
	// enough (~70 of these 15 KB frames) that the socket that keeps reading
	// never falls that far behind, even under -race on a busy machine.
	cfg := testserver.Config{QueueLen: 256, QueueBytes: 1 << 20}
	engineWorld(t, cfg, func(t *testing.T, w *world) {
		// A smaller receive buffer than the default (which grows to tens
		// of MB) so the flood is short; not below the loopback MSS (64 KB),
		// or window updates stall and reading resumes at a crawl.
		slow := dial(t, w.st, w.bob, withReadBuffer(256<<10))
		slow.mustJoin(w.topic, nil, nil)
		fast := dial(t, w.st, w.owner)
		fast.mustJoin(w.topic, nil, nil)
		slow.pause()
		w.st.SetMessageRate(t, w.owner, 0, 0) // a flood, far beyond a person's rate

		// Four posters (group commit makes that quicker than one) flood
		// until the hub reports the slow consumer.
		body := strings.Repeat("flood ", 2500) // about 15 KB a frame
		var posted atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for w.st.Hub.Stats().SlowConsumers == 0 && posted.Load() < maxFlood {
					r, err := w.st.TryDo("POST", "acme", "/api/v1/channels/"+w.general.String()+"/messages", w.owner.Token, map[string]string{"body": body})
					if err == nil && r.Status != http.StatusCreated {
						err = fmt.Errorf("post: status %d: %s", r.Status, r.Body)
					}
					if err != nil {
						errs <- err
						return
					}
					if posted.Add(1)%20 == 0 {
						// A flood under -race on a loaded machine can take
						// longer than the idle timeout: the paused client
						// keeps heartbeating, as phoenix.js does, so only its
						// full queue can end it.
						slow.keepAlive()
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if w.st.Hub.Stats().SlowConsumers == 0 {
			t.Fatalf("%d messages posted and the paused socket was never disconnected", posted.Load())
		}
		t.Logf("the paused socket was disconnected after about %d messages", posted.Load())
		for range 5 { // and the channel goes on for everyone else
			w.st.Post(t, w.owner, w.general, "after the disconnect")
		}
		total := posted.Load() + 5

		for seq := int64(1); seq <= total; seq++ {
			if got := msgOf(fast.nextOn(w.topic, "message:new")); got.Seq != seq {
				t.Fatalf("the other subscriber got seq %d, want %d", got.Seq, seq)
			}
		}
		fast.alive()

		slow.resume()
		if err := slow.closed(); err == nil {
			t.Fatal("the slow socket's reader stopped without an error")
		}
		// What it did receive is a prefix of the channel: frames were cut
		// off, never skipped.
		var n int64
		for _, f := range slow.drain() {
			if f.Event != "message:new" {
				continue
			}
			n++
			if got := msgOf(f).Seq; got != n {
				t.Fatalf("the slow socket got seq %d as its message #%d", got, n)
			}
		}
		if n >= total {
			t.Errorf("the slow socket received all %d messages; it should have been cut off", n)
		}
		checkFor(t, wait, 5*time.Millisecond, func() error {
			if got := w.st.Phoenix.Conns(); got != 1 {
				return fmt.Errorf("%d sockets open, want 1", got)
			}
			return nil
		})
	})
}

// send pushes message:send and fails unless it succeeds.
func send(t *testing.T, c *client, topic string, in map[string]any) relay.Message {
	t.Helper()
	r := c.push(topic, "message:send", in)
	return sentMessage(t, r)
}

func sentMessage(t *testing.T, r reply) relay.Message {
	t.Helper()
	if r.Status != "ok" {
		t.Fatalf("message:send: %s", r)
	}
	var out struct{ Message relay.Message }
	if err := json.Unmarshal(r.Response, &out); err != nil || out.Message.ID == 0 {
		t.Fatalf("message:send reply %s: %v", r.Response, err)
	}
	return out.Message
}

// TestDuplicateClientMsgID: a retried message:send with the same
// client_msg_id returns the message stored the first time, and the channel
// sees it once — sequential retries on one socket, and two sockets of the
// same person sending at once.
func TestDuplicateClientMsgID(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		c := dial(t, w.st, w.bob)
		c.mustJoin(w.topic, nil, nil)
		m1 := send(t, c, w.topic, map[string]any{"body": "once", "client_msg_id": "dup-1"})
		m2 := send(t, c, w.topic, map[string]any{"body": "once", "client_msg_id": "dup-1"})
		if m1.ID != m2.ID || m1.Seq != m2.Seq || m2.ClientMsgID != "dup-1" {
			t.Fatalf("retry stored message %d seq %d, first %d seq %d", m2.ID, m2.Seq, m1.ID, m1.Seq)
		}

		c2 := dial(t, w.st, w.bob)
		c2.mustJoin(w.topic, nil, nil)
		ref1 := c.sendPush(w.topic, "message:send", map[string]any{"body": "twice", "client_msg_id": "dup-2"})
		ref2 := c2.sendPush(w.topic, "message:send", map[string]any{"body": "twice", "client_msg_id": "dup-2"})
		a := sentMessage(t, c.awaitReply(w.topic, ref1))
		b := sentMessage(t, c2.awaitReply(w.topic, ref2))
		if a.ID != b.ID {
			t.Fatalf("concurrent sends stored two messages: %d and %d", a.ID, b.ID)
		}

		sentinel := w.st.Post(t, w.owner, w.general, "sentinel")
		count := map[relay.ID]int{}
		for _, f := range c.until("the sentinel", isMsg(w.topic, sentinel.ID)) {
			if f.Event == "message:new" {
				count[msgOf(f).ID]++
			}
		}
		want := map[relay.ID]int{m1.ID: 1, a.ID: 1, sentinel.ID: 1}
		if fmt.Sprint(count) != fmt.Sprint(want) {
			t.Errorf("message:new events by id = %v, want %v", count, want)
		}
	})
}

// TestTyping: a typing notice reaches the channel's other members (and the
// sender's other tabs), not the socket that sent it; only members may type.
func TestTyping(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		owner := dial(t, w.st, w.owner)
		owner.mustJoin(w.topic, nil, nil)
		bob := dial(t, w.st, w.bob)
		bob.mustJoin(w.topic, nil, nil)
		bobTab := dial(t, w.st, w.bob)
		bobTab.mustJoin(w.topic, nil, nil)

		if r := bob.push(w.topic, "typing", map[string]any{}); r.Status != "ok" {
			t.Fatalf("typing: %s", r)
		}
		for _, c := range []*client{owner, bobTab} {
			var ev socket.TypingEvent
			if err := json.Unmarshal(c.nextOn(w.topic, "typing").Payload, &ev); err != nil {
				t.Fatal(err)
			}
			want := socket.TypingEvent{ChannelID: w.general, UserID: w.bob.UserID, DisplayName: "bob",
				ExpiresInMS: int(socket.TypingTTL / time.Millisecond)}
			if ev != want {
				t.Errorf("%s got typing %+v, want %+v", c.name, ev, want)
			}
		}
		// Not echoed: the next thing the sender sees is a later message.
		m := w.st.Post(t, w.owner, w.general, "after the typing")
		if f := bob.next(); !isMsg(w.topic, m.ID)(f) {
			t.Errorf("sender's next frame is %s, want message:new %d", f, m.ID)
		}

		// In a thread, the notice names it.
		if r := owner.push(w.topic, "typing", map[string]any{"parent_id": m.ID}); r.Status != "ok" {
			t.Fatalf("typing in a thread: %s", r)
		}
		var ev socket.TypingEvent
		if err := json.Unmarshal(bob.expect("typing", is(w.topic, "typing")).Payload, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.UserID != w.owner.UserID || ev.ParentID == nil || *ev.ParentID != m.ID {
			t.Errorf("thread typing = %+v, want the owner in thread %d", ev, m.ID)
		}

		// A reader who is not a member may watch the channel but not type in it.
		viewer := w.st.Invite(t, w.owner, "viewer", relay.RoleMember)
		other := w.st.CreateChannel(t, w.owner, "other", relay.ChannelPublic)
		v := dial(t, w.st, viewer)
		v.mustJoin(relay.ChannelTopic(other), nil, nil)
		if r := v.push(relay.ChannelTopic(other), "typing", map[string]any{}); r.Status != "error" {
			t.Errorf("typing as a non-member: %s, want an error", r)
		}
	})
}

// TestReadUpdatesOtherTabs: a read push moves the cursor and tells the
// user's other sockets on their user topic; the cursor never moves back.
func TestReadUpdatesOtherTabs(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		for i := range 3 {
			w.st.Post(t, w.owner, w.general, fmt.Sprint("unread ", i))
		}
		tab1 := dial(t, w.st, w.bob)
		tab1.mustJoin(w.topic, nil, nil)
		tab2 := dial(t, w.st, w.bob)
		userTopic := relay.UserTopic(w.bob.UserID)
		tab2.mustJoin(userTopic, nil, nil)

		read := func(seq int64) relay.ChannelMember {
			t.Helper()
			r := tab1.push(w.topic, "read", map[string]any{"seq": seq})
			if r.Status != "ok" {
				t.Fatalf("read %d: %s", seq, r)
			}
			var out struct{ Membership relay.ChannelMember }
			if err := json.Unmarshal(r.Response, &out); err != nil {
				t.Fatal(err)
			}
			return out.Membership
		}
		type unread struct {
			ChannelID    relay.ID `json:"channel_id"`
			LastReadSeq  int64    `json:"last_read_seq"`
			UnreadCount  int64    `json:"unread_count"`
			MentionCount int64    `json:"mention_count"`
		}
		next := func() unread {
			t.Helper()
			var u unread
			if err := json.Unmarshal(tab2.nextOn(userTopic, "unread:updated").Payload, &u); err != nil {
				t.Fatal(err)
			}
			return u
		}

		if m := read(2); m.LastReadSeq != 2 || m.UnreadCount != 1 {
			t.Errorf("read 2: membership %+v, want last_read_seq 2, 1 unread", m)
		}
		if got, want := next(), (unread{ChannelID: w.general, LastReadSeq: 2, UnreadCount: 1}); got != want {
			t.Errorf("unread:updated = %+v, want %+v", got, want)
		}
		if m := read(1); m.LastReadSeq != 2 { // backwards: no change, no event
			t.Errorf("read 1 after 2: last_read_seq %d, want 2", m.LastReadSeq)
		}
		read(3)
		if got, want := next(), (unread{ChannelID: w.general, LastReadSeq: 3}); got != want {
			t.Errorf("unread:updated = %+v, want %+v", got, want)
		}
		if r := tab1.push(w.topic, "read", map[string]any{}); r.Status != "error" {
			t.Errorf("read without seq: %s, want an error", r)
		}
	})
}

// TestRenameReachesPresenceAndTyping: a member who changes their display
// name or avatar shows the new ones in presence and typing notices without
// reconnecting.
func TestRenameReachesPresenceAndTyping(t *testing.T) {
	w := newWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	wsTopic := relay.WorkspaceTopic(w.owner.WorkspaceID)
	owner := dial(t, w.st, w.owner)
	owner.mustJoin(wsTopic, nil, nil)
	owner.mustJoin(w.topic, nil, nil)
	bob := dial(t, w.st, w.bob)
	bob.mustJoin(wsTopic, nil, nil)
	bob.mustJoin(w.topic, nil, nil)
	owner.expect("bob's presence", func(f frame) bool {
		return f.Topic == wsTopic && strings.Contains(string(f.Payload), `"display_name":"bob"`)
	})

	w.st.Do(t, "PATCH", w.bob.Sub, "/api/v1/users/me", w.bob.Token, map[string]string{"display_name": "Robert"})
	owner.expect("a presence diff with the new name", func(f frame) bool {
		return f.Topic == wsTopic && f.Event == "presence_diff" && strings.Contains(string(f.Payload), `"display_name":"Robert"`)
	})
	if r := bob.push(w.topic, "typing", map[string]any{}); r.Status != "ok" {
		t.Fatalf("typing: %s", r)
	}
	var ev socket.TypingEvent
	if err := json.Unmarshal(owner.expect("typing", is(w.topic, "typing")).Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DisplayName != "Robert" {
		t.Fatalf("typing notice names %q, want Robert", ev.DisplayName)
	}
}

// TestInboundMessages: a message from outside (a connector) takes the same
// path as a member's: stored with its source and author, delivered live,
// idempotent by its external id, confined to its workspace.
func TestInboundMessages(t *testing.T) {
	w := newWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	owner := dial(t, w.st, w.owner)
	owner.mustJoin(w.topic, nil, nil)
	ctx := context.Background()
	line := app.Inbound{ChannelID: w.general, Source: relay.SourceLINE, Body: "Hello from LINE <@1> @channel",
		Author: relay.Author{ID: 77, Kind: relay.AuthorContact, DisplayName: "Yuki"}, ExternalID: "line-msg-1"}
	m, err := w.st.App.Messaging.PostInbound(ctx, w.owner.WorkspaceID, line)
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != relay.SourceLINE || m.Author.Kind != relay.AuthorContact || m.MentionAll || len(m.Mentions) != 0 {
		t.Fatalf("stored %+v", m)
	}
	var got relay.Message
	if err := json.Unmarshal(owner.expect("the LINE message", isMsg(w.topic, m.ID)).Payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.Source != "line" || got.Author.DisplayName != "Yuki" || got.Author.Kind != "contact" {
		t.Fatalf("delivered %+v", got)
	}
	// A redelivery is the same message.
	again, err := w.st.App.Messaging.PostInbound(ctx, w.owner.WorkspaceID, line)
	if err != nil || again.ID != m.ID {
		t.Fatalf("redelivery: %v, id %v want %v", err, again, m.ID)
	}

	other := w.st.Signup(t, "other")
	for _, tt := range []struct {
		name string
		ws   relay.ID
		in   app.Inbound
		code string
	}{
		{"internal source", w.owner.WorkspaceID, app.Inbound{ChannelID: w.general, Source: relay.SourceInternal, Body: "x", Author: line.Author}, relay.EINVALID},
		{"user author", w.owner.WorkspaceID, app.Inbound{ChannelID: w.general, Source: relay.SourceDiscord, Body: "x", Author: relay.Author{ID: 1, Kind: relay.AuthorUser, DisplayName: "x"}}, relay.EINVALID},
		{"blank body", w.owner.WorkspaceID, app.Inbound{ChannelID: w.general, Source: relay.SourceDiscord, Body: "  ", Author: line.Author}, relay.EINVALID},
		{"no name", w.owner.WorkspaceID, app.Inbound{ChannelID: w.general, Source: relay.SourceDiscord, Body: "x", Author: relay.Author{ID: 5, Kind: relay.AuthorBot}}, relay.EINVALID},
		{"bad external id", w.owner.WorkspaceID, app.Inbound{ChannelID: w.general, Source: relay.SourceEmail, Body: "x", Author: line.Author, ExternalID: "a b"}, relay.EINVALID},
		{"another workspace's channel", other.WorkspaceID, app.Inbound{ChannelID: w.general, Source: relay.SourceWebhook, Body: "x", Author: line.Author}, relay.ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := w.st.App.Messaging.PostInbound(ctx, tt.ws, tt.in); relay.ErrorCode(err) != tt.code {
				t.Fatalf("error %v, want code %s", err, tt.code)
			}
		})
	}
}
