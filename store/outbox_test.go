package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// outboxRows lists every outbox row of the workspace, oldest first.
func outboxRows(t *testing.T, db *store.DB, workspaceID relay.ID) []relay.OutboxItem {
	t.Helper()
	items, err := db.OutboxItems(ctx, workspaceID, "", 500)
	must(t, err)
	slices.Reverse(items)
	return items
}

// rowKey is what a test checks of an outbox row.
type rowKey struct {
	Kind                                  string
	Connector, Conversation, Subscription relay.ID
	Message, Channel                      relay.ID
	Event                                 string
}

func keysOf(items []relay.OutboxItem) []rowKey {
	deref := func(id *relay.ID) relay.ID {
		if id == nil {
			return 0
		}
		return *id
	}
	out := []rowKey{}
	for _, o := range items {
		out = append(out, rowKey{o.Kind, deref(o.ConnectorID), deref(o.ConversationID), deref(o.SubscriptionID),
			deref(o.MessageID), deref(o.ChannelID), o.Event})
	}
	return out
}

func mustSubscription(t *testing.T, db *store.DB, tn tenant, active bool, events ...string) *relay.WebhookSubscription {
	t.Helper()
	s := &relay.WebhookSubscription{ID: ids.New(), WorkspaceID: tn.ws.ID, URL: "https://hooks.example/" + tn.ws.Subdomain,
		Events: events, Active: active, CreatedBy: tn.owner.ID, CreatedAt: t0, Secrets: []byte("sealed")}
	if err := db.CreateSubscription(ctx, s); err != nil {
		t.Fatalf("CreateSubscription: %v", err)
	}
	return s
}

