package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func newConnector(tn tenant, typ, model, externalID, joinCode string) *relay.Connector {
	return &relay.Connector{
		ID: ids.New(), WorkspaceID: tn.ws.ID, Type: typ, Name: typ + " " + model, Model: model,
		ExternalID: externalID, JoinCode: joinCode, Config: map[string]string{"channel_id": externalID},
		CreatedBy: tn.owner.ID, CreatedAt: t0, Secrets: []byte("sealed:" + externalID),
	}
}

func mustConnector(t *testing.T, db *store.DB, tn tenant, typ, model, externalID, joinCode string) *relay.Connector {
	t.Helper()
	c := newConnector(tn, typ, model, externalID, joinCode)
	if err := db.CreateConnector(ctx, c); err != nil {
		t.Fatalf("CreateConnector(%s %s): %v", typ, externalID, err)
	}
	return c
}

// mustConversation maps a new outside conversation key of c to a new
// external channel (ch nil: to channel), whose members are the owner.
func mustConversation(t *testing.T, db *store.DB, tn tenant, c *relay.Connector, key string, channel *relay.Channel) (*relay.Conversation, *relay.Channel) {
	t.Helper()
	conv := &relay.Conversation{ID: ids.New(), WorkspaceID: tn.ws.ID, ConnectorID: c.ID, Key: key, Name: key, CreatedAt: t0}
	var ch *relay.Channel
	if channel == nil {
		ch = &relay.Channel{ID: ids.New(), Name: "ext-" + key, CreatedAt: t0}
	} else {
		conv.ChannelID = channel.ID
	}
	stored, created, err := db.CreateConversation(ctx, conv, ch, []relay.ID{tn.owner.ID})
	if err != nil || !created {
		t.Fatalf("CreateConversation(%s) = %v, %v", key, created, err)
	}
	if ch != nil {
		channel = ch
	}
	return stored, channel
}

func TestConnectorCRUD(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")

		own := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "1650000000", "")
		shared := newConnector(a, relay.ConnectorLINE, relay.ModelShared, "", "JOIN42")
		shared.CreatedAt = t0.Add(time.Second)
		shared.Config, shared.Secrets = nil, nil
		must(t, db.CreateConnector(ctx, shared))
		want := *own
		want.Status = relay.ConnectorActive
		want.CreatedAt, want.UpdatedAt = normalTime(t0), normalTime(t0)
		diff(t, "the created connector", *own, want)

		got, err := db.Connector(ctx, a.ws.ID, own.ID)
		must(t, err)
		diff(t, "Connector", got, &want)
		got, err = db.ConnectorForHook(ctx, own.ID)
		must(t, err)
		diff(t, "ConnectorForHook", got, &want)
		got, err = db.ConnectorByExternal(ctx, relay.ConnectorLINE, "1650000000")
		must(t, err)
		diff(t, "ConnectorByExternal", got, &want)
		_, err = db.ConnectorByExternal(ctx, relay.ConnectorDiscord, "1650000000")
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.ConnectorByExternal(ctx, relay.ConnectorLINE, "")
		wantCode(t, err, relay.ENOTFOUND, "") // an unset external id matches nothing
		got, err = db.ConnectorByJoinCode(ctx, "JOIN42")
		must(t, err)
		if got.ID != shared.ID || got.Secrets != nil || got.Config == nil || len(got.Config) != 0 {
			t.Fatalf("ConnectorByJoinCode = %+v, want the shared connector with no secrets and an empty config", got)
		}
		_, err = db.ConnectorByJoinCode(ctx, "")
		wantCode(t, err, relay.ENOTFOUND, "")

		list, err := db.Connectors(ctx, a.ws.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != own.ID || list[1].ID != shared.ID {
			t.Fatalf("Connectors = %+v, want own then shared", list)
		}
		if list, err := db.Connectors(ctx, b.ws.ID); err != nil || len(list) != 0 {
			t.Fatalf("Connectors(b) = %v, %v; want none", list, err)
		}

		// One outside account feeds one workspace; join codes are unique.
		wantCode(t, db.CreateConnector(ctx, newConnector(b, relay.ConnectorLINE, relay.ModelOwn, "1650000000", "")),
			relay.ECONFLICT, "That outside account is already connected to a workspace.")
		wantCode(t, db.CreateConnector(ctx, newConnector(b, relay.ConnectorLINE, relay.ModelShared, "", "JOIN42")),
			relay.ECONFLICT, "That join code is already in use; please try again.")
		// The same outside id under another type is another account.
		mustConnector(t, db, b, relay.ConnectorDiscord, "", "1650000000", "")
		wantCode(t, db.CreateConnector(ctx, &relay.Connector{ID: ids.New(), WorkspaceID: a.ws.ID, Type: "telex",
			Name: "x", CreatedBy: a.owner.ID, CreatedAt: t0}), relay.EINVALID, "")
		wantCode(t, db.CreateConnector(ctx, newConnector(tenant{ws: &relay.Workspace{ID: ids.New()}, owner: a.owner},
			relay.ConnectorLINE, relay.ModelOwn, "99", "")), relay.ENOTFOUND, "")

		// Update.
		upd := *own
		upd.Name, upd.Status, upd.Secrets = "Renamed", relay.ConnectorDisabled, []byte("resealed")
		upd.Config = map[string]string{"bot_id": "@abc"}
		upd.UpdatedAt = t0.Add(time.Hour)
		must(t, db.UpdateConnector(ctx, &upd))
		got, err = db.Connector(ctx, a.ws.ID, own.ID)
		must(t, err)
		if got.Name != "Renamed" || got.Status != relay.ConnectorDisabled || string(got.Secrets) != "resealed" ||
			got.Config["bot_id"] != "@abc" || !got.UpdatedAt.Equal(normalTime(t0.Add(time.Hour))) || !got.CreatedAt.Equal(normalTime(t0)) {
			t.Fatalf("after UpdateConnector = %+v", got)
		}
		upd2 := *shared
		upd2.JoinCode = ""
		upd2.ExternalID = "1650000000" // own's
		wantCode(t, db.UpdateConnector(ctx, &upd2), relay.ECONFLICT, "That outside account is already connected to a workspace.")
		must(t, db.UpdateConnector(ctx, &upd)) // keeping its own external id is no clash
	})
}

