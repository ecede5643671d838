package app

import (
	"context"
	"sync"

	"github.com/relayhq/relay"
)

// LiveFigures are the dashboard's live figures for one workspace.
type LiveFigures struct {
	// ConnectedClients counts open sockets (a socket counts once it has
	// joined its first topic).
	ConnectedClients int `json:"connected_clients"`
	// ConnectedAgents counts distinct people who can take tickets (agents,
	// admins, owners and members with the desk grant) with at least one
	// open socket.
	ConnectedAgents int `json:"connected_agents"`
	// ActiveTicketRooms counts sockets joined to a ticket:<id> topic (a
	// socket in three ticket rooms counts three times).
	ActiveTicketRooms int `json:"active_ticket_rooms"`
}

// LiveStats reads the live figures of a workspace.
type LiveStats interface {
	Live(ctx context.Context, workspaceID relay.ID) (LiveFigures, error)
}

// LiveReporter is what the socket layer reports as sockets come and go.
// Calls for one socket come in order (opened before joins, joins before
// their leaves, leaves before closed); they must not block.
type LiveReporter interface {
	// desk: the user works the desk (policy.DeskStaff) and so counts in
	// connected_agents.
	SocketOpened(workspaceID, userID relay.ID, desk bool)
	SocketClosed(workspaceID, userID relay.ID, desk bool)
	TicketRoomJoined(workspaceID relay.ID)
	TicketRoomLeft(workspaceID relay.ID)
}

// LiveTracker both hears the socket layer and answers the dashboard.
// LiveCounter is the one-process implementation; several server processes
// sharing one database need one backed by shared state (each node
// publishing its counts with a TTL, say, and Live summing them), which the
// cluster work provides behind this same interface.
type LiveTracker interface {
	LiveStats
	LiveReporter
}

// LiveCounter counts this process's sockets in memory. The zero value is
// not usable; call NewLiveCounter. Safe for concurrent use.
type LiveCounter struct {
	mu sync.Mutex
	ws map[relay.ID]*liveWorkspace
}

type liveWorkspace struct {
	sockets int
	staff   map[relay.ID]int // desk staff user → open sockets
	rooms   int
}

var _ LiveTracker = (*LiveCounter)(nil)

// NewLiveCounter returns an empty in-process counter.
func NewLiveCounter() *LiveCounter { return &LiveCounter{ws: map[relay.ID]*liveWorkspace{}} }

func (c *LiveCounter) get(ws relay.ID) *liveWorkspace {
	w := c.ws[ws]
	if w == nil {
		w = &liveWorkspace{staff: map[relay.ID]int{}}
		c.ws[ws] = w
	}
	return w
}

// gc forgets a workspace with nothing open.
func (c *LiveCounter) gc(ws relay.ID, w *liveWorkspace) {
	if w.sockets <= 0 && w.rooms <= 0 && len(w.staff) == 0 {
		delete(c.ws, ws)
	}
}

// SocketOpened counts a socket.
func (c *LiveCounter) SocketOpened(ws, user relay.ID, desk bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.get(ws)
	w.sockets++
	if desk {
		w.staff[user]++
	}
}

// SocketClosed uncounts a socket.
func (c *LiveCounter) SocketClosed(ws, user relay.ID, desk bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.get(ws)
	w.sockets = max(0, w.sockets-1)
	if desk {
		if w.staff[user]--; w.staff[user] <= 0 {
			delete(w.staff, user)
		}
	}
	c.gc(ws, w)
}

// TicketRoomJoined counts a socket's join of a ticket topic.
func (c *LiveCounter) TicketRoomJoined(ws relay.ID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.get(ws).rooms++
}

// TicketRoomLeft uncounts it.
func (c *LiveCounter) TicketRoomLeft(ws relay.ID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.get(ws)
	w.rooms = max(0, w.rooms-1)
	c.gc(ws, w)
}

// Live returns the workspace's figures on this process.
func (c *LiveCounter) Live(_ context.Context, ws relay.ID) (LiveFigures, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.ws[ws]
	if w == nil {
		return LiveFigures{}, nil
	}
	return LiveFigures{ConnectedClients: w.sockets, ConnectedAgents: len(w.staff), ActiveTicketRooms: w.rooms}, nil
}

// Live returns what the socket layer reports to: the configured tracker,
// with each change also scheduling a (debounced) stats:updated for the
// workspace's dashboards.
func (a *Desk) Live() LiveReporter { return liveNotifier{a} }

type liveNotifier struct{ a *Desk }

func (n liveNotifier) SocketOpened(ws, user relay.ID, desk bool) {
	n.a.live.SocketOpened(ws, user, desk)
	n.a.statsNotify(context.Background(), ws, "live")
}

func (n liveNotifier) SocketClosed(ws, user relay.ID, desk bool) {
	n.a.live.SocketClosed(ws, user, desk)
	n.a.statsNotify(context.Background(), ws, "live")
}

func (n liveNotifier) TicketRoomJoined(ws relay.ID) {
	n.a.live.TicketRoomJoined(ws)
	n.a.statsNotify(context.Background(), ws, "live")
}

func (n liveNotifier) TicketRoomLeft(ws relay.ID) {
	n.a.live.TicketRoomLeft(ws)
	n.a.statsNotify(context.Background(), ws, "live")
}