// TestPostEnqueuesConnectorRows: a user's message in an external channel
// writes one row per outside conversation of the channel, in the post's
// transaction; nothing else does.
func TestPostEnqueuesConnectorRows(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		line := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		discord := mustConnector(t, db, a, relay.ConnectorDiscord, "", "guild", "")
		conv1, ext := mustConversation(t, db, a, line, "group:C1", nil)
		conv2, _ := mustConversation(t, db, a, discord, "channel:9", ext)
		_, other := mustConversation(t, db, a, line, "user:U1", nil)

		m := msg(ext, a.owner, "reply from Relay")
		mustPostOne(t, db, m)
		want := []rowKey{
			{relay.OutboxMessageCreate, line.ID, conv1.ID, 0, m.ID, ext.ID, ""},
			{relay.OutboxMessageCreate, discord.ID, conv2.ID, 0, m.ID, ext.ID, ""},
		}
		items := outboxRows(t, db, a.ws.ID)
		diff(t, "rows after a user's post", keysOf(items), want)
		for _, o := range items {
			if o.State != relay.OutboxPending || o.Attempts != 0 || !o.NextAt.Equal(normalTime(m.CreatedAt)) || o.Payload != "" {
				t.Fatalf("new row = %+v, want pending, due at the message's time", o)
			}
		}

		// Nothing for: a contact's message, a bot's, a note, a message
		// from outside, a post in a channel that is not external.
		contact := msg(ext, a.owner, "from LINE")
		contact.Author, contact.Source = relay.Author{ID: ids.New(), Kind: relay.AuthorContact}, relay.SourceLINE
		bot := msg(ext, a.owner, "bot")
		bot.Author = relay.Author{ID: ids.New(), Kind: relay.AuthorBot}
		note := msg(ext, a.owner, "internal note")
		note.Internal = true
		relayed := msg(ext, a.owner, "user message relayed from Discord")
		relayed.Source = relay.SourceDiscord
		mustPost(t, db, contact, bot, note, relayed, msg(a.general, a.owner, "public"))
		diff(t, "rows after posts that go nowhere", keysOf(outboxRows(t, db, a.ws.ID)), want)

		// A batch over several channels: rows in message order; a
		// duplicate (same client_msg_id) enqueues nothing again.
		m2, m3 := msg(other, a.owner, "to U1"), msg(ext, a.owner, "second")
		m3.ClientMsgID = "c-3"
		mustPost(t, db, m2, m3)
		dup := *m3
		dup.ID = ids.New()
		if res := mustPost(t, db, &dup); !res[0].Existing {
			t.Fatalf("duplicate post = %+v, want the existing message", res[0])
		}
		convOther, err := db.ChannelConversations(ctx, a.ws.ID, other.ID)
		must(t, err)
		want = append(want,
			rowKey{relay.OutboxMessageCreate, line.ID, convOther[0].ID, 0, m2.ID, other.ID, ""},
			rowKey{relay.OutboxMessageCreate, line.ID, conv1.ID, 0, m3.ID, ext.ID, ""},
			rowKey{relay.OutboxMessageCreate, discord.ID, conv2.ID, 0, m3.ID, ext.ID, ""})
		diff(t, "rows after a batch", keysOf(outboxRows(t, db, a.ws.ID)), want)

		// Same transaction: a batch that fails writes no row.
		bad := msg(ext, a.owner, "in a batch that fails")
		missingParent := msg(ext, a.owner, "reply to nothing")
		missingParent.ParentID = ptr(ids.New())
		_, err = db.PostMessages(ctx, []*relay.Message{bad, missingParent})
		wantCode(t, err, relay.ENOTFOUND, "")
		diff(t, "rows after a failed batch", keysOf(outboxRows(t, db, a.ws.ID)), want)

		// Edits and deletes of a bridged message follow it out; of others not.
		_, err = db.EditMessage(ctx, a.ws.ID, m.ID, "edited", nil, false, t0.Add(time.Hour))
		must(t, err)
		_, err = db.DeleteMessage(ctx, a.ws.ID, m.ID, t0.Add(2*time.Hour))
		must(t, err)
		_, err = db.DeleteMessage(ctx, a.ws.ID, m.ID, t0.Add(3*time.Hour)) // already deleted: nothing new
		must(t, err)
		_, err = db.EditMessage(ctx, a.ws.ID, contact.ID, "edited outside", nil, false, t0.Add(time.Hour))
		must(t, err)
		_, err = db.DeleteMessage(ctx, a.ws.ID, note.ID, t0.Add(time.Hour))
		must(t, err)
		want = append(want,
			rowKey{relay.OutboxMessageUpdate, line.ID, conv1.ID, 0, m.ID, ext.ID, ""},
			rowKey{relay.OutboxMessageUpdate, discord.ID, conv2.ID, 0, m.ID, ext.ID, ""},
			rowKey{relay.OutboxMessageDelete, line.ID, conv1.ID, 0, m.ID, ext.ID, ""},
			rowKey{relay.OutboxMessageDelete, discord.ID, conv2.ID, 0, m.ID, ext.ID, ""})
		items = outboxRows(t, db, a.ws.ID)
		diff(t, "rows after edits and deletes", keysOf(items), want)
		if last := items[len(items)-1]; !last.NextAt.Equal(normalTime(t0.Add(2 * time.Hour))) {
			t.Fatalf("delete row due at %v, want the deletion's time", last.NextAt)
		}

		// Deliveries shown on messages: message.create rows only.
		got, err := db.MessageDeliveries(ctx, a.ws.ID, []relay.ID{m.ID, m2.ID, contact.ID, m.ID})
		must(t, err)
		if len(got) != 2 || len(got[m.ID]) != 2 || len(got[m2.ID]) != 1 {
			t.Fatalf("MessageDeliveries = %+v", got)
		}
		if d := got[m.ID][1]; d.State != relay.OutboxPending || d.Connector != discord.ID || d.OutboxID != items[1].ID {
			t.Fatalf("delivery = %+v, want discord's pending row %d", d, items[1].ID)
		}
	})
}

