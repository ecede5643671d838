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

func TestListMembers(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		other := mustCreateWorkspace(t, db, "other", "olga@example.com")
		bob, cat := newUser("bob@example.com"), newUser("cat@example.com")
		// Added out of id order, to see that the list is by join time.
		mustAddMember(t, db, tn, cat, true, relay.RoleCustomer, t0.Add(2*time.Hour))
		mustAddMember(t, db, tn, bob, true, relay.RoleAgent, t0.Add(time.Hour))

		got, err := db.ListMembers(ctx, tn.ws.ID)
		must(t, err)
		listed := func(u *relay.User) relay.User {
			c := *u
			c.PasswordHash = "" // never listed
			return c
		}
		diff(t, "members", got, []relay.Member{
			{User: listed(tn.owner), Role: relay.RoleOwner, At: tn.ws.CreatedAt},
			{User: listed(bob), Role: relay.RoleAgent, At: t0.Add(time.Hour).Truncate(time.Microsecond)},
			{User: listed(cat), Role: relay.RoleCustomer, At: t0.Add(2 * time.Hour).Truncate(time.Microsecond)},
		})
		got, err = db.ListMembers(ctx, other.ws.ID)
		must(t, err)
		if len(got) != 1 || got[0].User.ID != other.owner.ID {
			t.Fatalf("other workspace members = %+v, want only its owner", got)
		}
		got, err = db.ListMembers(ctx, ids.New())
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Fatalf("unknown workspace members = %#v, want an empty list", got)
		}
		_, err = db.Membership(ctx, other.ws.ID, bob.ID)
		wantCode(t, err, relay.ENOTFOUND, "That user is not a member of this workspace.")
	})
}

func TestSetRole(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		type step struct {
			user func(f *roleFixture) relay.ID
			role relay.Role
			code string // "" for success
		}
		owner := func(f *roleFixture) relay.ID { return f.tn.owner.ID }
		bob := func(f *roleFixture) relay.ID { return f.bob.ID }
		stranger := func(f *roleFixture) relay.ID { return f.stranger.ID }
		tests := []struct {
			name  string
			steps []step
			want  map[string]relay.Role // final roles of owner and bob
		}{
			{"promote member", []step{{bob, relay.RoleAdmin, ""}},
				map[string]relay.Role{"owner": relay.RoleOwner, "bob": relay.RoleAdmin}},
			{"same role is a no-op", []step{{owner, relay.RoleOwner, ""}, {bob, relay.RoleMember, ""}},
				map[string]relay.Role{"owner": relay.RoleOwner, "bob": relay.RoleMember}},
			{"demote the only owner", []step{{owner, relay.RoleAdmin, relay.ECONFLICT}},
				map[string]relay.Role{"owner": relay.RoleOwner, "bob": relay.RoleMember}},
			{"two owners: demote one, then not the last", []step{
				{bob, relay.RoleOwner, ""},
				{owner, relay.RoleAdmin, ""},
				{bob, relay.RoleCustomer, relay.ECONFLICT},
			}, map[string]relay.Role{"owner": relay.RoleAdmin, "bob": relay.RoleOwner}},
			{"not a member", []step{{stranger, relay.RoleAdmin, relay.ENOTFOUND}},
				map[string]relay.Role{"owner": relay.RoleOwner, "bob": relay.RoleMember}},
			{"invalid role", []step{{bob, relay.Role("god"), relay.EINVALID}},
				map[string]relay.Role{"owner": relay.RoleOwner, "bob": relay.RoleMember}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newRoleFixture(t, db, i)
				for j, s := range tt.steps {
					err := db.SetRole(ctx, f.tn.ws.ID, s.user(f), s.role)
					if s.code == "" {
						if err != nil {
							t.Fatalf("step %d: %v", j, err)
						}
						continue
					}
					wantCode(t, err, s.code, "")
					if s.code == relay.ECONFLICT {
						wantCode(t, err, s.code, "A workspace must keep at least one owner.")
					}
				}
				diff(t, "roles", map[string]relay.Role{
					"owner": roleOf(t, db, f.tn.ws.ID, f.tn.owner.ID),
					"bob":   roleOf(t, db, f.tn.ws.ID, f.bob.ID),
				}, tt.want)
			})
		}
		t.Run("unknown workspace", func(t *testing.T) {
			f := newRoleFixture(t, db, len(tests))
			wantCode(t, db.SetRole(ctx, ids.New(), f.tn.owner.ID, relay.RoleAdmin), relay.ENOTFOUND, "")
		})
	})
}

