package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/relayhq/relay"
)

// queuingStore stands in for the store's PostMessages: each result says
// whether its post queued outbox rows. The rest of the store is absent
// (calling it panics, which fails the test).
type queuingStore struct {
	messagingStore
	queued bool
}

func (s queuingStore) PostMessages(_ context.Context, msgs []*relay.Message) ([]relay.PostResult, error) {
	out := make([]relay.PostResult, len(msgs))
	for i, m := range msgs {
		out[i] = relay.PostResult{Message: m, Queued: s.queued}
	}
	return out, nil
}

// TestSequencerWakesOutbox: a committed batch that queued outbox rows
// wakes the outbox workers of this process; one that queued none does not.
func TestSequencerWakesOutbox(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queued bool
	}{{"queued", true}, {"nothing queued", false}} {
		t.Run(tc.name, func(t *testing.T) {
			k := &kernel{log: slog.New(slog.DiscardHandler), ids: relay.NewIDGen(), now: time.Now, bus: noPublisher{},
				outbox: make(chan struct{}, 1)}
			m := newMessaging(k, queuingStore{queued: tc.queued}, 1)
			defer m.seq.close()
			msg := &relay.Message{ID: k.ids.New(), WorkspaceID: 1, ChannelID: 2, Body: "hi", CreatedAt: k.Now()}
			if _, err := m.seq.post(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			// post returns after the batch's results are handed out, and
			// the wake-up is raised before that.
			woken := false
			select {
			case <-k.outbox:
				woken = true
			default:
			}
			if woken != tc.queued {
				t.Fatalf("outbox woken = %v, want %v", woken, tc.queued)
			}
		})
	}
}
