package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/secretbox"
)

// hookStore keeps subscriptions and records enqueued events in memory; the
// rest of the store is absent (calling it panics, which fails the test).
type hookStore struct {
	Store
	mu     sync.Mutex
	subs   []relay.WebhookSubscription
	events []enqueued
	audits []string
}

type enqueued struct {
	ws      relay.ID
	event   string
	payload map[string]any
}

func (s *hookStore) AppendAudit(_ context.Context, e *relay.AuditEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audits = append(s.audits, e.Action)
	return nil
}

func (s *hookStore) CreateSubscription(_ context.Context, sub *relay.WebhookSubscription) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, *sub)
	return nil
}

func (s *hookStore) Subscriptions(_ context.Context, ws relay.ID) ([]relay.WebhookSubscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []relay.WebhookSubscription
	for _, sub := range s.subs {
		if sub.WorkspaceID == ws {
			out = append(out, sub)
		}
	}
	return out, nil
}

func (s *hookStore) Subscription(_ context.Context, ws, id relay.ID) (*relay.WebhookSubscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		if sub.WorkspaceID == ws && sub.ID == id {
			return &sub, nil
		}
	}
	return nil, relay.Errorf(relay.ENOTFOUND, "not found")
}

func (s *hookStore) DeleteSubscription(_ context.Context, ws, id relay.ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.subs)
	s.subs = slices.DeleteFunc(s.subs, func(sub relay.WebhookSubscription) bool { return sub.WorkspaceID == ws && sub.ID == id })
	if len(s.subs) == n {
		return relay.Errorf(relay.ENOTFOUND, "not found")
	}
	return nil
}

func (s *hookStore) Deliveries(_ context.Context, ws, id relay.ID, limit int) ([]relay.WebhookDelivery, error) {
	return nil, nil
}

func (s *hookStore) EnqueueEvent(_ context.Context, ws relay.ID, event string, payload []byte, _ time.Time) error {
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, enqueued{ws, event, m})
	return nil
}

func newHookApp(t *testing.T, allowPrivate bool) (*App, *hookStore) {
	t.Helper()
	box, err := secretbox.New("app-webhook-test-secret-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	st := &hookStore{}
	a := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler), Secrets: box,
		Connectors: ConnectorsConfig{WebhookAllowPrivate: allowPrivate}})
	t.Cleanup(a.Close)
	return a, st
}

func actorAs(ws relay.ID, role relay.Role) *relay.Actor {
	u := &relay.User{ID: relay.ID(ws*10 + 1), DisplayName: "Someone"}
	return &relay.Actor{User: u, Workspace: &relay.Workspace{ID: ws, Subdomain: "ws" + ws.String()},
		Membership: &relay.Membership{WorkspaceID: ws, UserID: u.ID, Role: role}}
}

func TestNormalizeEvents(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
		ok   bool
	}{
		{[]string{"ticket.created"}, []string{"ticket.created"}, true},
		{[]string{"ticket.status_changed", "message.created", "ticket.status_changed"}, []string{"message.created", "ticket.status_changed"}, true},
		{[]string{" message.created "}, []string{"message.created"}, true},
		{nil, nil, false},
		{[]string{}, nil, false},
		{[]string{"message.deleted"}, nil, false},
		{[]string{"MESSAGE.CREATED"}, nil, false},
		{[]string{"message.created", "*"}, nil, false},
	}
	for _, tt := range tests {
		got, err := normalizeEvents(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !slices.Equal(got, tt.want)) {
			t.Errorf("normalizeEvents(%q) = %q, %v; want %q (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && relay.ErrorCode(err) != relay.EINVALID {
			t.Errorf("normalizeEvents(%q): code %q", tt.in, relay.ErrorCode(err))
		}
	}
}

