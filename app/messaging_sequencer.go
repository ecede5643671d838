package app

import (
	"context"
	"errors"
	"hash/maphash"
	"sync"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/emoji"
)

// The sequencer serialises every change to a channel's messages through one
// goroutine per shard (channels are assigned to shards by id), which gives:
//
//   - group commit: posts waiting in a shard's queue are written in one
//     transaction, so many senders share one fsync — on SQLite, whose one
//     writer would otherwise commit them one by one, and on PostgreSQL;
//   - ordering: a shard commits and then publishes, in queue order, so
//     events for a channel leave in seq and change order, and an edit can
//     never overtake the post it edits.
//
// A failed batch is retried one message at a time so one bad message (a
// parent deleted meanwhile, say) fails alone.

// maxBatch bounds how many posts one transaction carries.
const maxBatch = 256

type seqOp struct {
	post *relay.Message // a post; or
	fn   func(ctx context.Context) error
	done chan seqResult
}

type seqResult struct {
	res relay.PostResult
	err error
}

type sequencer struct {
	app    *Messaging
	shards []chan *seqOp
	seed   maphash.Seed
	wg     sync.WaitGroup
	stop   chan struct{}
}

func newSequencer(a *Messaging, shards int) *sequencer {
	if shards < 1 {
		shards = 1
	}
	s := &sequencer{app: a, seed: maphash.MakeSeed(), stop: make(chan struct{})}
	for i := 0; i < shards; i++ {
		ch := make(chan *seqOp, 4*maxBatch)
		s.shards = append(s.shards, ch)
		s.wg.Add(1)
		go s.run(ch)
	}
	return s
}

func (s *sequencer) shard(channelID relay.ID) chan *seqOp {
	if len(s.shards) == 1 {
		return s.shards[0]
	}
	return s.shards[maphash.Comparable(s.seed, channelID)%uint64(len(s.shards))]
}

var errStopped = relay.Errorf(relay.EUNAVAILABLE, "The server is shutting down; try again.")

// submit queues op and waits for its result. If ctx ends first the caller
// stops waiting, but the operation may still be applied (it is idempotent
// for posts with a client_msg_id).
func (s *sequencer) submit(ctx context.Context, channelID relay.ID, op *seqOp) seqResult {
	op.done = make(chan seqResult, 1)
	select {
	case s.shard(channelID) <- op:
	case <-s.stop:
		return seqResult{err: errStopped}
	case <-ctx.Done():
		return seqResult{err: ctx.Err()}
	}
	select {
	case r := <-op.done:
		return r
	case <-ctx.Done():
		return seqResult{err: ctx.Err()}
	}
}

// post stores one message through the channel's shard. Every post passes
// here, so this is where ":tada:" shortcodes become emoji (outside code).
func (s *sequencer) post(ctx context.Context, m *relay.Message) (relay.PostResult, error) {
	m.Body = emoji.Replace(m.Body)
	r := s.submit(ctx, m.ChannelID, &seqOp{post: m})
	return r.res, r.err
}

// do runs fn in the channel's shard, ordered with its posts.
func (s *sequencer) do(ctx context.Context, channelID relay.ID, fn func(ctx context.Context) error) error {
	return s.submit(ctx, channelID, &seqOp{fn: fn}).err
}

func (s *sequencer) close() {
	close(s.stop)
	s.wg.Wait()
}

func (s *sequencer) run(ch chan *seqOp) {
	defer s.wg.Done()
	batch := make([]*seqOp, 0, maxBatch)
	var carry *seqOp // a non-post op that ended the previous batch
	for {
		var first *seqOp
		if carry != nil {
			first, carry = carry, nil
		} else {
			select {
			case first = <-ch:
			case <-s.stop:
				s.drain(ch)
				return
			}
		}
		if first.fn != nil {
			first.done <- seqResult{err: first.fn(context.Background())}
			continue
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case op := <-ch:
				if op.fn != nil {
					carry = op
					break fill
				}
				batch = append(batch, op)
			default:
				break fill
			}
		}
		s.commit(batch)
	}
}

// drain fails whatever is still queued at shutdown.
func (s *sequencer) drain(ch chan *seqOp) {
	for {
		select {
		case op := <-ch:
			op.done <- seqResult{err: errStopped}
		default:
			return
		}
	}
}

func (s *sequencer) commit(batch []*seqOp) {
	ctx := context.Background()
	msgs := make([]*relay.Message, len(batch))
	for i, op := range batch {
		msgs[i] = op.post
	}
	results, err := s.app.store.PostMessages(ctx, msgs)
	if err != nil && len(batch) > 1 {
		for _, op := range batch { // find the bad one: retry alone
			s.commit([]*seqOp{op})
		}
		return
	}
	if err != nil {
		if relay.ErrorCode(err) == relay.EINTERNAL && !errors.Is(err, context.Canceled) {
			s.app.log.Error("post message", "err", err, "channel_id", msgs[0].ChannelID)
		}
		batch[0].done <- seqResult{err: err}
		return
	}
	queued := false
	for i := range batch {
		s.app.afterPost(ctx, results[i])
		queued = queued || results[i].Queued
	}
	if queued {
		s.app.wakeOutbox() // deliver now, not at the workers' next poll
	}
	for i, op := range batch {
		op.done <- seqResult{res: results[i]}
	}
}