// TestPostEnqueuesWebhookRows: message.created rows go to the active
// subscriptions to that event of the message's workspace, for public,
// external and ticket conversations only.
func TestPostEnqueuesWebhookRows(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		c := mustCreateWorkspace(t, db, "c", "cid@example.com") // no subscriptions
		bob := mustMember(t, db, a, "bob@example.com")
		subA := mustSubscription(t, db, a, true, "ticket.created", "message.created")
		mustSubscription(t, db, a, true, "ticket.created")     // another event
		mustSubscription(t, db, a, false, "message.created")   // inactive
		mustSubscription(t, db, a, true, "message.created.v2") // not a prefix match
		subB := mustSubscription(t, db, b, true, "message.created")

		private := mustCreateChannel(t, db, a, "secret", relay.ChannelPrivate)
		dm := mustCreateChannel(t, db, a, "", relay.ChannelDM, bob.ID)
		carl := mustCustomer(t, db, a, "carl@example.com")
		tk := mustTicket(t, db, a.ws.ID, carl, "Printer", t0)
		line := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		_, ext := mustConversation(t, db, a, line, "user:U1", nil)

		inPublic := msg(a.general, a.owner, "hello <everyone>")
		inB := msg(b.general, b.owner, "in b")
		inC := msg(c.general, c.owner, "in c")
		inPrivate, inDM := msg(private, a.owner, "private"), msg(dm, a.owner, "dm")
		publicNote := msg(a.general, a.owner, "note")
		publicNote.Internal = true
		inTicket := msg(&relay.Channel{WorkspaceID: a.ws.ID, ID: tk.ChannelID}, carl, "my printer")
		notes := msg(&relay.Channel{WorkspaceID: a.ws.ID, ID: tk.NotesChannelID}, a.owner, "customer is VIP")
		notes.Internal = true
		notesNotFlagged := msg(&relay.Channel{WorkspaceID: a.ws.ID, ID: tk.NotesChannelID}, a.owner, "system line in notes")
		fromLINE := msg(ext, a.owner, "from LINE")
		fromLINE.Author, fromLINE.Source = relay.Author{ID: ids.New(), Kind: relay.AuthorContact, DisplayName: "Carl"}, relay.SourceLINE
		// One batch over three workspaces.
		mustPost(t, db, inPublic, inB, inC, inPrivate, inDM, publicNote, inTicket, notes, notesNotFlagged, fromLINE)

		const ev = "message.created"
		diff(t, "A's rows", keysOf(outboxRows(t, db, a.ws.ID)), []rowKey{
			{relay.OutboxWebhook, 0, 0, subA.ID, inPublic.ID, a.general.ID, ev},
			{relay.OutboxWebhook, 0, 0, subA.ID, inTicket.ID, tk.ChannelID, ev},
			{relay.OutboxWebhook, 0, 0, subA.ID, fromLINE.ID, ext.ID, ev},
		})
		bRows := outboxRows(t, db, b.ws.ID)
		diff(t, "B's rows", keysOf(bRows), []rowKey{{relay.OutboxWebhook, 0, 0, subB.ID, inB.ID, b.general.ID, ev}})
		if rows := outboxRows(t, db, c.ws.ID); len(rows) != 0 {
			t.Fatalf("C's rows = %+v, want none", rows)
		}

		var payload struct {
			Message relay.Message `json:"message"`
			Channel struct {
				ID   relay.ID          `json:"id"`
				Name string            `json:"name"`
				Kind relay.ChannelKind `json:"kind"`
			} `json:"channel"`
		}
		must(t, json.Unmarshal([]byte(bRows[0].Payload), &payload))
		if payload.Message.ID != inB.ID || payload.Message.Body != "in b" || payload.Message.Seq == 0 ||
			payload.Message.Author.DisplayName != b.owner.DisplayName || payload.Channel.ID != b.general.ID ||
			payload.Channel.Name != "general" || payload.Channel.Kind != relay.ChannelPublic {
			t.Fatalf("payload = %s", bRows[0].Payload)
		}
	})
}

