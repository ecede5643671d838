package store_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/store"
)

var ids = relay.NewIDGen()

// t0 is the tests' "now". It carries nanoseconds on purpose: the store keeps
// microseconds, and a round trip must compare equal to the normalised value.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

var ctx = context.Background()

func newWorkspace(subdomain string) *relay.Workspace {
	return &relay.Workspace{
		ID:           ids.New(),
		Subdomain:    subdomain,
		Name:         "Workspace " + subdomain,
		PrimaryColor: relay.DefaultPrimaryColor,
		AccentColor:  relay.DefaultAccentColor,
		CreatedAt:    t0,
		UpdatedAt:    t0,
	}
}

func newUser(email string) *relay.User {
	return &relay.User{
		ID:           ids.New(),
		Email:        email,
		DisplayName:  "User " + email,
		AvatarURL:    "https://example.com/" + email + ".png",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		CreatedAt:    t0,
	}
}

// hashToken returns a fresh random token's SHA-256, as the app stores it.
func hashToken() []byte {
	var b [32]byte
	_, _ = rand.Read(b[:])
	h := sha256.Sum256(b[:])
	return h[:]
}

func newSession(workspaceID, userID relay.ID, kind string, at time.Time, expires *time.Time) *relay.Session {
	return &relay.Session{
		ID:          ids.New(),
		WorkspaceID: workspaceID,
		UserID:      userID,
		Kind:        kind,
		Name:        kind + " " + at.Format(time.RFC3339Nano),
		CreatedAt:   at,
		LastUsedAt:  &at,
		ExpiresAt:   expires,
		TokenHash:   hashToken(),
	}
}

func ptr[T any](v T) *T { return &v }

// tenant is a workspace made through the store, with its owner, session
// and #general channel.
type tenant struct {
	ws      *relay.Workspace
	owner   *relay.User
	session *relay.Session
	general *relay.Channel
}

// mustCreateWorkspace creates a workspace whose new owner has a login
// session, with a #general default channel.
func mustCreateWorkspace(t *testing.T, db *store.DB, subdomain, email string) tenant {
	t.Helper()
	w, u := newWorkspace(subdomain), newUser(email)
	s := newSession(w.ID, u.ID, relay.TokenSession, t0, ptr(t0.Add(relay.SessionTTL)))
	general := newChannel(w.ID, u.ID, "general", relay.ChannelPublic)
	if err := db.CreateWorkspace(ctx, w, u, true, s, general); err != nil {
		t.Fatalf("CreateWorkspace(%s): %v", subdomain, err)
	}
	return tenant{ws: w, owner: u, session: s, general: general}
}

// mustAddMember invites u to the workspace with role and has them accept it
// (creating u when createUser), returning their new login session.
func mustAddMember(t *testing.T, db *store.DB, tn tenant, u *relay.User, createUser bool, role relay.Role, at time.Time) *relay.Session {
	t.Helper()
	inv := newInvite(tn, u.Email, role, at)
	if err := db.CreateInvite(ctx, inv); err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	s := newSession(tn.ws.ID, u.ID, relay.TokenSession, at, ptr(at.Add(relay.SessionTTL)))
	if _, err := db.AcceptInvite(ctx, tn.ws.ID, inv.ID, u, createUser, s, at); err != nil {
		t.Fatalf("AcceptInvite(%s as %s): %v", u.Email, role, err)
	}
	return s
}

func newInvite(tn tenant, email string, role relay.Role, at time.Time) *relay.Invite {
	return &relay.Invite{
		ID:          ids.New(),
		WorkspaceID: tn.ws.ID,
		Email:       email,
		Role:        role,
		InvitedBy:   tn.owner.ID,
		CreatedAt:   at,
		ExpiresAt:   at.Add(relay.InviteTTL),
		TokenHash:   hashToken(),
	}
}

// wantCode fails unless err carries the code (and, when msg is not "", that message).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	if got := relay.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
	if msg != "" {
		if got := relay.ErrorMessage(err); got != msg {
			t.Fatalf("error message = %q, want %q", got, msg)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// count runs a COUNT query straight on the database, to see rows no method
// returns (no partial writes, cascades).
func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var pool *sql.DB
	for _, name := range []string{"read", "main"} {
		if p := db.Pools()[name]; p != nil {
			pool = p
		}
	}
	var n int
	if err := pool.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tenantTables are the tables whose rows carry a workspace_id.
var tenantTables = []string{"memberships", "sessions", "handoffs", "invites",
	"channels", "channel_members", "messages", "reactions", "mentions", "tickets", "ticket_tags", "ticket_events",
	"ticket_reads", "connectors", "contacts", "conversations", "external_messages", "outbox", "webhook_subscriptions",
	"webhook_deliveries", "incoming_webhooks", "attachments"}

// noRows is what rowCounts returns for a workspace that is not there.
func noRows() map[string]int {
	m := map[string]int{"workspaces": 0}
	for _, table := range tenantTables {
		m[table] = 0
	}
	return m
}

// exec runs a statement straight on the database, to set up states no
// method makes.
func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	pool := db.Pools()["write"]
	if pool == nil {
		pool = db.Pools()["main"]
	}
	if _, err := pool.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// rowCounts counts the rows of every table that belong to the workspace.
func rowCounts(t *testing.T, db *store.DB, workspaceID relay.ID) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, table := range tenantTables {
		m[table] = count(t, db, fmt.Sprintf(`SELECT count(*) FROM %s WHERE workspace_id = $1`, table), workspaceID)
	}
	m["workspaces"] = count(t, db, `SELECT count(*) FROM workspaces WHERE id = $1`, workspaceID)
	return m
}

func roleOf(t *testing.T, db *store.DB, workspaceID, userID relay.ID) relay.Role {
	t.Helper()
	m, err := db.Membership(ctx, workspaceID, userID)
	if err != nil {
		t.Fatalf("Membership: %v", err)
	}
	return m.Role
}
