package policy_test

import (
	"fmt"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// outcome codes of the desk tables, per column owner, admin, agent, member,
// member with the desk grant, customer (deskRoles): '+' allowed, 'F' forbidden, 'N' not found, 'I' invalid,
// 'C' conflict (the lifecycle refuses).
var deskCodes = map[byte]string{'+': "", 'F': relay.EFORBIDDEN, 'N': relay.ENOTFOUND, 'I': relay.EINVALID, 'C': relay.ECONFLICT}

// deskRole is a column of the desk tables: a role, with or without the
// desk grant.
type deskRole struct {
	role  relay.Role
	grant bool
}

// deskRoles are the columns: every role, and a member with the grant, who
// must decide exactly as an agent.
var deskRoles = []deskRole{{relay.RoleOwner, false}, {relay.RoleAdmin, false}, {relay.RoleAgent, false},
	{relay.RoleMember, false}, {relay.RoleMember, true}, {relay.RoleCustomer, false}}

func (d deskRole) String() string {
	if d.grant {
		return string(d.role) + "+desk"
	}
	return string(d.role)
}

func (d deskRole) actor() *relay.Actor {
	return &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: d.role, Desk: d.grant}}
}

// grantColumn is the column whose outcome role r with the grant must have:
// the grant only ever changes a member (owners, admins and agents have the
// desk anyway; customers never get it).
func grantColumn(r relay.Role) int {
	if r == relay.RoleMember {
		return 4
	}
	for i, d := range deskRoles {
		if d.role == r && !d.grant {
			return i
		}
	}
	panic(r)
}

// TestCheckTicket is the desk's permission matrix: every action × every
// variant that matters × every role.
func TestCheckTicket(t *testing.T) {
	own := policy.OnTicket{Requester: true, Status: relay.TicketOpen}
	other := policy.OnTicket{Status: relay.TicketOpen}
	tests := []struct {
		act  policy.Action
		on   policy.OnTicket
		want string
	}{
		{policy.CreateTicket, policy.OnTicket{Requester: true}, "+++F++"},
		{policy.CreateTicket, policy.OnTicket{}, "+++F+F"},
		{policy.ListTickets, policy.OnTicket{}, "+++F++"},
		{policy.ReadTicket, own, "+++F++"},
		{policy.ReadTicket, other, "+++F+N"},
		{policy.PostTicket, own, "+++F++"},
		{policy.PostTicket, other, "+++F+N"},
		{policy.ReadTicketNotes, own, "+++F+N"},
		{policy.ReadTicketNotes, other, "+++F+N"},
		{policy.UpdateTicket, own, "+++F+F"},
		{policy.UpdateTicket, other, "+++F+N"},
		{policy.ReadTicketEvents, own, "+++F+F"},
		{policy.ReadTicketEvents, other, "+++F+N"},
		{policy.ResolveTicket, own, "+++F+F"},
		{policy.ReopenTicket, other, "+++F+N"},
		{policy.CloseTicket, own, "+++F+F"},

		// Assigning: agents take unassigned tickets (or keep their own);
		// admins and owners assign anyone on the desk.
		{policy.AssignTicket, policy.OnTicket{TargetSelf: true, TargetRole: relay.RoleAgent}, "+++F+N"},
		{policy.AssignTicket, policy.OnTicket{TargetRole: relay.RoleAgent}, "++FFFN"},
		{policy.AssignTicket, policy.OnTicket{TargetRole: relay.RoleOwner, Requester: true}, "++FFFF"},
		{policy.AssignTicket, policy.OnTicket{TargetRole: relay.RoleMember}, "IIIFIN"},
		{policy.AssignTicket, policy.OnTicket{TargetRole: relay.RoleCustomer}, "IIIFIN"},
		{policy.AssignTicket, policy.OnTicket{TargetSelf: true, TargetRole: relay.RoleAgent, Assigned: true}, "++FFFN"},
		{policy.AssignTicket, policy.OnTicket{TargetSelf: true, TargetRole: relay.RoleAgent, Assigned: true, AssignedToActor: true}, "+++F+N"},
		{policy.UnassignTicket, policy.OnTicket{Assigned: true, AssignedToActor: true}, "+++F+N"},
		{policy.UnassignTicket, policy.OnTicket{Assigned: true}, "++FFFN"},
		{policy.UnassignTicket, policy.OnTicket{Assigned: true, Requester: true}, "++FFFF"},

		// A member with the desk grant is on the desk: they take tickets
		// and admins may give them tickets; a customer never is, whatever
		// the flag says.
		{policy.AssignTicket, policy.OnTicket{TargetRole: relay.RoleMember, TargetDesk: true}, "++FFFN"},
		{policy.AssignTicket, policy.OnTicket{TargetSelf: true, TargetRole: relay.RoleMember, TargetDesk: true}, "+++F+N"},
		{policy.AssignTicket, policy.OnTicket{TargetRole: relay.RoleCustomer, TargetDesk: true}, "IIIFIN"},
	}
	covered := map[policy.Action]bool{}
	for _, tt := range tests {
		covered[tt.act] = true
		for i, d := range deskRoles {
			t.Run(fmt.Sprintf("%s/%+v/%s", tt.act, tt.on, d), func(t *testing.T) {
				err := policy.CheckTicket(d.actor(), tt.act, tt.on)
				if got, want := relay.ErrorCode(err), deskCodes[tt.want[i]]; got != want {
					t.Fatalf("got %q (%v), want %q", got, err, want)
				}
				if err != nil && relay.ErrorMessage(err) == "" {
					t.Fatal("refusal without a reason")
				}
			})
		}
		// The grant on any other role changes nothing.
		for _, role := range relay.Roles {
			granted := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: role, Desk: true}}
			err := policy.CheckTicket(granted, tt.act, tt.on)
			if got, want := relay.ErrorCode(err), deskCodes[tt.want[grantColumn(role)]]; got != want {
				t.Errorf("%s/%+v/%s with the grant: got %q (%v), want %q", tt.act, tt.on, role, got, err, want)
			}
		}
	}
	for _, a := range policy.TicketActions {
		if !covered[a] {
			t.Errorf("action %q has no row", a)
		}
		if got := relay.ErrorCode(policy.CheckTicket(nil, a, own)); got != relay.EUNAUTHORIZED {
			t.Errorf("anonymous %s: %q", a, got)
		}
	}
}