func TestConnectorHealth(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		c := mustConnector(t, db, a, relay.ConnectorDiscord, "", "guild-1", "")
		status := func() *relay.Connector {
			t.Helper()
			got, err := db.Connector(ctx, a.ws.ID, c.ID)
			must(t, err)
			return got
		}
		must(t, db.SetConnectorHealth(ctx, a.ws.ID, c.ID, "", t0)) // healthy and active: nothing to do
		if got := status(); got.Status != relay.ConnectorActive || got.LastError != "" || got.LastErrorAt != nil {
			t.Fatalf("after a healthy report = %+v", got)
		}
		at := t0.Add(time.Minute)
		must(t, db.SetConnectorHealth(ctx, a.ws.ID, c.ID, "401 Unauthorized", at))
		if got := status(); got.Status != relay.ConnectorError || got.LastError != "401 Unauthorized" ||
			got.LastErrorAt == nil || !got.LastErrorAt.Equal(normalTime(at)) {
			t.Fatalf("after an error = %+v", got)
		}
		must(t, db.SetConnectorHealth(ctx, a.ws.ID, c.ID, "", at.Add(time.Minute)))
		if got := status(); got.Status != relay.ConnectorActive || got.LastError != "401 Unauthorized" {
			t.Fatalf("after recovering = %+v, want active with the last error kept", got)
		}
		disabled := status()
		disabled.Status = relay.ConnectorDisabled
		must(t, db.UpdateConnector(ctx, disabled))
		must(t, db.SetConnectorHealth(ctx, a.ws.ID, c.ID, "gateway closed", at))
		must(t, db.SetConnectorHealth(ctx, a.ws.ID, c.ID, "", at))
		if got := status(); got.Status != relay.ConnectorDisabled || got.LastError != "gateway closed" {
			t.Fatalf("disabled connector after reports = %+v, want still disabled", got)
		}
		wantCode(t, db.SetConnectorHealth(ctx, a.ws.ID, ids.New(), "x", at), relay.ENOTFOUND, "Connector not found.")
		wantCode(t, db.SetConnectorHealth(ctx, a.ws.ID, ids.New(), "", at), relay.ENOTFOUND, "Connector not found.")
	})
}