func TestEnqueueEvent(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		s1 := mustSubscription(t, db, a, true, "ticket.created", "ticket.status_changed")
		s2 := mustSubscription(t, db, a, true, "ticket.status_changed")
		mustSubscription(t, db, b, true, "ticket.status_changed")

		payload := `{"ticket":{"id":"1","status":"resolved"}}`
		must(t, db.EnqueueEvent(ctx, a.ws.ID, "ticket.status_changed", []byte(payload), t0))
		must(t, db.EnqueueEvent(ctx, a.ws.ID, "ticket.assigned", []byte(`{}`), t0)) // nobody listens
		rows := outboxRows(t, db, a.ws.ID)
		diff(t, "rows", keysOf(rows), []rowKey{
			{relay.OutboxWebhook, 0, 0, s1.ID, 0, 0, "ticket.status_changed"},
			{relay.OutboxWebhook, 0, 0, s2.ID, 0, 0, "ticket.status_changed"},
		})
		if rows[0].Payload != payload || !rows[0].NextAt.Equal(normalTime(t0)) {
			t.Fatalf("row = %+v", rows[0])
		}
		if n := len(outboxRows(t, db, b.ws.ID)); n != 0 {
			t.Fatalf("B has %d rows, want none", n)
		}
		for _, bad := range []string{``, `[]`, `null`, `"x"`, `{"a":`} {
			wantCode(t, db.EnqueueEvent(ctx, a.ws.ID, "ticket.created", []byte(bad), t0), relay.EINVALID, "")
		}
		wantCode(t, db.EnqueueEvent(ctx, a.ws.ID, "", []byte(`{}`), t0), relay.EINVALID, "")
		wantCode(t, db.EnqueueEvent(ctx, a.ws.ID, "a,b", []byte(`{}`), t0), relay.EINVALID, "")
		if n := len(outboxRows(t, db, a.ws.ID)); n != 2 {
			t.Fatalf("%d rows after refused events, want 2", n)
		}
	})
}

// webhookRows enqueues n webhook rows (no conversation) for a new
// subscription of the tenant, due at t0.
func webhookRows(t *testing.T, db *store.DB, tn tenant, n int) {
	t.Helper()
	s := mustSubscription(t, db, tn, true, "ping")
	items := make([]relay.OutboxItem, n)
	for i := range items {
		items[i] = relay.OutboxItem{WorkspaceID: tn.ws.ID, Kind: relay.OutboxWebhook, SubscriptionID: &s.ID,
			Event: "ping", Payload: fmt.Sprintf(`{"n":%d}`, i), CreatedAt: t0}
	}
	must(t, db.EnqueueOutbox(ctx, items))
}

// conversationRows enqueues n message.create rows for conv, due at t0.
func conversationRows(t *testing.T, db *store.DB, conv *relay.Conversation, n int) []relay.OutboxItem {
	t.Helper()
	items := make([]relay.OutboxItem, n)
	for i := range items {
		items[i] = relay.OutboxItem{WorkspaceID: conv.WorkspaceID, Kind: relay.OutboxMessageCreate,
			ConnectorID: &conv.ConnectorID, ConversationID: &conv.ID, MessageID: ptr(ids.New()),
			ChannelID: &conv.ChannelID, CreatedAt: t0}
	}
	must(t, db.EnqueueOutbox(ctx, items))
	return items
}

func claimIDs(items []relay.OutboxItem) []int64 {
	out := []int64{}
	for _, o := range items {
		out = append(out, o.ID)
	}
	return out
}

func TestEnqueueOutbox(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		c := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		conv, _ := mustConversation(t, db, a, c, "user:U1", nil)
		items := conversationRows(t, db, conv, 3)
		if items[0].ID <= 0 || items[1].ID <= items[0].ID || items[2].ID <= items[1].ID {
			t.Fatalf("ids = %v, want increasing", claimIDs(items))
		}
		got, err := db.OutboxItem(ctx, a.ws.ID, items[0].ID)
		must(t, err)
		diff(t, "OutboxItem", *got, items[0])
		if got.State != relay.OutboxPending || !got.NextAt.Equal(normalTime(t0)) {
			t.Fatalf("defaults = %+v", got)
		}
		_, err = db.OutboxItem(ctx, b.ws.ID, items[0].ID)
		wantCode(t, err, relay.ENOTFOUND, "")

		// A row naming another workspace's connector is refused, all or nothing.
		err = db.EnqueueOutbox(ctx, []relay.OutboxItem{
			{WorkspaceID: b.ws.ID, Kind: relay.OutboxWebhook, CreatedAt: t0},
			{WorkspaceID: b.ws.ID, Kind: relay.OutboxMessageCreate, ConnectorID: &c.ID, ConversationID: &conv.ID, CreatedAt: t0},
		})
		wantCode(t, err, relay.ENOTFOUND, "")
		wantCode(t, db.EnqueueOutbox(ctx, []relay.OutboxItem{{WorkspaceID: b.ws.ID, Kind: "fax", CreatedAt: t0}}), relay.EINVALID, "")
		if n := len(outboxRows(t, db, b.ws.ID)); n != 0 {
			t.Fatalf("B has %d rows after refused enqueues", n)
		}

		// Listing by state.
		claimed, err := db.ClaimOutbox(ctx, t0, time.Minute, 10)
		must(t, err)
		if len(claimed) != 1 { // the conversation's first only
			t.Fatalf("claimed %v", claimIDs(claimed))
		}
		for state, n := range map[string]int{"": 3, relay.OutboxPending: 2, relay.OutboxSending: 1, relay.OutboxDead: 0} {
			list, err := db.OutboxItems(ctx, a.ws.ID, state, 0)
			must(t, err)
			if len(list) != n {
				t.Fatalf("OutboxItems(%q) = %d rows, want %d", state, len(list), n)
			}
		}
		list, err := db.OutboxItems(ctx, a.ws.ID, "", 2)
		must(t, err)
		if !slices.Equal(claimIDs(list), []int64{items[2].ID, items[1].ID}) {
			t.Fatalf("OutboxItems limit 2 = %v, want the newest two, newest first", claimIDs(list))
		}
		_, err = db.OutboxItems(ctx, a.ws.ID, "lost", 0)
		wantCode(t, err, relay.EINVALID, "")
	})
}

