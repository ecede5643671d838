package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestCreateWorkspace(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		w, u := newWorkspace("Acme"), newUser("Ann@Example.COM")
		u.Superadmin = true
		s := newSession(w.ID, u.ID, relay.TokenSession, t0, ptr(t0.Add(relay.SessionTTL)))
		general := newChannel(0, 0, "general", relay.ChannelPublic)
		must(t, db.CreateWorkspace(ctx, w, u, true, s, general))
		if w.Subdomain != "acme" || u.Email != "ann@example.com" {
			t.Fatalf("stored subdomain %q, email %q; want them lower-cased", w.Subdomain, u.Email)
		}

		byID, err := db.WorkspaceByID(ctx, w.ID)
		must(t, err)
		diff(t, "WorkspaceByID", byID, w)
		bySub, err := db.WorkspaceBySubdomain(ctx, "ACME")
		must(t, err)
		diff(t, "WorkspaceBySubdomain", bySub, w)

		gotUser, err := db.UserByID(ctx, u.ID)
		must(t, err)
		diff(t, "UserByID", gotUser, u)
		gotUser, err = db.UserByEmail(ctx, "ANN@example.com")
		must(t, err)
		diff(t, "UserByEmail", gotUser, u)

		wantM := &relay.Membership{WorkspaceID: w.ID, UserID: u.ID, Role: relay.RoleOwner, CreatedAt: w.CreatedAt}
		m, err := db.Membership(ctx, w.ID, u.ID)
		must(t, err)
		diff(t, "Membership", m, wantM)

		gotS, gotU, gotM, err := db.Authenticate(ctx, w.ID, s.TokenHash, t0)
		must(t, err)
		diff(t, "session", gotS, s)
		diff(t, "user", gotU, u)
		diff(t, "membership", gotM, wantM)

		// #general: a default channel of the workspace, the owner its member.
		if general.WorkspaceID != w.ID || general.CreatedBy != u.ID {
			t.Fatalf("general's workspace %d, creator %d; want %d, %d", general.WorkspaceID, general.CreatedBy, w.ID, u.ID)
		}
		defaults, err := db.DefaultChannels(ctx, w.ID)
		must(t, err)
		diff(t, "DefaultChannels", defaults, []relay.ID{general.ID})
		c, err := db.Channel(ctx, w.ID, general.ID, u.ID)
		must(t, err)
		want := *general
		want.MemberCount, want.IsMember = 1, true
		want.Member = &relay.ChannelMember{ChannelID: general.ID, UserID: u.ID, JoinedAt: general.CreatedAt}
		diff(t, "general", c, &want)
	})
}

// TestCreateWorkspaceWithoutGeneral makes a workspace with no channel at all.
func TestCreateWorkspaceWithoutGeneral(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		w, u := newWorkspace("bare"), newUser("bare@example.com")
		must(t, db.CreateWorkspace(ctx, w, u, true, nil, nil))
		defaults, err := db.DefaultChannels(ctx, w.ID)
		must(t, err)
		diff(t, "DefaultChannels", defaults, []relay.ID{})
		if n := rowCounts(t, db, w.ID)["channels"]; n != 0 {
			t.Fatalf("%d channels, want none", n)
		}
	})
}

