package line

import (
	"hash/fnv"
	"sync"
)

// queue holds the events waiting for a worker: one FIFO per worker, so the
// events of a conversation (sharded by its key) keep their order, and one
// bound over all of them. A webhook reserves room for its whole batch before
// it records anything, so a batch is taken whole or refused whole.
type queue struct {
	mu     sync.Mutex
	shards [][]job
	wake   []chan struct{} // one per shard, capacity 1
	used   int             // queued + reserved
	limit  int
	closed bool
}

func newQueue(shards, limit int) *queue {
	q := &queue{shards: make([][]job, shards), wake: make([]chan struct{}, shards), limit: limit}
	for i := range q.wake {
		q.wake[i] = make(chan struct{}, 1)
	}
	return q
}

// reserve takes room for n events; false when it is not there (or the queue
// is closed).
func (q *queue) reserve(n int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.used+n > q.limit {
		return false
	}
	q.used += n
	return true
}

// release gives back room reserved and not used.
func (q *queue) release(n int) {
	q.mu.Lock()
	q.used -= n
	q.mu.Unlock()
}

// push queues j in room reserved earlier.
func (q *queue) push(j job) {
	s := q.shard(j.key)
	q.mu.Lock()
	q.shards[s] = append(q.shards[s], j)
	q.mu.Unlock()
	select {
	case q.wake[s] <- struct{}{}:
	default:
	}
}

// pop takes the next job of shard s, waiting for one; ok is false once the
// queue is closed and the shard is empty.
func (q *queue) pop(s int) (j job, ok bool) {
	for {
		q.mu.Lock()
		if len(q.shards[s]) > 0 {
			j = q.shards[s][0]
			q.shards[s][0] = job{}
			q.shards[s] = q.shards[s][1:]
			q.mu.Unlock()
			return j, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return job{}, false
		}
		<-q.wake[s]
	}
}

// done gives back the room of a finished job.
func (q *queue) done() { q.release(1) }

// close refuses new events; workers drain what is queued, then stop.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	for _, w := range q.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// len is the number of events queued or reserved.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.used
}

func (q *queue) shard(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(q.shards)))
}
