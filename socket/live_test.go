package socket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/internal/testserver"
)

// TestLiveFigures checks the socket layer feeds the dashboard's live
// figures: a socket counts from its first join until it closes, and
// connected_agents counts distinct desk staff (agents, admins, owners).
func TestLiveFigures(t *testing.T) {
	w := newWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	st := w.st
	agent := st.Invite(t, w.owner, "gina", relay.RoleAgent)
	wsTopic := relay.WorkspaceTopic(w.owner.WorkspaceID)
	figures := func(clients, agents int) func() error {
		return func() error {
			var got struct {
				Clients int `json:"connected_clients"`
				Agents  int `json:"connected_agents"`
				Rooms   int `json:"active_ticket_rooms"`
			}
			st.Must(t, 200, "GET", "acme", "/api/v1/admin/stats", w.owner.Token, nil, &got)
			if got.Clients != clients || got.Agents != agents || got.Rooms != 0 {
				return fmt.Errorf("live figures %+v, want %d clients, %d agents, 0 rooms", got, clients, agents)
			}
			return nil
		}
	}
	check := func(clients, agents int) {
		t.Helper()
		testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, figures(clients, agents))
	}
	check(0, 0)
	owner := dial(t, st, w.owner)
	owner.join(wsTopic, nil)
	check(1, 1)
	bob := dial(t, st, w.bob) // a member: a client, not an agent
	bob.join(wsTopic, nil)
	check(2, 1)
	g1 := dial(t, st, agent)
	g1.join(wsTopic, nil)
	g2 := dial(t, st, agent) // the same agent twice: one agent
	g2.join(wsTopic, nil)
	check(4, 2)
	g1.close()
	check(3, 2)
	g2.close()
	bob.close()
	check(1, 1)
	owner.close()
	check(0, 0)
}