// TestClaimOutboxLease: a claimed row is out while its lease runs; after
// it the row is due again, and the worker whose lease ran out can no
// longer record an outcome.
func TestClaimOutboxLease(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		webhookRows(t, db, a, 1)
		now := t0.Add(time.Second)
		first, err := db.ClaimOutbox(ctx, now, time.Minute, 5)
		must(t, err)
		if len(first) != 1 || first[0].State != relay.OutboxSending || first[0].Attempts != 1 ||
			first[0].LeaseUntil == nil || !first[0].LeaseUntil.Equal(normalTime(now.Add(time.Minute))) {
			t.Fatalf("first claim = %+v", first)
		}
		if again, err := db.ClaimOutbox(ctx, now.Add(59*time.Second), time.Minute, 5); err != nil || len(again) != 0 {
			t.Fatalf("claim within the lease = %v, %v; want nothing", claimIDs(again), err)
		}
		later := now.Add(2 * time.Minute)
		second, err := db.ClaimOutbox(ctx, later, time.Minute, 5)
		must(t, err)
		if len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempts != 2 {
			t.Fatalf("claim after the lease = %+v, want the row again at attempt 2", second)
		}
		stale := first[0]
		stale.State = relay.OutboxDelivered
		if ok, err := db.FinishOutbox(ctx, &stale, later); err != nil || ok {
			t.Fatalf("FinishOutbox by the first worker = %v, %v; want false", ok, err)
		}
		got, err := db.OutboxItem(ctx, a.ws.ID, first[0].ID)
		must(t, err)
		if got.State != relay.OutboxSending || got.Attempts != 2 {
			t.Fatalf("row after the stale finish = %+v, want untouched", got)
		}
		// The second worker fails it for now: pending again at next_at.
		cur := second[0]
		cur.State, cur.NextAt, cur.LastError = relay.OutboxPending, later.Add(10*time.Second), "HTTP 502"
		if ok, err := db.FinishOutbox(ctx, &cur, later); err != nil || !ok {
			t.Fatalf("FinishOutbox pending = %v, %v", ok, err)
		}
		if again, err := db.ClaimOutbox(ctx, later.Add(9*time.Second), time.Minute, 5); err != nil || len(again) != 0 {
			t.Fatalf("claim before next_at = %v, %v; want nothing", claimIDs(again), err)
		}
		third, err := db.ClaimOutbox(ctx, later.Add(10*time.Second), time.Minute, 5)
		must(t, err)
		if len(third) != 1 || third[0].Attempts != 3 || third[0].LastError != "HTTP 502" {
			t.Fatalf("claim at next_at = %+v", third)
		}
		// Finishing twice: the second is stale.
		done := third[0]
		done.State, done.LastError = relay.OutboxDelivered, ""
		if ok, err := db.FinishOutbox(ctx, &done, later.Add(11*time.Second)); err != nil || !ok {
			t.Fatalf("FinishOutbox delivered = %v, %v", ok, err)
		}
		if done.DeliveredAt == nil || done.LastError != "" || done.LeaseUntil != nil {
			t.Fatalf("finished item = %+v", done)
		}
		if ok, err := db.FinishOutbox(ctx, &done, later.Add(12*time.Second)); err != nil || ok {
			t.Fatalf("second FinishOutbox = %v, %v; want false", ok, err)
		}
		got, err = db.OutboxItem(ctx, a.ws.ID, done.ID)
		must(t, err)
		if got.State != relay.OutboxDelivered || got.DeliveredAt == nil || got.LastError != "" ||
			!got.DeliveredAt.Equal(normalTime(later.Add(11*time.Second))) {
			t.Fatalf("delivered row = %+v", got)
		}
		if again, err := db.ClaimOutbox(ctx, later.Add(time.Hour), time.Minute, 5); err != nil || len(again) != 0 {
			t.Fatalf("claim after delivery = %v, %v; want nothing", claimIDs(again), err)
		}
		bad := done
		bad.State = relay.OutboxSending
		_, err = db.FinishOutbox(ctx, &bad, later)
		wantCode(t, err, relay.EINVALID, "")
	})
}