func TestCreateSubscription(t *testing.T) {
	ctx := context.Background()
	a, st := newHookApp(t, false)
	in := SubscriptionInput{URL: "https://93.184.215.14/n8n", Events: []string{"ticket.created"}, Description: "n8n"}

	// Only owners and admins.
	for _, role := range []relay.Role{relay.RoleMember, relay.RoleAgent, relay.RoleCustomer} {
		if _, err := a.Webhooks.CreateSubscription(ctx, actorAs(1, role), in); relay.ErrorCode(err) != relay.EFORBIDDEN {
			t.Fatalf("%s: %v, want forbidden", role, err)
		}
		if _, err := a.Webhooks.Subscriptions(ctx, actorAs(1, role)); relay.ErrorCode(err) != relay.EFORBIDDEN {
			t.Fatalf("%s lists: %v, want forbidden", role, err)
		}
	}
	if _, err := a.Webhooks.CreateSubscription(ctx, nil, in); relay.ErrorCode(err) != relay.EUNAUTHORIZED {
		t.Fatalf("no actor: %v", err)
	}
	if len(st.subs) != 0 {
		t.Fatal("a refused creation stored something")
	}

	// Bad input changes nothing.
	for name, bad := range map[string]SubscriptionInput{
		"no url":        {Events: []string{"ticket.created"}},
		"ftp":           {URL: "ftp://93.184.215.14/", Events: []string{"ticket.created"}},
		"loopback":      {URL: "http://127.0.0.1:5678/webhook", Events: []string{"ticket.created"}},
		"metadata":      {URL: "http://169.254.169.254/latest", Events: []string{"ticket.created"}},
		"private":       {URL: "http://192.168.1.20/", Events: []string{"ticket.created"}},
		"localhost":     {URL: "http://localhost:5678/", Events: []string{"ticket.created"}},
		"no events":     {URL: "https://93.184.215.14/"},
		"unknown event": {URL: "https://93.184.215.14/", Events: []string{"user.deleted"}},
		"long desc":     {URL: "https://93.184.215.14/", Events: []string{"ticket.created"}, Description: strings.Repeat("d", 201)},
	} {
		if _, err := a.Webhooks.CreateSubscription(ctx, actorAs(1, relay.RoleAdmin), bad); relay.ErrorCode(err) != relay.EINVALID {
			t.Fatalf("%s: %v, want invalid", name, err)
		}
	}
	if len(st.subs) != 0 {
		t.Fatal("bad input stored something")
	}

	created, err := a.Webhooks.CreateSubscription(ctx, actorAs(1, relay.RoleAdmin), in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.Secret, tokenPrefix) || !created.Active || created.WorkspaceID != 1 {
		t.Fatalf("created = %+v", created)
	}
	// The secret is stored sealed, and opens with the key the outbox
	// worker uses for webhook rows.
	stored := st.subs[0]
	if strings.Contains(string(stored.Secrets), created.Secret) {
		t.Fatal("the secret is stored in clear")
	}
	m, err := a.Connectors.OpenSecrets("webhook:"+stored.ID.String(), stored.Secrets)
	if err != nil || m["secret"] != created.Secret {
		t.Fatalf("OpenSecrets = %v, %v", m, err)
	}
	// Nor is it in the JSON of a listed subscription.
	list, err := a.Webhooks.Subscriptions(ctx, actorAs(1, relay.RoleOwner))
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	b, _ := json.Marshal(list)
	if strings.Contains(string(b), created.Secret) || strings.Contains(string(b), "secret") {
		t.Fatalf("listed subscription shows its secret: %s", b)
	}

	// Another workspace sees nothing, and cannot delete or read it.
	other := actorAs(2, relay.RoleOwner)
	if l, _ := a.Webhooks.Subscriptions(ctx, other); len(l) != 0 {
		t.Fatalf("workspace 2 lists %v", l)
	}
	if err := a.Webhooks.DeleteSubscription(ctx, other, created.ID); relay.ErrorCode(err) != relay.ENOTFOUND {
		t.Fatalf("cross-tenant delete: %v", err)
	}
	if _, err := a.Webhooks.SubscriptionDeliveries(ctx, other, created.ID, 0); relay.ErrorCode(err) != relay.ENOTFOUND {
		t.Fatalf("cross-tenant deliveries: %v", err)
	}
	if err := a.Webhooks.DeleteSubscription(ctx, actorAs(1, relay.RoleAgent), created.ID); relay.ErrorCode(err) != relay.EFORBIDDEN {
		t.Fatalf("agent delete: %v", err)
	}
	if err := a.Webhooks.DeleteSubscription(ctx, actorAs(1, relay.RoleOwner), created.ID); err != nil {
		t.Fatal(err)
	}
	if len(st.subs) != 0 {
		t.Fatal("not deleted")
	}
	if !slices.Equal(st.audits, []string{relay.AuditWebhookCreated, relay.AuditWebhookDeleted}) {
		t.Fatalf("audit = %v", st.audits)
	}

	// The operator's switch lets private receivers in.
	a2, _ := newHookApp(t, true)
	if _, err := a2.Webhooks.CreateSubscription(ctx, actorAs(1, relay.RoleAdmin), SubscriptionInput{URL: "http://127.0.0.1:5678/webhook",
		Events: []string{"message.created"}}); err != nil {
		t.Fatalf("allowed private: %v", err)
	}
}