func TestContacts(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		ca := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelShared, "", "JOINA")
		cb := mustConnector(t, db, b, relay.ConnectorLINE, relay.ModelShared, "", "JOINB")
		own := mustConnector(t, db, b, relay.ConnectorLINE, relay.ModelOwn, "chan-b", "")

		in := &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: ca.ID, ExternalID: "U1", Name: "Carl",
			AvatarURL: "https://line.example/u1.png", CreatedAt: t0}
		first, err := db.UpsertContact(ctx, in)
		must(t, err)
		diff(t, "inserted contact", first, &relay.Contact{ID: in.ID, WorkspaceID: a.ws.ID, ConnectorID: ca.ID,
			ExternalID: "U1", Name: "Carl", AvatarURL: "https://line.example/u1.png", State: relay.ContactActive,
			CreatedAt: normalTime(t0), UpdatedAt: normalTime(t0)})

		// An update keeps the id and creation, and what comes empty.
		again, err := db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: ca.ID,
			ExternalID: "U1", State: relay.ContactUnfollowed, UpdatedAt: t0.Add(time.Hour)})
		must(t, err)
		if again.ID != in.ID || again.Name != "Carl" || again.AvatarURL != in.AvatarURL || again.State != relay.ContactUnfollowed ||
			!again.CreatedAt.Equal(normalTime(t0)) || !again.UpdatedAt.Equal(normalTime(t0.Add(time.Hour))) {
			t.Fatalf("after the second upsert = %+v", again)
		}
		again, err = db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: ca.ID,
			ExternalID: "U1", Name: "Carl L.", UpdatedAt: t0.Add(2 * time.Hour)})
		must(t, err)
		if again.Name != "Carl L." || again.State != relay.ContactUnfollowed {
			t.Fatalf("after a rename = %+v, want the new name and the state kept", again)
		}
		got, err := db.ContactByExternal(ctx, ca.ID, "U1")
		must(t, err)
		diff(t, "ContactByExternal", got, again)
		_, err = db.ContactByExternal(ctx, cb.ID, "U1")
		wantCode(t, err, relay.ENOTFOUND, "Contact not found.")

		// The same LINE user joins workspace B later: B's link is the latest.
		later, err := db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: b.ws.ID, ConnectorID: cb.ID,
			ExternalID: "U1", Name: "Carl", UpdatedAt: t0.Add(3 * time.Hour)})
		must(t, err)
		// An own-bot contact of the same id is not a shared link.
		_, err = db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: b.ws.ID, ConnectorID: own.ID,
			ExternalID: "U1", UpdatedAt: t0.Add(4 * time.Hour)})
		must(t, err)
		linked, err := db.LinkedContact(ctx, relay.ConnectorLINE, relay.ModelShared, "U1")
		must(t, err)
		if linked.ID != later.ID || linked.WorkspaceID != b.ws.ID {
			t.Fatalf("LinkedContact = %+v, want B's contact %v", linked, later.ID)
		}
		_, err = db.LinkedContact(ctx, relay.ConnectorLINE, relay.ModelShared, "U2")
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.LinkedContact(ctx, relay.ConnectorDiscord, relay.ModelShared, "U1")
		wantCode(t, err, relay.ENOTFOUND, "")

		list, err := db.Contacts(ctx, a.ws.ID, ca.ID)
		must(t, err)
		if len(list) != 1 || list[0].ID != in.ID {
			t.Fatalf("Contacts(a) = %+v", list)
		}

		// An upsert through another workspace's connector changes nothing,
		// even when the outside id is known there.
		_, err = db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: b.ws.ID, ConnectorID: ca.ID,
			ExternalID: "U1", Name: "Mallory", UpdatedAt: t0.Add(5 * time.Hour)})
		wantCode(t, err, relay.ENOTFOUND, "Connector not found.")
		_, err = db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: b.ws.ID, ConnectorID: ca.ID,
			ExternalID: "U9", Name: "Mallory", UpdatedAt: t0.Add(5 * time.Hour)})
		wantCode(t, err, relay.ENOTFOUND, "Connector not found.")
		got, err = db.ContactByExternal(ctx, ca.ID, "U1")
		must(t, err)
		diff(t, "A's contact after B's attempts", got, again)
		_, err = db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: ca.ID, ExternalID: ""})
		wantCode(t, err, relay.EINVALID, "")
		_, err = db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: ca.ID,
			ExternalID: "U3", State: "gone"})
		wantCode(t, err, relay.EINVALID, "")
	})
}

