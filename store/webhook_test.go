package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		s1 := mustSubscription(t, db, a, true, "message.created", "ticket.created")
		s2 := &relay.WebhookSubscription{ID: ids.New(), WorkspaceID: a.ws.ID, URL: "https://n8n.example/hook",
			Events: []string{}, Description: "paused", CreatedBy: a.owner.ID, CreatedAt: t0.Add(time.Second)}
		must(t, db.CreateSubscription(ctx, s2))

		got, err := db.Subscription(ctx, a.ws.ID, s1.ID)
		must(t, err)
		diff(t, "Subscription", got, s1)
		list, err := db.Subscriptions(ctx, a.ws.ID)
		must(t, err)
		diff(t, "Subscriptions", list, []relay.WebhookSubscription{*s1, {ID: s2.ID, WorkspaceID: a.ws.ID,
			URL: s2.URL, Events: []string{}, Description: "paused", CreatedBy: a.owner.ID, CreatedAt: normalTime(s2.CreatedAt)}})
		if list, err := db.Subscriptions(ctx, b.ws.ID); err != nil || len(list) != 0 {
			t.Fatalf("Subscriptions(b) = %v, %v", list, err)
		}
		for _, events := range [][]string{{""}, {"a,b"}, {"message created"}} {
			bad := &relay.WebhookSubscription{ID: ids.New(), WorkspaceID: a.ws.ID, URL: "https://x.example", Events: events, CreatedAt: t0}
			wantCode(t, db.CreateSubscription(ctx, bad), relay.EINVALID, "")
		}

		// The delivery log, newest first, limited.
		webhookRows(t, db, a, 1)
		rows := outboxRows(t, db, a.ws.ID)
		for i, code := range []int{502, 500, 200} {
			d := &relay.WebhookDelivery{SubscriptionID: s1.ID, OutboxID: rows[0].ID, Event: "message.created", Attempt: i + 1,
				OK: code == 200, ResponseCode: code, DurationMS: int64(10 * (i + 1)), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if code != 200 {
				d.Error = "server error"
			}
			must(t, db.RecordDelivery(ctx, a.ws.ID, d))
			if d.ID <= 0 {
				t.Fatalf("delivery id = %d", d.ID)
			}
		}
		log, err := db.Deliveries(ctx, a.ws.ID, s1.ID, 2)
		must(t, err)
		if len(log) != 2 || log[0].Attempt != 3 || !log[0].OK || log[0].ResponseCode != 200 || log[0].Error != "" ||
			log[1].Attempt != 2 || log[1].OK || log[1].Error != "server error" || log[1].DurationMS != 20 ||
			!log[1].CreatedAt.Equal(normalTime(t0.Add(time.Minute))) {
			t.Fatalf("Deliveries = %+v", log)
		}
		if log, err := db.Deliveries(ctx, a.ws.ID, s2.ID, 0); err != nil || len(log) != 0 {
			t.Fatalf("Deliveries(s2) = %v, %v", log, err)
		}
		_, err = db.Deliveries(ctx, a.ws.ID, ids.New(), 0)
		wantCode(t, err, relay.ENOTFOUND, "Webhook subscription not found.")

		// Deleting a subscription takes its rows and its log with it.
		must(t, db.DeleteSubscription(ctx, a.ws.ID, s1.ID))
		wantCode(t, db.DeleteSubscription(ctx, a.ws.ID, s1.ID), relay.ENOTFOUND, "")
		_, err = db.Subscription(ctx, a.ws.ID, s1.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
		if n := count(t, db, `SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1`, s1.ID); n != 0 {
			t.Fatalf("%d deliveries left", n)
		}
		m := mustPostOne(t, db, msg(a.general, a.owner, "after the delete"))
		if rows := outboxRows(t, db, a.ws.ID); len(rows) != 1 || rows[0].MessageID != nil {
			t.Fatalf("rows after the delete and a post (%v) = %+v, want only the other subscription's ping", m.ID, rows)
		}
	})
}