// TestCreateWorkspaceAtomic checks that a failing insert anywhere in
// CreateWorkspace leaves nothing behind.
func TestCreateWorkspaceAtomic(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		taken := mustCreateWorkspace(t, db, "taken", "taken@example.com")
		tests := []struct {
			name        string
			subdomain   string
			email       string
			createUser  bool
			sameToken   bool
			sameChannel bool
			code, msg   string
		}{
			{name: "taken subdomain", subdomain: "taken", email: "new@example.com", createUser: true,
				code: relay.ECONFLICT, msg: "That subdomain is taken."},
			{name: "taken subdomain, other case", subdomain: "TAKEN", email: "new@example.com", createUser: true,
				code: relay.ECONFLICT, msg: "That subdomain is taken."},
			{name: "existing email", subdomain: "fresh", email: "taken@example.com", createUser: true,
				code: relay.ECONFLICT, msg: "An account with that email already exists."},
			{name: "existing email, other case", subdomain: "fresh", email: "Taken@Example.com", createUser: true,
				code: relay.ECONFLICT, msg: "An account with that email already exists."},
			{name: "missing owner", subdomain: "fresh", email: "ghost@example.com", createUser: false,
				code: relay.ENOTFOUND},
			{name: "token hash in use", subdomain: "fresh", email: "new@example.com", createUser: true, sameToken: true,
				code: relay.ECONFLICT},
			{name: "general's id in use", subdomain: "fresh", email: "new@example.com", createUser: true, sameChannel: true,
				code: relay.ECONFLICT, msg: "That id is already in use; please try again."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w, u := newWorkspace(tt.subdomain), newUser(tt.email)
				s := newSession(w.ID, u.ID, relay.TokenSession, t0, nil)
				if tt.sameToken {
					s.TokenHash = taken.session.TokenHash
				}
				general := newChannel(w.ID, u.ID, "general", relay.ChannelPublic)
				if tt.sameChannel {
					general.ID = taken.general.ID
				}
				err := db.CreateWorkspace(ctx, w, u, tt.createUser, s, general)
				wantCode(t, err, tt.code, tt.msg)

				diff(t, "rows of the failed workspace", rowCounts(t, db, w.ID), noRows())
				if n := count(t, db, `SELECT count(*) FROM users WHERE id = $1`, u.ID); n != 0 {
					t.Fatalf("the failed call left its user behind")
				}
				if n := count(t, db, `SELECT count(*) FROM workspaces`); n != 1 {
					t.Fatalf("%d workspaces, want 1", n)
				}
				if n := count(t, db, `SELECT count(*) FROM users`); n != 1 {
					t.Fatalf("%d users, want 1", n)
				}
			})
		}
	})
}

// TestCreateWorkspaceExistingUser makes a second workspace for an existing user.
func TestCreateWorkspaceExistingUser(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		w := newWorkspace("b")
		s := newSession(w.ID, a.owner.ID, relay.TokenSession, t0, nil)
		must(t, db.CreateWorkspace(ctx, w, a.owner, false, s, nil))
		if got := roleOf(t, db, w.ID, a.owner.ID); got != relay.RoleOwner {
			t.Fatalf("role = %q, want owner", got)
		}
		if _, _, _, err := db.Authenticate(ctx, w.ID, s.TokenHash, t0); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWorkspaceNotFound(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		mustCreateWorkspace(t, db, "acme", "ann@example.com")
		missing := ids.New()
		calls := map[string]func() error{
			"WorkspaceByID": func() error { _, err := db.WorkspaceByID(ctx, missing); return err },
			"WorkspaceBySubdomain": func() error {
				_, err := db.WorkspaceBySubdomain(ctx, "nope")
				return err
			},
			"UpdateWorkspace": func() error {
				_, err := db.UpdateWorkspace(ctx, missing, relay.WorkspaceUpdate{Name: ptr("x")}, t0)
				return err
			},
			"SetWorkspaceLogo": func() error {
				_, err := db.SetWorkspaceLogo(ctx, missing, "k", "image/png", "v", t0)
				return err
			},
			"DeleteWorkspace": func() error { return db.DeleteWorkspace(ctx, missing) },
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				wantCode(t, call(), relay.ENOTFOUND, "Workspace not found.")
			})
		}
	})
}

