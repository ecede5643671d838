package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/store"
)

// errBadMessage is what faultStore fails a batch with.
var errBadMessage = relay.Errorf(relay.EINVALID, "injected: this message cannot be stored")

// faultStore is a store whose PostMessages fails any batch holding a bad
// message (as one transaction fails for one bad row), records the size of
// every batch it is given, and holds the first one until released, so the
// posts that follow queue up into one batch.
type faultStore struct {
	app.Store
	bad     map[string]bool // bodies that fail their batch
	entered chan struct{}   // closed when the first batch arrives
	release chan struct{}   // the first batch waits for it

	mu    sync.Mutex
	sizes []int
}

func (s *faultStore) PostMessages(ctx context.Context, msgs []*relay.Message) ([]relay.PostResult, error) {
	s.mu.Lock()
	s.sizes = append(s.sizes, len(msgs))
	first := len(s.sizes) == 1
	s.mu.Unlock()
	if first {
		close(s.entered)
		<-s.release
	}
	for _, m := range msgs {
		if s.bad[m.Body] {
			return nil, errBadMessage
		}
	}
	return s.Store.PostMessages(ctx, msgs)
}

func (s *faultStore) batches() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sizes)
}

// newsRecorder keeps the bodies of message:new events.
type newsRecorder struct {
	mu     sync.Mutex
	bodies []string
}

func (r *newsRecorder) Publish(_ context.Context, ev relay.Event) error {
	if ev.Name != app.EvMessageNew {
		return nil
	}
	var m relay.Message
	if err := json.Unmarshal(ev.Payload, &m); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, m.Body)
	return nil
}

func (r *newsRecorder) published() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.bodies)
}

// TestSequencerBatchFailureRetriesAlone: posts queued behind a busy
// sequencer are written as one batch; when that batch's transaction fails,
// each message is retried alone, so a bad message fails only its own post,
// the others are stored (seq gap-free) and published, on both engines.
func TestSequencerBatchFailureRetriesAlone(t *testing.T) {
	batch := []string{"a", "b", "c", "d"}
	for _, tt := range []struct {
		name    string
		bad     []string
		batches []int // sizes PostMessages is called with, after the first post's 1
	}{
		{"a good batch is one transaction", nil, []int{4}},
		{"one bad message fails alone", []string{"c"}, []int{4, 1, 1, 1, 1}},
		{"two bad messages fail alone", []string{"a", "d"}, []int{4, 1, 1, 1, 1}},
		{"every message bad", batch, []int{4, 1, 1, 1, 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testdb.Engines(t, func(t *testing.T, db *store.DB) {
				fs := &faultStore{Store: db, bad: map[string]bool{}, entered: make(chan struct{}), release: make(chan struct{})}
				for _, b := range tt.bad {
					fs.bad[b] = true
				}
				rec := &newsRecorder{}
				a := app.New(app.Config{Store: fs, Bus: rec, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
					PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1}})
				t.Cleanup(a.Close)
				ctx := context.Background()
				res, err := a.Accounts.Signup(ctx, app.SignupInput{WorkspaceName: "Seq", Subdomain: "seq", Email: "owner@example.com",
					Password: "correct horse battery", DisplayName: "Owner"}, "192.0.2.1")
				if err != nil {
					t.Fatal(err)
				}
				actor, err := a.Accounts.Authenticate(ctx, res.Workspace, res.Token, false)
				if err != nil {
					t.Fatal(err)
				}
				chs, err := a.Messaging.ListChannels(ctx, actor, false, false)
				if err != nil || len(chs) == 0 {
					t.Fatalf("channels %v, %v", chs, err)
				}
				general := chs[0].ID

				// The first post holds the sequencer in the store…
				firstDone := make(chan error, 1)
				go func() {
					_, err := a.Messaging.PostMessage(ctx, actor, general, app.PostInput{Body: "first"})
					firstDone <- err
				}()
				select {
				case <-fs.entered:
				case <-time.After(30 * time.Second):
					t.Fatal("the first post never reached the store")
				}
				// …while the batch queues up behind it.
				type outcome struct {
					msg *relay.Message
					err error
				}
				outcomes := make([]outcome, len(batch))
				var wg sync.WaitGroup
				for i, body := range batch {
					wg.Go(func() {
						m, err := a.Messaging.PostMessage(ctx, actor, general, app.PostInput{Body: body, ClientMsgID: "c-" + body})
						outcomes[i] = outcome{m, err}
					})
				}
				testenv.CheckFor(t, 30*time.Second, time.Millisecond, func() error {
					if n := a.QueuedPosts(); n != len(batch) {
						return fmt.Errorf("%d posts queued, want %d", n, len(batch))
					}
					return nil
				})
				close(fs.release)
				if err := <-firstDone; err != nil {
					t.Fatalf("first post: %v", err)
				}
				wg.Wait()

				if got, want := fs.batches(), append([]int{1}, tt.batches...); !slices.Equal(got, want) {
					t.Errorf("batch sizes %v, want %v", got, want)
				}
				wantStored := []string{"first"}
				for i, body := range batch {
					o := outcomes[i]
					if fs.bad[body] {
						if !errors.Is(o.err, errBadMessage) || o.msg != nil {
							t.Errorf("post %q = %v, %v; want the store's error alone", body, o.msg, o.err)
						}
						continue
					}
					if o.err != nil || o.msg == nil || o.msg.Body != body {
						t.Errorf("post %q = %+v, %v; want it stored", body, o.msg, o.err)
						continue
					}
					wantStored = append(wantStored, body)
				}
				hist, err := a.Messaging.History(ctx, actor, general, relay.HistoryQuery{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				var stored []string
				var seqs []int64
				for _, m := range hist {
					stored = append(stored, m.Body)
					seqs = append(seqs, m.Seq)
				}
				slices.Sort(seqs)
				for i, s := range seqs {
					if s != int64(i)+seqs[0] {
						t.Errorf("seqs %v: not gap-free (the failed batch must leave no trace)", seqs)
						break
					}
				}
				slices.Sort(stored)
				slices.Sort(wantStored)
				if !slices.Equal(stored, wantStored) {
					t.Errorf("history %v, want %v", stored, wantStored)
				}
				published := rec.published()
				slices.Sort(published)
				if !slices.Equal(published, wantStored) {
					t.Errorf("message:new for %v, want %v (one per stored message, none for a failed one)", published, wantStored)
				}
			})
		})
	}
}