func TestConversations(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		bob := mustMember(t, db, a, "bob@example.com")
		c := mustConnector(t, db, a, relay.ConnectorDiscord, "", "guild-1", "")

		contact := ids.New()
		conv := &relay.Conversation{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: c.ID, Key: "channel:1",
			Name: "general", ContactID: &contact, Secrets: []byte("webhook-token"), CreatedAt: t0}
		ch := &relay.Channel{ID: ids.New(), Name: "discord-general", CreatedAt: t0}
		stored, created, err := db.CreateConversation(ctx, conv, ch, []relay.ID{bob.ID})
		must(t, err)
		if !created || stored.ChannelID != ch.ID || stored.Config == nil {
			t.Fatalf("CreateConversation = %+v, %v", stored, created)
		}
		got, err := db.ConversationByKey(ctx, c.ID, "channel:1")
		must(t, err)
		diff(t, "ConversationByKey", got, stored)
		channel, err := db.Channel(ctx, a.ws.ID, ch.ID, bob.ID)
		must(t, err)
		if channel.Kind != relay.ChannelExternal || !channel.IsMember || channel.MemberCount != 1 {
			t.Fatalf("the conversation's channel = %+v, want external with bob only", channel)
		}

		// The same key again changes nothing and creates no channel.
		again, created, err := db.CreateConversation(ctx, &relay.Conversation{ID: ids.New(), WorkspaceID: a.ws.ID,
			ConnectorID: c.ID, Key: "channel:1", CreatedAt: t0}, &relay.Channel{ID: ids.New(), Name: "other", CreatedAt: t0}, nil)
		must(t, err)
		if created || again.ID != conv.ID {
			t.Fatalf("second CreateConversation = %+v, %v; want the stored one", again, created)
		}
		if n := count(t, db, `SELECT count(*) FROM channels WHERE workspace_id = $1 AND kind = 'external'`, a.ws.ID); n != 1 {
			t.Fatalf("%d external channels, want 1", n)
		}

		// A second conversation bridged to the same channel.
		second, _ := mustConversation(t, db, a, c, "channel:2", ch)
		list, err := db.ChannelConversations(ctx, a.ws.ID, ch.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != conv.ID || list[1].ID != second.ID {
			t.Fatalf("ChannelConversations = %+v", list)
		}
		list, err = db.Conversations(ctx, a.ws.ID, c.ID)
		must(t, err)
		if len(list) != 2 {
			t.Fatalf("Conversations = %+v", list)
		}
		_, _, err = db.CreateConversation(ctx, &relay.Conversation{ID: ids.New(), WorkspaceID: a.ws.ID,
			ConnectorID: c.ID, Key: "channel:3", ChannelID: ids.New(), CreatedAt: t0}, nil, nil)
		wantCode(t, err, relay.ENOTFOUND, "Channel not found.")
		_, _, err = db.CreateConversation(ctx, &relay.Conversation{ID: ids.New(), WorkspaceID: a.ws.ID,
			ConnectorID: c.ID, Key: "", ChannelID: ch.ID, CreatedAt: t0}, nil, nil)
		wantCode(t, err, relay.EINVALID, "")

		second.Name, second.Config, second.Secrets = "renamed", map[string]string{"webhook_id": "w1"}, []byte("tok")
		must(t, db.UpdateConversation(ctx, second))
		got, err = db.ConversationByKey(ctx, c.ID, "channel:2")
		must(t, err)
		if got.Name != "renamed" || got.Config["webhook_id"] != "w1" || string(got.Secrets) != "tok" {
			t.Fatalf("after UpdateConversation = %+v", got)
		}
		must(t, db.DeleteConversation(ctx, a.ws.ID, second.ID))
		_, err = db.ConversationByKey(ctx, c.ID, "channel:2")
		wantCode(t, err, relay.ENOTFOUND, "Conversation not found.")
		wantCode(t, db.DeleteConversation(ctx, a.ws.ID, second.ID), relay.ENOTFOUND, "Conversation not found.")
		if _, err := db.Channel(ctx, a.ws.ID, ch.ID, 0); err != nil {
			t.Fatalf("the channel after deleting a mapping: %v", err)
		}
	})
}

