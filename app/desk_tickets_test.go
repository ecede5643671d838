package app

import (
	"context"
	"log/slog"
	"testing"

	"github.com/relayhq/relay"
)

// TestTicketMessageTopics: a ticket's conversation goes to ticket:<id>, its
// internal notes only to the staff topic, other messages to their channel.
func TestTicketMessageTopics(t *testing.T) {
	cp := &recorder{} // desk_stats_test.go
	a := &kernel{bus: cp, log: slog.New(slog.DiscardHandler)}
	for _, m := range []*relay.Message{
		{ID: 1, ChannelID: 10, TicketID: 7, Seq: 1},
		{ID: 2, ChannelID: 11, TicketID: 7, Seq: 1, Internal: true},
		{ID: 3, ChannelID: 12, Seq: 1},
	} {
		a.publishMessage(context.Background(), EvMessageNew, m, m)
	}
	want := []string{"ticket:7", "ticket:7:staff", "channel:12"}
	for i, ev := range cp.events() {
		if ev.Topic != want[i] {
			t.Errorf("message %d went to %q, want %q", i+1, ev.Topic, want[i])
		}
	}
	if len(cp.events()) != len(want) {
		t.Fatalf("%d events, want %d", len(cp.events()), len(want))
	}
}