// TestSetDesk: the support-desk grant is stored and read back on every
// path that loads a membership (Membership, lists, MembersByID); customers
// cannot get it, and becoming a customer clears it.
func TestSetDesk(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		f := newRoleFixture(t, db, 0)
		ws, bob := f.tn.ws.ID, f.bob.ID
		desk := func() bool {
			t.Helper()
			m, err := db.Membership(ctx, ws, bob)
			must(t, err)
			list, err := db.ListMembers(ctx, ws)
			must(t, err)
			byID, err := db.MembersByID(ctx, ws, []relay.ID{bob})
			must(t, err)
			for _, x := range list {
				if x.User.ID == bob && x.Desk != m.Desk {
					t.Fatalf("list desk %v, membership %v", x.Desk, m.Desk)
				}
			}
			if byID[bob].Desk != m.Desk {
				t.Fatalf("by id desk %v, membership %v", byID[bob].Desk, m.Desk)
			}
			return m.Desk
		}
		if desk() {
			t.Fatal("granted by default")
		}
		must(t, db.SetDesk(ctx, ws, bob, true))
		if !desk() {
			t.Fatal("grant not stored")
		}
		must(t, db.SetDesk(ctx, ws, bob, true)) // idempotent
		// Other staff roles keep the flag; a customer loses it.
		must(t, db.SetRole(ctx, ws, bob, relay.RoleAgent))
		if !desk() {
			t.Fatal("an agent lost the stored flag")
		}
		must(t, db.SetRole(ctx, ws, bob, relay.RoleCustomer))
		if desk() {
			t.Fatal("a customer kept the desk")
		}
		wantCode(t, db.SetDesk(ctx, ws, bob, true), relay.ECONFLICT, "")
		if desk() {
			t.Fatal("a customer was granted the desk")
		}
		must(t, db.SetDesk(ctx, ws, bob, false)) // revoking is always fine
		must(t, db.SetRole(ctx, ws, bob, relay.RoleMember))
		must(t, db.SetDesk(ctx, ws, bob, true))
		must(t, db.SetDesk(ctx, ws, bob, false))
		if desk() {
			t.Fatal("revoke not stored")
		}
		wantCode(t, db.SetDesk(ctx, ws, f.stranger.ID, true), relay.ENOTFOUND, "")
		wantCode(t, db.SetDesk(ctx, ids.New(), bob, true), relay.ENOTFOUND, "")
	})
}

// roleFixture is a workspace with its owner, a member Bob, and a stranger who
// owns a workspace of their own.
type roleFixture struct {
	tn            tenant
	bob, stranger *relay.User
}

func newRoleFixture(t *testing.T, db *store.DB, i int) *roleFixture {
	t.Helper()
	f := &roleFixture{
		tn:  mustCreateWorkspace(t, db, fmt.Sprintf("ws%d", i), fmt.Sprintf("owner%d@example.com", i)),
		bob: newUser(fmt.Sprintf("bob%d@example.com", i)),
	}
	mustAddMember(t, db, f.tn, f.bob, true, relay.RoleMember, t0)
	f.stranger = mustCreateWorkspace(t, db, fmt.Sprintf("stranger%d", i), fmt.Sprintf("stranger%d@example.com", i)).owner
	return f
}