// TestCreateConversationConcurrent: callers racing to create one outside
// conversation make exactly one conversation and one channel.
func TestCreateConversationConcurrent(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		c := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		const rounds, n = 10, 16
		for round := range rounds {
			key := fmt.Sprintf("user:U%d", round)
			var wg sync.WaitGroup
			start := make(chan struct{})
			stored := make([]relay.ID, n)
			created := make([]bool, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					conv := &relay.Conversation{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: c.ID, Key: key,
						Name: "Carl", CreatedAt: t0}
					// The same channel name for all: a second channel would
					// clash (ECONFLICT); neither may happen.
					ch := &relay.Channel{ID: ids.New(), Name: fmt.Sprintf("carl-%d", round), CreatedAt: t0}
					<-start
					s, ok, err := db.CreateConversation(ctx, conv, ch, []relay.ID{a.owner.ID})
					if err == nil {
						stored[i] = s.ID
					}
					created[i], errs[i] = ok, err
				})
			}
			close(start)
			wg.Wait()
			creators := 0
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("round %d, caller %d: %v", round, i, errs[i])
				}
				if stored[i] != stored[0] {
					t.Fatalf("round %d: callers got conversations %v and %v", round, stored[0], stored[i])
				}
				if created[i] {
					creators++
				}
			}
			if creators != 1 {
				t.Fatalf("round %d: %d callers created the conversation, want 1", round, creators)
			}
		}
		if got := count(t, db, `SELECT count(*) FROM channels WHERE workspace_id = $1 AND kind = 'external'`, a.ws.ID); got != rounds {
			t.Fatalf("%d external channels, want %d", got, rounds)
		}
		if got := count(t, db, `SELECT count(*) FROM conversations WHERE workspace_id = $1`, a.ws.ID); got != rounds {
			t.Fatalf("%d conversations, want %d", got, rounds)
		}
	})
}

func TestMarkHookEvent(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		c1 := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "one", "")
		c2 := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "two", "")
		for _, tc := range []struct {
			connector *relay.Connector
			event     string
			at        time.Time
			fresh     bool
		}{
			{c1, "01H-A", t0, true},
			{c1, "01H-A", t0.Add(time.Minute), false}, // a redelivery
			{c2, "01H-A", t0, true},                   // another connector's event
			{c1, "01H-B", t0.Add(48 * time.Hour), true},
		} {
			fresh, err := db.MarkHookEvent(ctx, tc.connector.ID, tc.event, tc.at)
			must(t, err)
			if fresh != tc.fresh {
				t.Fatalf("MarkHookEvent(%s) = %v, want %v", tc.event, fresh, tc.fresh)
			}
		}
		_, err := db.MarkHookEvent(ctx, ids.New(), "x", t0)
		wantCode(t, err, relay.ENOTFOUND, "Connector not found.")

		// Concurrent redeliveries: exactly one is fresh.
		var wg sync.WaitGroup
		var mu sync.Mutex
		freshCount := 0
		for range 8 {
			wg.Go(func() {
				fresh, err := db.MarkHookEvent(ctx, c2.ID, "01H-RACE", t0)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if fresh {
					freshCount++
				}
			})
		}
		wg.Wait()
		if freshCount != 1 {
			t.Fatalf("%d concurrent deliveries were fresh, want 1", freshCount)
		}

		n, err := db.PurgeHookEvents(ctx, t0.Add(24*time.Hour))
		must(t, err)
		if n != 3 { // 01H-A twice and 01H-RACE; 01H-B is newer
			t.Fatalf("PurgeHookEvents = %d, want 3", n)
		}
		if fresh, err := db.MarkHookEvent(ctx, c1.ID, "01H-B", t0.Add(49*time.Hour)); err != nil || fresh {
			t.Fatalf("01H-B after the purge: fresh %v, %v; want kept", fresh, err)
		}
	})
}

