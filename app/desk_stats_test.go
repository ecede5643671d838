package app

import (
	"context"
	"encoding/json"
	"github.com/relayhq/relay/internal/testenv"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
)

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{[]float64{5}, 5}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tt.in); got == nil || *got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if median(nil) != nil {
		t.Error("median of nothing should be nil")
	}
}

func TestLiveCounter(t *testing.T) {
	c := NewLiveCounter()
	ws, other := relay.ID(1), relay.ID(2)
	live := func(id relay.ID) LiveFigures { f, _ := c.Live(context.Background(), id); return f }
	c.SocketOpened(ws, 10, true)
	c.SocketOpened(ws, 10, true)
	c.SocketOpened(ws, 11, false)
	c.SocketOpened(ws, 12, true)
	c.SocketOpened(other, 13, false)
	c.TicketRoomJoined(ws)
	c.TicketRoomJoined(ws)
	if got, want := live(ws), (LiveFigures{ConnectedClients: 4, ConnectedAgents: 2, ActiveTicketRooms: 2}); got != want {
		t.Fatalf("live = %+v, want %+v", got, want)
	}
	c.SocketClosed(ws, 10, true)
	c.TicketRoomLeft(ws)
	if got, want := live(ws), (LiveFigures{ConnectedClients: 3, ConnectedAgents: 2, ActiveTicketRooms: 1}); got != want {
		t.Fatalf("after a close = %+v, want %+v", got, want)
	}
	c.SocketClosed(ws, 10, true)
	c.SocketClosed(ws, 11, false)
	c.SocketClosed(ws, 12, true)
	c.TicketRoomLeft(ws)
	if got := live(ws); got != (LiveFigures{}) {
		t.Fatalf("all closed = %+v", got)
	}
	if len(c.ws) != 1 {
		t.Fatalf("%d workspaces remembered, want only the one with a socket", len(c.ws))
	}
	if got := live(other); got.ConnectedClients != 1 || got.ConnectedAgents != 0 {
		t.Fatalf("other = %+v", got)
	}
}

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu  sync.Mutex
	evs []relay.Event
}

func (r *recorder) Publish(_ context.Context, ev relay.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
	return nil
}

func (r *recorder) events() []relay.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relay.Event(nil), r.evs...)
}

// TestStatsUpdatedDebounced: a burst of changes makes one stats:updated on
// the workspace's desk topic, "tickets" winning over "live".
func TestStatsUpdatedDebounced(t *testing.T) {
	rec := &recorder{}
	a := New(Config{Bus: rec, StatsDebounce: 20 * time.Millisecond})
	defer a.Close()
	timer := &testenv.ManualTimer{}
	a.Desk.stats.after = timer.After
	ctx := context.Background()
	ws := relay.ID(7)
	a.Desk.Live().SocketOpened(ws, 1, true)
	a.Desk.statsChanged(ctx, ws)
	a.Desk.Live().TicketRoomJoined(ws)
	a.Desk.statsChanged(ctx, relay.ID(8))
	if n := timer.Pending(); n != 2 {
		t.Fatalf("%d intervals scheduled, want one per workspace", n)
	}
	if n := len(rec.events()); n != 0 {
		t.Fatalf("%d events before the interval ended, want none", n)
	}
	timer.Fire() // the intervals end: the events are published before fire returns
	// Nothing more may come: the burst was one, and no interval is pending.
	if n := timer.Pending(); n != 0 {
		t.Fatalf("%d intervals still scheduled, want none", n)
	}
	evs := rec.events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want one per workspace: %+v", len(evs), evs)
	}
	for _, ev := range evs {
		if ev.Name != EvStatsUpdated || ev.Topic != "desk:"+ev.WorkspaceID.String() {
			t.Fatalf("event %s on %s", ev.Name, ev.Topic)
		}
		var p StatsUpdatedEvent
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatal(err)
		}
		want := StatsUpdatedEvent{Reason: "tickets"}
		if ev.WorkspaceID == ws {
			want.LiveFigures = LiveFigures{ConnectedClients: 1, ConnectedAgents: 1, ActiveTicketRooms: 1}
		}
		if p != want {
			t.Fatalf("payload %+v, want %+v", p, want)
		}
	}
}