// TestClaimOutboxOrder: a conversation's rows go out one at a time, in
// order; a row being retried holds the later ones back; dead and delivered
// rows do not.
func TestClaimOutboxOrder(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		c := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		x, _ := mustConversation(t, db, a, c, "user:X", nil)
		y, _ := mustConversation(t, db, a, c, "user:Y", nil)
		xs := conversationRows(t, db, x, 3)
		ys := conversationRows(t, db, y, 1)
		now := t0.Add(time.Second)
		claim := func(at time.Time) []relay.OutboxItem {
			t.Helper()
			got, err := db.ClaimOutbox(ctx, at, time.Minute, 10)
			must(t, err)
			return got
		}
		finish := func(o relay.OutboxItem, state string, next time.Time) {
			t.Helper()
			o.State, o.NextAt, o.LastError = state, next, "failed"
			if state == relay.OutboxDelivered {
				o.LastError = ""
			}
			if ok, err := db.FinishOutbox(ctx, &o, now); err != nil || !ok {
				t.Fatalf("FinishOutbox(%d, %s) = %v, %v", o.ID, state, ok, err)
			}
		}

		got := claim(now)
		if !slices.Equal(claimIDs(got), []int64{xs[0].ID, ys[0].ID}) {
			t.Fatalf("first claim = %v, want X's first and Y's", claimIDs(got))
		}
		if again := claim(now); len(again) != 0 {
			t.Fatalf("claim while X's first is out = %v, want nothing", claimIDs(again))
		}
		// Y's row had nothing to send: done, with the reason kept.
		skipped := got[1]
		skipped.State, skipped.LastError = relay.OutboxDelivered, "skipped: nothing to deliver"
		if ok, err := db.FinishOutbox(ctx, &skipped, now); err != nil || !ok {
			t.Fatalf("FinishOutbox(skipped) = %v, %v", ok, err)
		}
		if y, err := db.OutboxItem(ctx, a.ws.ID, skipped.ID); err != nil || y.State != relay.OutboxDelivered ||
			y.LastError != "skipped: nothing to deliver" {
			t.Fatalf("skipped row = %+v, %v", y, err)
		}
		finish(got[0], relay.OutboxPending, now.Add(time.Hour)) // X's first will be retried later
		if again := claim(now.Add(time.Minute)); len(again) != 0 {
			t.Fatalf("claim while X's first waits for its retry = %v, want nothing (X's second must wait)", claimIDs(again))
		}
		got = claim(now.Add(time.Hour))
		if !slices.Equal(claimIDs(got), []int64{xs[0].ID}) {
			t.Fatalf("claim at the retry = %v, want X's first", claimIDs(got))
		}
		finish(got[0], relay.OutboxDead, time.Time{}) // gave up: X goes on
		got = claim(now.Add(time.Hour))
		if !slices.Equal(claimIDs(got), []int64{xs[1].ID}) {
			t.Fatalf("claim after X's first died = %v, want X's second", claimIDs(got))
		}
		finish(got[0], relay.OutboxDelivered, time.Time{})
		got = claim(now.Add(time.Hour))
		if !slices.Equal(claimIDs(got), []int64{xs[2].ID}) {
			t.Fatalf("claim after X's second = %v, want X's third", claimIDs(got))
		}

		// Retrying the dead row puts it back in line, and only a dead row.
		_, err := db.RetryOutbox(ctx, a.ws.ID, xs[1].ID, now)
		wantCode(t, err, relay.ECONFLICT, "Only a delivery that failed for good can be retried.")
		_, err = db.RetryOutbox(ctx, a.ws.ID, xs[2].ID, now)
		wantCode(t, err, relay.ECONFLICT, "")
		_, err = db.RetryOutbox(ctx, a.ws.ID, 1<<40, now)
		wantCode(t, err, relay.ENOTFOUND, "")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		_, err = db.RetryOutbox(ctx, b.ws.ID, xs[0].ID, now)
		wantCode(t, err, relay.ENOTFOUND, "")
		at := now.Add(2 * time.Hour)
		retried, err := db.RetryOutbox(ctx, a.ws.ID, xs[0].ID, at)
		must(t, err)
		if retried.State != relay.OutboxPending || retried.Attempts != 0 || retried.LastError != "" || !retried.NextAt.Equal(normalTime(at)) {
			t.Fatalf("retried = %+v", retried)
		}
		deliveries, err := db.MessageDeliveries(ctx, a.ws.ID, []relay.ID{*xs[0].MessageID, *xs[1].MessageID})
		must(t, err)
		if d := deliveries[*xs[0].MessageID]; len(d) != 1 || d[0].State != relay.OutboxPending || d[0].Attempts != 0 {
			t.Fatalf("deliveries of the retried message = %+v", d)
		}
		if d := deliveries[*xs[1].MessageID]; len(d) != 1 || d[0].State != relay.OutboxDelivered || d[0].Error != "" || d[0].Attempts != 1 {
			t.Fatalf("deliveries of the delivered message = %+v", d)
		}
		// Only older rows hold a row back: the retried row goes although
		// X's third is out (order was lost when it died), and X's third,
		// whose lease has run out, now waits behind it.
		got = claim(at)
		if !slices.Equal(claimIDs(got), []int64{xs[0].ID}) {
			t.Fatalf("claim after the retry = %v, want the retried row only", claimIDs(got))
		}
	})
}