func TestExternalMessages(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		c := mustConnector(t, db, a, relay.ConnectorDiscord, "", "guild", "")
		m := mustPostOne(t, db, msg(a.general, a.owner, "hi"))
		mb := mustPostOne(t, db, msg(b.general, b.owner, "other"))

		_, err := db.ExternalIDOf(ctx, a.ws.ID, c.ID, m.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
		must(t, db.LinkExternalMessage(ctx, a.ws.ID, c.ID, "d-1", m.ID, t0))
		must(t, db.LinkExternalMessage(ctx, a.ws.ID, c.ID, "d-1", ids.New(), t0)) // an existing link stays
		got, err := db.MessageByExternal(ctx, a.ws.ID, c.ID, "d-1")
		must(t, err)
		if got != m.ID {
			t.Fatalf("MessageByExternal = %v, want %v", got, m.ID)
		}
		ext, err := db.ExternalIDOf(ctx, a.ws.ID, c.ID, m.ID)
		must(t, err)
		if ext != "d-1" {
			t.Fatalf("ExternalIDOf = %q", ext)
		}
		_, err = db.MessageByExternal(ctx, a.ws.ID, c.ID, "d-2")
		wantCode(t, err, relay.ENOTFOUND, "")
		// B's message cannot be linked through A's connector, nor A's through B.
		wantCode(t, db.LinkExternalMessage(ctx, a.ws.ID, c.ID, "d-3", mb.ID, t0), relay.ENOTFOUND, "Message not found.")
		wantCode(t, db.LinkExternalMessage(ctx, b.ws.ID, c.ID, "d-4", mb.ID, t0), relay.ENOTFOUND, "Connector not found.")
	})
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		att := relay.Attachment{ID: ids.New(), Name: "photo.jpg", ContentType: "image/jpeg", Size: 2048,
			URL: "/api/v1/attachments/1", Kind: "image"}
		must(t, db.CreateAttachment(ctx, a.ws.ID, a.general.ID, &att, t0))
		got, channel, err := db.Attachment(ctx, a.ws.ID, att.ID)
		must(t, err)
		if channel != a.general.ID || got.Name != att.Name || got.ContentType != att.ContentType || got.Size != att.Size {
			t.Fatalf("Attachment = %+v in %v", got, channel)
		}
		_, _, err = db.Attachment(ctx, b.ws.ID, att.ID)
		wantCode(t, err, relay.ENOTFOUND, "Attachment not found.")
		wantCode(t, db.CreateAttachment(ctx, b.ws.ID, a.general.ID, &relay.Attachment{ID: ids.New(), Name: "x"}, t0),
			relay.ENOTFOUND, "Channel not found.")

		// Attachments ride on the message and read back as posted.
		loc := relay.Attachment{Name: "Tokyo Tower", URL: "https://maps.example/?q=35.6,139.7", Kind: "location"}
		m := msg(a.general, a.owner, "look")
		m.Attachments = []relay.Attachment{att, loc}
		stored := mustPostOne(t, db, m)
		diff(t, "posted attachments", stored.Attachments, m.Attachments)
		read, err := db.Message(ctx, a.ws.ID, m.ID)
		must(t, err)
		diff(t, "read attachments", read.Attachments, m.Attachments)
		page, err := db.History(ctx, a.ws.ID, a.general.ID, relay.HistoryQuery{Limit: 10})
		must(t, err)
		if len(page) != 1 || len(page[0].Attachments) != 2 {
			t.Fatalf("History = %+v", page)
		}
		plain := mustPostOne(t, db, msg(a.general, a.owner, "none"))
		read, err = db.Message(ctx, a.ws.ID, plain.ID)
		must(t, err)
		if plain.Attachments == nil || read.Attachments == nil || len(read.Attachments) != 0 {
			t.Fatalf("a message without attachments: posted %#v, read %#v; want empty, not nil", plain.Attachments, read.Attachments)
		}
	})
}