// TestTicketLifecycle is the lifecycle table the issue asks for: every
// status × every lifecycle action × every role, on a ticket the actor
// requested (so a customer reaches the lifecycle rules at all) and, for
// assignment, aimed at the actor. Each cell is the resulting status or a
// refusal code.
func TestTicketLifecycle(t *testing.T) {
	type row struct {
		from     relay.TicketStatus
		act      policy.Action
		assigned bool      // the ticket has an assignee (the actor) before
		want     [6]string // deskRoles: owner, admin, agent, member, member+desk, customer
	}
	const (
		open, assigned, resolved, closed = relay.TicketOpen, relay.TicketAssigned, relay.TicketResolved, relay.TicketClosed
	)
	staff := func(result string) [6]string { return [6]string{result, result, result, "F", result, "F"} }
	tests := []row{
		{open, policy.AssignTicket, false, staff("assigned")},
		{open, policy.UnassignTicket, false, staff("C")},
		{open, policy.ResolveTicket, false, staff("resolved")},
		{open, policy.ReopenTicket, false, staff("C")},
		{open, policy.CloseTicket, false, staff("closed")},

		{assigned, policy.AssignTicket, true, staff("assigned")},
		{assigned, policy.UnassignTicket, true, staff("open")},
		{assigned, policy.ResolveTicket, true, staff("resolved")},
		{assigned, policy.ReopenTicket, true, staff("C")},
		{assigned, policy.CloseTicket, true, staff("closed")},

		{resolved, policy.AssignTicket, false, staff("resolved")},
		{resolved, policy.UnassignTicket, true, staff("resolved")},
		{resolved, policy.UnassignTicket, false, staff("C")},
		{resolved, policy.ResolveTicket, true, staff("C")},
		{resolved, policy.ReopenTicket, true, staff("assigned")},
		{resolved, policy.ReopenTicket, false, staff("open")},
		{resolved, policy.CloseTicket, true, staff("closed")},

		{closed, policy.AssignTicket, false, staff("C")},
		{closed, policy.UnassignTicket, true, staff("C")},
		{closed, policy.ResolveTicket, true, staff("C")},
		{closed, policy.ReopenTicket, true, staff("C")},
		{closed, policy.CloseTicket, true, staff("C")},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[string(tt.from)+"/"+string(tt.act)] = true
		for i, d := range deskRoles {
			t.Run(fmt.Sprintf("%s/%s/assigned=%v/%s", tt.from, tt.act, tt.assigned, d), func(t *testing.T) {
				on := policy.OnTicket{Requester: true, Status: tt.from, Assigned: tt.assigned, AssignedToActor: tt.assigned,
					TargetSelf: true, TargetRole: relay.RoleAgent}
				to, err := policy.TicketStep(d.actor(), tt.act, on)
				want := tt.want[i]
				if len(want) == 1 {
					if got := relay.ErrorCode(err); got != deskCodes[want[0]] {
						t.Fatalf("got %q (%v, to %q), want %q", got, err, to, deskCodes[want[0]])
					}
					if relay.ErrorMessage(err) == "" {
						t.Fatal("refusal without a reason")
					}
					return
				}
				if err != nil || string(to) != want {
					t.Fatalf("got %q, %v; want %q", to, err, want)
				}
			})
		}
	}
	for _, s := range relay.TicketStatuses {
		for _, a := range policy.LifecycleActions {
			if !covered[string(s)+"/"+string(a)] {
				t.Errorf("no row for %s × %s", s, a)
			}
		}
	}
}

func TestDeskStaff(t *testing.T) {
	for _, tt := range []struct {
		role  relay.Role
		grant bool
		want  bool
	}{
		{relay.RoleOwner, false, true}, {relay.RoleOwner, true, true},
		{relay.RoleAdmin, false, true}, {relay.RoleAdmin, true, true},
		{relay.RoleAgent, false, true}, {relay.RoleAgent, true, true},
		{relay.RoleMember, false, false}, {relay.RoleMember, true, true},
		{relay.RoleCustomer, false, false}, {relay.RoleCustomer, true, false},
		{"", true, false},
	} {
		if got := policy.DeskStaff(tt.role, tt.grant); got != tt.want {
			t.Errorf("DeskStaff(%q, %v) = %v", tt.role, tt.grant, got)
		}
		actor := &relay.Actor{User: &relay.User{ID: 1}, Membership: &relay.Membership{Role: tt.role, Desk: tt.grant}}
		if got := policy.DeskActor(actor); got != tt.want {
			t.Errorf("DeskActor(%q, %v) = %v", tt.role, tt.grant, got)
		}
	}
	if policy.DeskActor(nil) || policy.DeskActor(&relay.Actor{}) {
		t.Error("anonymous on the desk")
	}
}