func TestRemoveMember(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		bob := newUser("bob@example.com")
		bobInA := mustAddMember(t, db, a, bob, true, relay.RoleAdmin, t0)
		bobInB := mustAddMember(t, db, b, bob, false, relay.RoleAgent, t0)
		bobTokenA := newSession(a.ws.ID, bob.ID, relay.TokenAPI, t0, nil)
		bobTokenB := newSession(b.ws.ID, bob.ID, relay.TokenAPI, t0, nil)
		must(t, db.CreateSession(ctx, bobTokenA))
		must(t, db.CreateSession(ctx, bobTokenB))

		must(t, db.RemoveMember(ctx, a.ws.ID, bob.ID))

		_, err := db.Membership(ctx, a.ws.ID, bob.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
		for _, s := range []*relay.Session{bobInA, bobTokenA} {
			_, _, _, err := db.Authenticate(ctx, a.ws.ID, s.TokenHash, t0)
			wantCode(t, err, relay.EUNAUTHORIZED, "")
		}
		if n := count(t, db, `SELECT count(*) FROM sessions WHERE workspace_id = $1 AND user_id = $2`, a.ws.ID, bob.ID); n != 0 {
			t.Fatalf("%d sessions of the removed member remain", n)
		}
		// Bob's sessions and token in the other workspace are untouched, and
		// so is the owner's session in a.
		for _, s := range []*relay.Session{bobInB, bobTokenB} {
			if _, _, _, err := db.Authenticate(ctx, b.ws.ID, s.TokenHash, t0); err != nil {
				t.Fatalf("Bob's session in b: %v", err)
			}
		}
		if _, _, _, err := db.Authenticate(ctx, a.ws.ID, a.session.TokenHash, t0); err != nil {
			t.Fatalf("owner's session in a: %v", err)
		}
		if _, err := db.UserByID(ctx, bob.ID); err != nil {
			t.Fatalf("the user must stay: %v", err)
		}

		wantCode(t, db.RemoveMember(ctx, a.ws.ID, bob.ID), relay.ENOTFOUND, "")
		wantCode(t, db.RemoveMember(ctx, a.ws.ID, a.owner.ID), relay.ECONFLICT, "A workspace must keep at least one owner.")
		if got := roleOf(t, db, a.ws.ID, a.owner.ID); got != relay.RoleOwner {
			t.Fatalf("last owner's role = %q after refused removal", got)
		}
		// With a second owner, an owner may leave.
		must(t, db.SetRole(ctx, b.ws.ID, bob.ID, relay.RoleOwner))
		must(t, db.RemoveMember(ctx, b.ws.ID, b.owner.ID))
		if got := roleOf(t, db, b.ws.ID, bob.ID); got != relay.RoleOwner {
			t.Fatalf("remaining owner's role = %q", got)
		}
	})
}

func TestTransferOwnership(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		f := newRoleFixture(t, db, 0)
		ws, owner, bob := f.tn.ws.ID, f.tn.owner.ID, f.bob.ID
		tests := []struct {
			name     string
			from, to relay.ID
			code     string
		}{
			{"from a non-owner", bob, owner, relay.ECONFLICT},
			{"to a stranger", owner, f.stranger.ID, relay.ENOTFOUND},
			{"from a stranger", f.stranger.ID, bob, relay.ENOTFOUND},
			{"to oneself", owner, owner, relay.EINVALID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.TransferOwnership(ctx, ws, tt.from, tt.to), tt.code, "")
				diff(t, "roles", []relay.Role{roleOf(t, db, ws, owner), roleOf(t, db, ws, bob)},
					[]relay.Role{relay.RoleOwner, relay.RoleMember})
			})
		}
		must(t, db.TransferOwnership(ctx, ws, owner, bob))
		diff(t, "roles", []relay.Role{roleOf(t, db, ws, owner), roleOf(t, db, ws, bob)},
			[]relay.Role{relay.RoleAdmin, relay.RoleOwner})
		wantCode(t, db.TransferOwnership(ctx, ids.New(), bob, owner), relay.ENOTFOUND, "")
	})
}

// TestConcurrentOwnerChanges has every owner demoted or removed at once: the
// check and the change are one transaction, so exactly one owner must
// survive, however the transactions interleave.
func TestConcurrentOwnerChanges(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		const owners = 8
		for round := range 5 {
			tn := mustCreateWorkspace(t, db, fmt.Sprintf("race%d", round), fmt.Sprintf("owner%d@example.com", round))
			users := []*relay.User{tn.owner}
			for i := 1; i < owners; i++ {
				u := newUser(fmt.Sprintf("owner%d-%d@example.com", round, i))
				mustAddMember(t, db, tn, u, true, relay.RoleOwner, t0)
				users = append(users, u)
			}
			start := make(chan struct{})
			errs := make([]error, owners)
			var wg sync.WaitGroup
			for i, u := range users {
				wg.Go(func() {
					<-start
					if i%2 == 0 {
						errs[i] = db.SetRole(ctx, tn.ws.ID, u.ID, relay.RoleAdmin)
					} else {
						errs[i] = db.RemoveMember(ctx, tn.ws.ID, u.ID)
					}
				})
			}
			close(start)
			wg.Wait()
			refused := 0
			for i, err := range errs {
				switch relay.ErrorCode(err) {
				case "":
				case relay.ECONFLICT:
					refused++
				default:
					t.Fatalf("round %d, owner %d: %v", round, i, err)
				}
			}
			left := count(t, db, `SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'`, tn.ws.ID)
			if left != 1 || refused != 1 {
				t.Fatalf("round %d: %d owners left and %d changes refused, want 1 and 1", round, left, refused)
			}
		}
	})
}