// TestConnectorTenantIsolation: every method scoped by a workspace, given
// workspace B and an id of A's, is ENOTFOUND (or finds nothing) and
// changes nothing of A's.
func TestConnectorTenantIsolation(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		c := mustConnector(t, db, a, relay.ConnectorLINE, relay.ModelOwn, "chan", "")
		conv, ext := mustConversation(t, db, a, c, "user:U1", nil)
		contact, err := db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: a.ws.ID, ConnectorID: c.ID,
			ExternalID: "U1", Name: "Carl", CreatedAt: t0})
		must(t, err)
		sub := mustSubscription(t, db, a, true, "message.created")
		m := mustPostOne(t, db, msg(ext, a.owner, "hi"))
		must(t, db.LinkExternalMessage(ctx, a.ws.ID, c.ID, "L-1", m.ID, t0))
		att := &relay.Attachment{ID: ids.New(), Name: "a.png", ContentType: "image/png", Size: 1}
		must(t, db.CreateAttachment(ctx, a.ws.ID, ext.ID, att, t0))
		in := &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: a.ws.ID, ChannelID: ext.ID, Name: "n8n", CreatedBy: a.owner.ID, CreatedAt: t0}
		must(t, db.CreateIncomingWebhook(ctx, in, hashToken()))
		rows := outboxRows(t, db, a.ws.ID)
		if len(rows) != 2 { // the message to LINE and to the subscription
			t.Fatalf("A's rows = %+v", rows)
		}
		must(t, db.RecordDelivery(ctx, a.ws.ID, &relay.WebhookDelivery{SubscriptionID: sub.ID, OutboxID: rows[1].ID,
			Event: "message.created", Attempt: 1, OK: true, ResponseCode: 200, CreatedAt: t0}))
		// Make a row dead so RetryOutbox has something to refuse.
		claimed, err := db.ClaimOutbox(ctx, t0.Add(time.Hour), time.Minute, 10)
		must(t, err)
		for _, o := range claimed {
			o.State, o.LastError = relay.OutboxDead, "gave up"
			if ok, err := db.FinishOutbox(ctx, &o, t0.Add(time.Hour)); err != nil || !ok {
				t.Fatalf("FinishOutbox: %v, %v", ok, err)
			}
		}

		snapshot := func() []any {
			t.Helper()
			var out []any
			for _, f := range []func() (any, error){
				func() (any, error) { return db.Connectors(ctx, a.ws.ID) },
				func() (any, error) { return db.Conversations(ctx, a.ws.ID, c.ID) },
				func() (any, error) { return db.Contacts(ctx, a.ws.ID, c.ID) },
				func() (any, error) { return db.OutboxItems(ctx, a.ws.ID, "", 0) },
				func() (any, error) { return db.Subscriptions(ctx, a.ws.ID) },
				func() (any, error) { return db.Deliveries(ctx, a.ws.ID, sub.ID, 0) },
				func() (any, error) { return db.IncomingWebhooks(ctx, a.ws.ID, ext.ID) },
				func() (any, error) { return db.MessageByExternal(ctx, a.ws.ID, c.ID, "L-1") },
				func() (any, error) { v, _, err := db.Attachment(ctx, a.ws.ID, att.ID); return v, err },
				func() (any, error) { return db.Message(ctx, a.ws.ID, m.ID) },
			} {
				v, err := f()
				must(t, err)
				out = append(out, v)
			}
			return out
		}
		before := snapshot()

		bw := b.ws.ID
		now := t0.Add(2 * time.Hour)
		for name, call := range map[string]func() error{
			"Connector":       func() error { _, err := db.Connector(ctx, bw, c.ID); return err },
			"UpdateConnector": func() error { cc := *c; cc.WorkspaceID, cc.Name = bw, "stolen"; return db.UpdateConnector(ctx, &cc) },
			"SetHealth error": func() error { return db.SetConnectorHealth(ctx, bw, c.ID, "x", now) },
			"SetHealth ok":    func() error { return db.SetConnectorHealth(ctx, bw, c.ID, "", now) },
			"DeleteConnector": func() error { return db.DeleteConnector(ctx, bw, c.ID) },
			"Contacts":        func() error { _, err := db.Contacts(ctx, bw, c.ID); return err },
			"UpsertContact": func() error {
				_, err := db.UpsertContact(ctx, &relay.Contact{ID: ids.New(), WorkspaceID: bw, ConnectorID: c.ID, ExternalID: contact.ExternalID, Name: "x"})
				return err
			},
			"Conversations": func() error { _, err := db.Conversations(ctx, bw, c.ID); return err },
			"ChannelConvs":  func() error { _, err := db.ChannelConversations(ctx, bw, ext.ID); return err },
			"CreateConv": func() error {
				_, _, err := db.CreateConversation(ctx, &relay.Conversation{ID: ids.New(), WorkspaceID: bw, ConnectorID: c.ID, Key: "user:U1", ChannelID: b.general.ID}, nil, nil)
				return err
			},
			"CreateConv chan": func() error {
				_, _, err := db.CreateConversation(ctx, &relay.Conversation{ID: ids.New(), WorkspaceID: bw, ConnectorID: c.ID, Key: "user:U9"}, &relay.Channel{ID: ids.New(), Name: "x"}, nil)
				return err
			},
			"UpdateConv":       func() error { cv := *conv; cv.WorkspaceID, cv.Name = bw, "x"; return db.UpdateConversation(ctx, &cv) },
			"DeleteConv":       func() error { return db.DeleteConversation(ctx, bw, conv.ID) },
			"LinkExternal":     func() error { return db.LinkExternalMessage(ctx, bw, c.ID, "L-2", m.ID, now) },
			"MessageByExt":     func() error { _, err := db.MessageByExternal(ctx, bw, c.ID, "L-1"); return err },
			"ExternalIDOf":     func() error { _, err := db.ExternalIDOf(ctx, bw, c.ID, m.ID); return err },
			"OutboxItem":       func() error { _, err := db.OutboxItem(ctx, bw, rows[0].ID); return err },
			"RetryOutbox":      func() error { _, err := db.RetryOutbox(ctx, bw, rows[0].ID, now); return err },
			"CreateAttachment": func() error { return db.CreateAttachment(ctx, bw, ext.ID, &relay.Attachment{ID: ids.New()}, now) },
			"Attachment":       func() error { _, _, err := db.Attachment(ctx, bw, att.ID); return err },
			"Subscription":     func() error { _, err := db.Subscription(ctx, bw, sub.ID); return err },
			"DeleteSub":        func() error { return db.DeleteSubscription(ctx, bw, sub.ID) },
			"Deliveries":       func() error { _, err := db.Deliveries(ctx, bw, sub.ID, 0); return err },
			"RecordDelivery": func() error {
				return db.RecordDelivery(ctx, bw, &relay.WebhookDelivery{SubscriptionID: sub.ID, OutboxID: rows[1].ID, Event: "x", CreatedAt: now})
			},
			"CreateIncoming": func() error {
				return db.CreateIncomingWebhook(ctx, &relay.IncomingWebhook{ID: ids.New(), WorkspaceID: bw, ChannelID: ext.ID, Name: "x", CreatedAt: now}, hashToken())
			},
			"IncomingWebhooks": func() error { _, err := db.IncomingWebhooks(ctx, bw, ext.ID); return err },
			"DeleteIncoming":   func() error { return db.DeleteIncomingWebhook(ctx, bw, in.ID) },
		} {
			if err := call(); relay.ErrorCode(err) != relay.ENOTFOUND {
				t.Errorf("%s with workspace B and A's ids: %v, want ENOTFOUND", name, err)
			}
		}
		if list, err := db.OutboxItems(ctx, bw, "", 0); err != nil || len(list) != 0 {
			t.Errorf("OutboxItems(B) = %v, %v; want none", list, err)
		}
		if got, err := db.MessageDeliveries(ctx, bw, []relay.ID{m.ID}); err != nil || len(got) != 0 {
			t.Errorf("MessageDeliveries(B, A's message) = %v, %v; want none", got, err)
		}
		if list, err := db.Subscriptions(ctx, bw); err != nil || len(list) != 0 {
			t.Errorf("Subscriptions(B) = %v, %v; want none", list, err)
		}
		must(t, db.EnqueueEvent(ctx, bw, "message.created", []byte(`{}`), now)) // B has no subscription: nothing
		diff(t, "A's data after B's attempts", snapshot(), before)
		if n := count(t, db, `SELECT count(*) FROM outbox WHERE workspace_id = $1`, bw); n != 0 {
			t.Fatalf("B has %d outbox rows", n)
		}
	})
}
