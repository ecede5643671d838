package policy_test

import (
	"fmt"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

const (
	O = relay.RoleOwner
	A = relay.RoleAdmin
	G = relay.RoleAgent
	M = relay.RoleMember
	C = relay.RoleCustomer
)

func allow(roles ...relay.Role) map[relay.Role]bool {
	m := map[relay.Role]bool{}
	for _, r := range roles {
		m[r] = true
	}
	return m
}

// TestCheck is the whole permission matrix: every action × every target
// variant × every role. A row lists the roles allowed; all others must be
// refused with EFORBIDDEN.
func TestCheck(t *testing.T) {
	all := allow(O, A, G, M, C)
	staff := allow(O, A)
	owner := allow(O)
	none := allow()

	tests := []struct {
		act    policy.Action
		target policy.Target
		allow  map[relay.Role]bool
	}{
		{policy.ReadSelf, policy.Target{}, all},
		{policy.UpdateProfile, policy.Target{}, all},
		{policy.ViewMember, policy.Target{}, all},
		{policy.ManageOwnTokens, policy.Target{}, all},
		{policy.UpdateWorkspace, policy.Target{}, staff},
		{policy.DeleteWorkspace, policy.Target{}, owner},
		{policy.TransferOwnership, policy.Target{}, owner},
		{policy.SetMessageRate, policy.Target{}, owner},
		{policy.ListInvites, policy.Target{}, staff},
		{policy.RevokeInvite, policy.Target{}, staff},
		{policy.ListMembers, policy.Target{}, allow(O, A, G, M)},
		{policy.ViewAudit, policy.Target{}, staff},
		{policy.ViewDeskStats, policy.Target{}, staff},
		{policy.ManageConnectors, policy.Target{}, staff},
		{policy.ViewConnectors, policy.Target{}, allow(O, A, G, M)},

		// Invitations: staff may offer any role but owner; nobody may offer owner.
		{policy.CreateInvite, policy.Target{NewRole: O}, none},
		{policy.CreateInvite, policy.Target{NewRole: A}, staff},
		{policy.CreateInvite, policy.Target{NewRole: G}, staff},
		{policy.CreateInvite, policy.Target{NewRole: M}, staff},
		{policy.CreateInvite, policy.Target{NewRole: C}, staff},
	}
	// Role changes: every current role × every new role.
	for _, from := range relay.Roles {
		for _, to := range relay.Roles {
			want := owner
			if from != O && to != O {
				want = staff
			}
			tests = append(tests, struct {
				act    policy.Action
				target policy.Target
				allow  map[relay.Role]bool
			}{policy.ChangeRole, policy.Target{Role: from, NewRole: to}, want})
		}
	}
	// The desk grant: owners and admins, and only an owner touches an owner.
	for _, r := range relay.Roles {
		want := staff
		if r == O {
			want = owner
		}
		tests = append(tests, struct {
			act    policy.Action
			target policy.Target
			allow  map[relay.Role]bool
		}{policy.GrantDesk, policy.Target{Role: r}, want})
	}
	// Removal of someone else, by their role; leaving oneself is always allowed.
	for _, r := range relay.Roles {
		want := staff
		if r == O {
			want = owner
		}
		tests = append(tests,
			struct {
				act    policy.Action
				target policy.Target
				allow  map[relay.Role]bool
			}{policy.RemoveMember, policy.Target{Role: r}, want},
			struct {
				act    policy.Action
				target policy.Target
				allow  map[relay.Role]bool
			}{policy.RemoveMember, policy.Target{Role: r, Self: true}, all},
		)
	}

	covered := map[policy.Action]bool{}
	for _, tt := range tests {
		covered[tt.act] = true
		for _, role := range relay.Roles {
			name := fmt.Sprintf("%s/%+v/%s", tt.act, tt.target, role)
			t.Run(name, func(t *testing.T) {
				actor := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: role}}
				err := policy.Check(actor, tt.act, tt.target)
				if tt.allow[role] {
					if err != nil {
						t.Fatalf("got %v, want allowed", err)
					}
					return
				}
				if got := relay.ErrorCode(err); got != relay.EFORBIDDEN {
					t.Fatalf("got code %q (%v), want %q", got, err, relay.EFORBIDDEN)
				}
				if relay.ErrorMessage(err) == "" {
					t.Fatal("refusal without a reason")
				}
			})
		}
	}
	for _, a := range policy.Actions {
		if !covered[a] {
			t.Errorf("action %q has no row in the matrix", a)
		}
	}
}

func TestCheckAnonymous(t *testing.T) {
	for _, a := range policy.Actions {
		for _, actor := range []*relay.Actor{nil, {}, {User: &relay.User{ID: 1}}} {
			if got := relay.ErrorCode(policy.Check(actor, a, policy.Target{})); got != relay.EUNAUTHORIZED {
				t.Errorf("%s by %+v: got %q, want %q", a, actor, got, relay.EUNAUTHORIZED)
			}
		}
	}
}

func TestCheckUnknownAction(t *testing.T) {
	actor := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: O}}
	if got := relay.ErrorCode(policy.Check(actor, "no.such.action", policy.Target{})); got != relay.EFORBIDDEN {
		t.Fatalf("unknown action: got %q, want forbidden (deny by default)", got)
	}
}

// TestDeskGrantOutsideDesk: the desk grant changes nothing outside the
// desk (no dashboard, audit log, invitations or member management): every
// role with the grant decides exactly as without it.
func TestDeskGrantOutsideDesk(t *testing.T) {
	targets := []policy.Target{{}, {Role: M}, {Role: G, NewRole: M}, {Role: M, NewRole: G}, {NewRole: M}, {Role: O}}
	for _, act := range policy.Actions {
		for _, tg := range targets {
			for _, role := range relay.Roles {
				plain := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: role}}
				granted := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: role, Desk: true}}
				a, b := policy.Check(plain, act, tg), policy.Check(granted, act, tg)
				if relay.ErrorCode(a) != relay.ErrorCode(b) {
					t.Errorf("%s/%+v/%s: without the grant %v, with it %v", act, tg, role, a, b)
				}
			}
		}
	}
}