// TestClaimOutboxConcurrent: many workers claiming at once, in one process
// or (PostgreSQL) two, never get the same row twice, and each
// conversation's rows are delivered in order.
func TestClaimOutboxConcurrent(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, dbs []*store.DB) {
		db := dbs[0]
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		c := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		const total, convCount = 200, 8
		webhookRows(t, db, a, total/2)
		var convs []*relay.Conversation
		for i := range convCount {
			conv, _ := mustConversation(t, db, a, c, fmt.Sprintf("user:%d", i), nil)
			convs = append(convs, conv)
		}
		// Interleave the conversations' rows.
		for i := range total / 2 {
			conversationRows(t, db, convs[i%convCount], 1)
		}
		all := outboxRows(t, db, a.ws.ID)
		if len(all) != total {
			t.Fatalf("%d rows, want %d", len(all), total)
		}

		var (
			mu        sync.Mutex
			claimedBy = map[int64]int{}
			lastDone  = map[relay.ID]int64{} // per conversation, the last row delivered
			delivered atomic.Int64
		)
		now := t0.Add(time.Minute)
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		const workers = 12
		for w := range workers {
			wg.Go(func() {
				db := dbs[w%len(dbs)]
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for delivered.Load() < total && ctx.Err() == nil {
					got, err := db.ClaimOutbox(ctx, now, time.Hour, 1+rng.IntN(7))
					if busy(err) {
						continue // two processes on one SQLite file: the other holds the lock; try again, as the worker does
					}
					if err != nil {
						t.Errorf("worker %d: ClaimOutbox: %v", w, err)
						return
					}
					if len(got) == 0 {
						runtime.Gosched()
						continue
					}
					mu.Lock()
					for _, o := range got {
						if prev, ok := claimedBy[o.ID]; ok {
							t.Errorf("row %d claimed by worker %d and again by worker %d", o.ID, prev, w)
						}
						claimedBy[o.ID] = w
						if o.Attempts != 1 {
							t.Errorf("row %d claimed at attempt %d, want 1", o.ID, o.Attempts)
						}
					}
					mu.Unlock()
					for _, o := range got {
						if o.ConversationID != nil {
							mu.Lock()
							if last := lastDone[*o.ConversationID]; last > o.ID {
								t.Errorf("conversation %v: row %d delivered after row %d", *o.ConversationID, o.ID, last)
							}
							lastDone[*o.ConversationID] = o.ID
							mu.Unlock()
						}
						o.State = relay.OutboxDelivered
						ok, err := db.FinishOutbox(ctx, &o, now)
						for busy(err) && ctx.Err() == nil {
							ok, err = db.FinishOutbox(ctx, &o, now)
						}
						if err != nil || !ok {
							t.Errorf("FinishOutbox(%d) = %v, %v", o.ID, ok, err)
							return
						}
						delivered.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("workers stopped with %d of %d rows delivered", delivered.Load(), total)
		}
		if len(claimedBy) != total || delivered.Load() != total {
			t.Fatalf("%d rows claimed, %d delivered; want %d", len(claimedBy), delivered.Load(), total)
		}
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE state <> 'delivered'`); n != 0 {
			t.Fatalf("%d rows not delivered", n)
		}
	}
	t.Run(store.EngineSQLite, func(t *testing.T) { run(t, []*store.DB{testdb.SQLite(t)}) })
	t.Run(store.EnginePostgres, func(t *testing.T) { run(t, []*store.DB{testdb.Postgres(t)}) })
	// Two handles on one database, as two processes would have.
	twoHandles := func(t *testing.T, cfg store.Config) []*store.DB {
		var dbs []*store.DB
		for range 2 {
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			dbs = append(dbs, db)
		}
		must(t, dbs[0].Migrate(ctx))
		return dbs
	}
	t.Run("sqlite-two-processes", func(t *testing.T) {
		run(t, twoHandles(t, store.Config{SQLitePath: filepath.Join(t.TempDir(), "relay.db")}))
	})
	t.Run("postgres-two-processes", func(t *testing.T) {
		run(t, twoHandles(t, store.Config{URL: testdb.PostgresURL(t)}))
	})
}

// TestPurgeDelivered: delivered rows older than the cutoff go with old
// delivery-log entries; waiting and dead rows stay whatever their age.
func TestPurgeDelivered(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		webhookRows(t, db, a, 3)
		claimed, err := db.ClaimOutbox(ctx, t0, time.Minute, 3)
		must(t, err)
		if len(claimed) != 3 {
			t.Fatalf("claimed %d rows, want 3", len(claimed))
		}
		done := t0.Add(time.Second)
		for i, st := range []string{relay.OutboxDelivered, relay.OutboxDead, relay.OutboxPending} {
			it := claimed[i]
			it.State, it.NextAt = st, t0.Add(time.Hour)
			if st == relay.OutboxDelivered {
				it.DeliveredAt = &done
			}
			if ok, err := db.FinishOutbox(ctx, &it, done); err != nil || !ok {
				t.Fatalf("finish %s: %v %v", st, ok, err)
			}
			must(t, db.RecordDelivery(ctx, a.ws.ID, &relay.WebhookDelivery{SubscriptionID: *it.SubscriptionID, OutboxID: it.ID,
				Event: "ping", Attempt: 1, OK: st == relay.OutboxDelivered, CreatedAt: done}))
		}
		n, err := db.PurgeDelivered(ctx, done) // nothing is older than the cutoff
		must(t, err)
		if n != 0 {
			t.Fatalf("purged %d rows at the cutoff, want 0", n)
		}
		n, err = db.PurgeDelivered(ctx, done.Add(time.Second))
		must(t, err)
		if n != 4 { // the delivered row and the three log entries
			t.Fatalf("purged %d rows, want 4", n)
		}
		var states []string
		for _, it := range outboxRows(t, db, a.ws.ID) {
			states = append(states, it.State)
		}
		slices.Sort(states)
		diff(t, "rows left", states, []string{relay.OutboxDead, relay.OutboxPending})
	})
}

// busy reports SQLite's "database is locked": with two processes on one
// SQLite file, one can wait out the busy timeout while the other keeps the
// write lock busy. Production workers retry a claim at the next poll.
func busy(err error) bool {
	return err != nil && strings.Contains(err.Error(), "SQLITE_BUSY")
}
