package realtime

import (
	"errors"
	"runtime"
	"sync"
)

// Errors returned by Queue.Push and Conn.Send.
var (
	// ErrQueueFull means the frame did not fit: the queue has been closed and
	// its frames dropped, and the connection is to be disconnected as a slow
	// consumer. Its client reconnects and catches up from the store.
	ErrQueueFull = errors.New("realtime: queue full (slow consumer)")
	// ErrClosed means the connection is closing or gone.
	ErrClosed = errors.New("realtime: connection closed")
)

// FrameWriter writes a batch of encoded frames, in order, to a connection.
// A Queue calls it from one goroutine at a time. It returns an error when the
// connection is unusable; the Queue then drops everything and closes.
type FrameWriter interface {
	WriteFrames(frames [][]byte) error
}

// keptBatchCap is the largest batch slice a queue keeps while idle; a larger
// one (left by a burst) is released, so an idle connection holds no more.
const keptBatchCap = 8

// Queue is a connection's bounded, ordered outbound queue of encoded frames.
//
// Push never blocks. A writer goroutine is started on demand when the first
// frame arrives, takes everything queued at each wake-up (write coalescing:
// one FrameWriter call per batch), and exits once the queue stays empty
// after it yields the processor once (so the rest of a burst or
// a fan-out reuses it), so an idle connection has no writer goroutine at all.
//
// The bound counts frames and bytes that wait to be written, not the batch
// the writer holds. A frame that does not fit makes Push return ErrQueueFull
// and closes the queue: nothing is ever dropped silently.
//
// Frames are shared (one broadcast frame goes to every subscriber): neither
// the Queue nor the FrameWriter may modify them.
type Queue struct {
	w         FrameWriter
	maxFrames int
	maxBytes  int

	mu      sync.Mutex
	frames  [][]byte
	bytes   int
	running bool   // a writer goroutine exists
	closed  bool   // Push is refused
	aborted bool   // queued frames are dropped and final is not run
	final   func() // run by the writer once drained, after Close
}

// NewQueue returns a queue that writes through w and holds at most maxFrames
// frames and maxBytes bytes (zero or less means no byte bound). A single frame
// larger than maxBytes is still accepted into an empty queue.
func NewQueue(w FrameWriter, maxFrames, maxBytes int) *Queue {
	if maxFrames <= 0 {
		maxFrames = DefaultQueueLen
	}
	return &Queue{w: w, maxFrames: maxFrames, maxBytes: maxBytes}
}

// Push queues frame for writing after everything queued before it. It returns
// ErrClosed after Close or Abort, and ErrQueueFull (closing the queue) when
// the frame does not fit.
func (q *Queue) Push(frame []byte) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if len(q.frames) >= q.maxFrames || (q.maxBytes > 0 && len(q.frames) > 0 && q.bytes+len(frame) > q.maxBytes) {
		q.abortLocked()
		q.mu.Unlock()
		return ErrQueueFull
	}
	q.frames = append(q.frames, frame)
	q.bytes += len(frame)
	if !q.running {
		q.running = true
		go q.run()
	}
	q.mu.Unlock()
	return nil
}

// Close stops the queue from taking frames; final, if not nil, runs on the
// writer goroutine once every frame queued before Close has been written
// (typically: write a close frame, then close the socket). Close never
// blocks. It reports false, and does not run final, if the queue was
// already closed.
func (q *Queue) Close(final func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.closed = true
	q.final = final
	if !q.running && final != nil {
		q.running = true
		go q.run()
	}
	return true
}

// Abort closes the queue and drops the frames not yet taken by the writer.
// A write in progress is not interrupted: the owner closes the socket for
// that.
func (q *Queue) Abort() {
	q.mu.Lock()
	q.abortLocked()
	q.mu.Unlock()
}

func (q *Queue) abortLocked() {
	q.closed = true
	q.aborted = true
	q.final = nil
	clear(q.frames)
	q.frames = nil
	q.bytes = 0
}

// Len returns the number of frames waiting to be written.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.frames)
}

// Closed reports whether the queue refuses frames.
func (q *Queue) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// lingerYields is how many times an idle writer yields the processor
// (runtime.Gosched) before it exits: frames pushed meanwhile (the rest of a
// fan-out, a burst) reuse it instead of starting a new goroutine. Yielding
// costs no timer and no extra goroutine, so an idle queue still has none.
const lingerYields = 1

// run is the writer goroutine.
func (q *Queue) run() {
	var batch [][]byte
	idle := 0
	for {
		q.mu.Lock()
		if !q.aborted && len(q.frames) == 0 && q.final == nil && idle < lingerYields {
			q.mu.Unlock()
			idle++
			runtime.Gosched()
			continue
		}
		if q.aborted || len(q.frames) == 0 {
			final := q.final
			q.final = nil
			q.running = false
			if cap(q.frames) > keptBatchCap {
				q.frames = nil
			}
			q.mu.Unlock()
			if final != nil {
				final()
			}
			return
		}
		// Swap the queued slice with the (cleared) previous batch, so a busy
		// connection recycles two slices instead of allocating.
		batch, q.frames = q.frames, batch[:0]
		q.bytes = 0
		q.mu.Unlock()
		idle = 0

		err := q.w.WriteFrames(batch)
		clear(batch) // drop references to frames already written
		if err != nil {
			q.mu.Lock()
			q.abortLocked()
			q.running = false
			q.mu.Unlock()
			return
		}
	}
}