func TestSubscriptionLimit(t *testing.T) {
	ctx := context.Background()
	a, st := newHookApp(t, false)
	in := SubscriptionInput{URL: "https://93.184.215.14/", Events: []string{"ticket.created"}}
	for i := 0; i < MaxSubscriptions; i++ {
		if _, err := a.Webhooks.CreateSubscription(ctx, actorAs(1, relay.RoleOwner), in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Webhooks.CreateSubscription(ctx, actorAs(1, relay.RoleOwner), in); relay.ErrorCode(err) != relay.ECONFLICT {
		t.Fatalf("over the limit: %v", err)
	}
	if len(st.subs) != MaxSubscriptions {
		t.Fatalf("%d stored", len(st.subs))
	}
	// The limit is per workspace.
	if _, err := a.Webhooks.CreateSubscription(ctx, actorAs(2, relay.RoleOwner), in); err != nil {
		t.Fatal(err)
	}
}

func TestPostIncomingWebhookRefusesMalformedTokens(t *testing.T) {
	a, _ := newHookApp(t, false)
	// None of these reach the store (which would panic: it has no incoming
	// webhooks).
	for _, tok := range []string{"", "x", "rly_short", tokenPrefix + strings.Repeat("a", 42), strings.Repeat("a", 47), "../../etc"} {
		if _, err := a.Webhooks.PostIncomingWebhook(context.Background(), tok, relay.IncomingPost{Text: "hi"}); relay.ErrorCode(err) != relay.ENOTFOUND {
			t.Errorf("token %q: %v, want not found", tok, err)
		}
	}
}

func TestTicketPayload(t *testing.T) {
	tk := &relay.Ticket{ID: 5, Subject: "Printer", Status: relay.TicketOpen, ReadSeq: 3, Unread: true, UnreadCount: 2, LastSeq: 5}
	p := ticketPayload(tk)
	if p.ReadSeq != 0 || p.Unread || p.UnreadCount != 0 || p.LastSeq != 5 || p.Subject != "Printer" {
		t.Fatalf("payload = %+v", p)
	}
	if tk.ReadSeq != 3 {
		t.Fatal("the ticket itself was changed")
	}
}

func TestTicketEvents(t *testing.T) {
	ctx := context.Background()
	a, st := newHookApp(t, false)
	tk := &relay.Ticket{ID: 5, WorkspaceID: 3, Subject: "Printer", Status: relay.TicketResolved, Unread: true}
	a.Webhooks.ticketCreatedEvent(ctx, tk)
	a.Webhooks.ticketStatusEvent(ctx, tk, relay.TicketOpen, relay.TicketResolved)
	a.Webhooks.ticketStatusEvent(ctx, tk, relay.TicketAssigned, relay.TicketAssigned) // no change, no event
	if len(st.events) != 2 {
		t.Fatalf("%d events, want 2: %+v", len(st.events), st.events)
	}
	created, changed := st.events[0], st.events[1]
	if created.ws != 3 || created.event != relay.EventTicketCreated || created.payload["ticket"].(map[string]any)["subject"] != "Printer" {
		t.Fatalf("created = %+v", created)
	}
	if created.payload["ticket"].(map[string]any)["unread"] != false {
		t.Fatalf("the payload carries a viewer's read state: %+v", created.payload)
	}
	if changed.event != relay.EventTicketStatusChanged || changed.payload["from"] != "open" || changed.payload["to"] != "resolved" ||
		changed.payload["ticket"].(map[string]any)["id"] != "5" {
		t.Fatalf("status_changed = %+v", changed)
	}
}