func TestIncomingWebhooks(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		ops := mustCreateChannel(t, db, a, "ops", relay.ChannelPublic)
		token := hashToken()
		w := &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: a.ws.ID, ChannelID: ops.ID, Name: "n8n", CreatedBy: a.owner.ID, CreatedAt: t0}
		must(t, db.CreateIncomingWebhook(ctx, w, token))
		got, err := db.IncomingWebhookByToken(ctx, token)
		must(t, err)
		diff(t, "IncomingWebhookByToken", got, w)
		_, err = db.IncomingWebhookByToken(ctx, hashToken())
		wantCode(t, err, relay.ENOTFOUND, "Incoming webhook not found.")
		_, err = db.IncomingWebhookByToken(ctx, nil)
		wantCode(t, err, relay.ENOTFOUND, "")

		wantCode(t, db.CreateIncomingWebhook(ctx, &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: a.ws.ID, ChannelID: ops.ID,
			Name: "again", CreatedAt: t0}, token), relay.ECONFLICT, "")
		wantCode(t, db.CreateIncomingWebhook(ctx, &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: b.ws.ID, ChannelID: ops.ID,
			Name: "cross", CreatedAt: t0}, hashToken()), relay.ENOTFOUND, "Channel not found.")
		wantCode(t, db.CreateIncomingWebhook(ctx, &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: a.ws.ID, ChannelID: ops.ID,
			Name: "no token", CreatedAt: t0}, nil), relay.EINVALID, "")

		second := &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: a.ws.ID, ChannelID: ops.ID, Name: "zapier", CreatedAt: t0.Add(time.Second)}
		must(t, db.CreateIncomingWebhook(ctx, second, hashToken()))
		list, err := db.IncomingWebhooks(ctx, a.ws.ID, ops.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != w.ID || list[1].ID != second.ID {
			t.Fatalf("IncomingWebhooks = %+v", list)
		}
		if list, err := db.IncomingWebhooks(ctx, a.ws.ID, a.general.ID); err != nil || len(list) != 0 {
			t.Fatalf("IncomingWebhooks(general) = %v, %v", list, err)
		}
		must(t, db.DeleteIncomingWebhook(ctx, a.ws.ID, w.ID))
		wantCode(t, db.DeleteIncomingWebhook(ctx, a.ws.ID, w.ID), relay.ENOTFOUND, "")
		_, err = db.IncomingWebhookByToken(ctx, token)
		wantCode(t, err, relay.ENOTFOUND, "")
	})
}

// TestDeleteConnectorCascades: deleting a connector removes what hangs on
// it; its channels and their messages stay.
func TestDeleteConnectorCascades(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		c := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		keep := mustConnector(t, db, a, relay.ConnectorDiscord, "", "guild", "")
		_, ext := mustConversation(t, db, a, c, "user:U1", nil)
		mustConversation(t, db, a, keep, "channel:1", ext)
		_, err := db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: c.ID, ExternalID: "U1", CreatedAt: t0})
		must(t, err)
		_, err = db.MarkHookEvent(ctx, c.ID, "ev", t0)
		must(t, err)
		m := mustPostOne(t, db, msg(ext, a.owner, "out"))
		must(t, db.LinkExternalMessage(ctx, a.ws.ID, c.ID, "L-1", m.ID, t0))

		must(t, db.DeleteConnector(ctx, a.ws.ID, c.ID))
		wantCode(t, db.DeleteConnector(ctx, a.ws.ID, c.ID), relay.ENOTFOUND, "Connector not found.")
		for table, want := range map[string]int{"contacts": 0, "conversations": 1, "external_messages": 0, "outbox": 1} {
			if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE workspace_id = $1`, a.ws.ID); n != want {
				t.Errorf("%s: %d rows, want %d", table, n, want)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM hook_events WHERE connector_id = $1`, c.ID); n != 0 {
			t.Errorf("%d hook events left", n)
		}
		if _, err := db.Message(ctx, a.ws.ID, m.ID); err != nil {
			t.Fatalf("the message after deleting its connector: %v", err)
		}

		// Deleting the workspace removes everything of the feature.
		sub := mustSubscription(t, db, a, true, "message.created")
		mustPostOne(t, db, msg(ext, a.owner, "to the subscription"))
		must(t, db.RecordDelivery(ctx, a.ws.ID, &relay.WebhookDelivery{SubscriptionID: sub.ID, OutboxID: 1, Event: "x", CreatedAt: t0}))
		must(t, db.CreateIncomingWebhook(ctx, &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: a.ws.ID, ChannelID: ext.ID,
			Name: "n8n", CreatedAt: t0}, hashToken()))
		must(t, db.CreateAttachment(ctx, a.ws.ID, ext.ID, &relay.Attachment{ID: ids.New(), Name: "f"}, t0))
		must(t, db.DeleteWorkspace(ctx, a.ws.ID))
		for _, table := range []string{"connectors", "contacts", "conversations", "external_messages", "outbox",
			"webhook_subscriptions", "webhook_deliveries", "incoming_webhooks", "attachments"} {
			if n := count(t, db, `SELECT count(*) FROM `+table+` WHERE workspace_id = $1`, a.ws.ID); n != 0 {
				t.Errorf("%s: %d rows after the workspace was deleted", table, n)
			}
		}
	})
}