func TestUpdateWorkspace(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name   string
			upd    relay.WorkspaceUpdate
			change func(w *relay.Workspace)
		}{
			{name: "nothing", upd: relay.WorkspaceUpdate{}, change: func(*relay.Workspace) {}},
			{name: "name", upd: relay.WorkspaceUpdate{Name: ptr("Acme Support")},
				change: func(w *relay.Workspace) { w.Name = "Acme Support" }},
			{name: "colours", upd: relay.WorkspaceUpdate{PrimaryColor: ptr("#000000"), AccentColor: ptr("#ffffff")},
				change: func(w *relay.Workspace) { w.PrimaryColor, w.AccentColor = "#000000", "#ffffff" }},
			{name: "accent only", upd: relay.WorkspaceUpdate{AccentColor: ptr("#123456")},
				change: func(w *relay.Workspace) { w.AccentColor = "#123456" }},
			{name: "everything, empty name", upd: relay.WorkspaceUpdate{Name: ptr(""), PrimaryColor: ptr("#111111"), AccentColor: ptr("#222222")},
				change: func(w *relay.Workspace) { w.Name, w.PrimaryColor, w.AccentColor = "", "#111111", "#222222" }},
			{name: "message rate", upd: relay.WorkspaceUpdate{MessageRate: ptr(5), MessageBurst: ptr(7)},
				change: func(w *relay.Workspace) { w.MessageRate, w.MessageBurst = 5, 7 }},
			{name: "message rate off", upd: relay.WorkspaceUpdate{MessageRate: ptr(0)},
				change: func(w *relay.Workspace) { w.MessageRate = 0 }},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tn := mustCreateWorkspace(t, db, "ws"+string(rune('a'+i)), "owner"+string(rune('a'+i))+"@example.com")
				now := t0.Add(time.Duration(i+1) * time.Hour)
				got, err := db.UpdateWorkspace(ctx, tn.ws.ID, tt.upd, now)
				must(t, err)
				want := *tn.ws
				tt.change(&want)
				want.UpdatedAt = now.Truncate(time.Microsecond)
				diff(t, "returned workspace", got, &want)
				read, err := db.WorkspaceByID(ctx, tn.ws.ID)
				must(t, err)
				diff(t, "stored workspace", read, &want)
			})
		}
	})
}

func TestSetWorkspaceLogo(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		other := mustCreateWorkspace(t, db, "other", "olga@example.com")
		now := t0.Add(time.Minute)
		got, err := db.SetWorkspaceLogo(ctx, tn.ws.ID, "logos/acme-1.png", "image/png", "1", now)
		must(t, err)
		want := *tn.ws
		want.LogoKey, want.LogoType, want.LogoVersion, want.UpdatedAt = "logos/acme-1.png", "image/png", "1", now.Truncate(time.Microsecond)
		diff(t, "returned workspace", got, &want)
		read, err := db.WorkspaceByID(ctx, tn.ws.ID)
		must(t, err)
		diff(t, "stored workspace", read, &want)
		// Clearing the logo.
		got, err = db.SetWorkspaceLogo(ctx, tn.ws.ID, "", "", "", now)
		must(t, err)
		if got.LogoKey != "" || got.LogoType != "" || got.LogoVersion != "" {
			t.Fatalf("logo not cleared: %+v", got)
		}
		o, err := db.WorkspaceByID(ctx, other.ws.ID)
		must(t, err)
		diff(t, "other workspace", o, other.ws)
	})
}

func TestDeleteWorkspace(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bob@example.com")
		// Bob is also a member of a, with a session and a token there.
		bobInA := mustAddMember(t, db, a, b.owner, false, relay.RoleAgent, t0.Add(time.Minute))
		must(t, db.CreateSession(ctx, newSession(a.ws.ID, b.owner.ID, relay.TokenAPI, t0, nil)))
		must(t, db.CreateInvite(ctx, newInvite(a, "pending@example.com", relay.RoleMember, t0)))
		must(t, db.CreateInvite(ctx, newInvite(b, "pending@example.com", relay.RoleMember, t0)))
		before := rowCounts(t, db, b.ws.ID)

		must(t, db.DeleteWorkspace(ctx, a.ws.ID))

		diff(t, "rows of the deleted workspace", rowCounts(t, db, a.ws.ID), noRows())
		diff(t, "rows of the other workspace", rowCounts(t, db, b.ws.ID), before)
		_, err := db.WorkspaceByID(ctx, a.ws.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
		_, _, _, err = db.Authenticate(ctx, a.ws.ID, bobInA.TokenHash, t0)
		wantCode(t, err, relay.EUNAUTHORIZED, "")
		// Users are global: they stay, and Bob's own workspace still works.
		for _, u := range []*relay.User{a.owner, b.owner} {
			if _, err := db.UserByID(ctx, u.ID); err != nil {
				t.Fatalf("user %s: %v", u.Email, err)
			}
		}
		if _, _, _, err := db.Authenticate(ctx, b.ws.ID, b.session.TokenHash, t0); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteWorkspace(ctx, a.ws.ID), relay.ENOTFOUND, "")
		// The subdomain is free again.
		mustCreateWorkspace(t, db, "a", "ann2@example.com")
	})
}
