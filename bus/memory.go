package bus

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/relayhq/relay"
)

// Memory is the in-process bus. Publish calls every subscriber synchronously
// on the caller's goroutine, in subscription order, and returns when they
// have all been called, so events published by one goroutine are delivered
// in publish order. Concurrent Publish calls deliver concurrently (the hub is
// safe for that and orders each topic itself). A subscriber may call Publish.
type Memory struct {
	mu     sync.Mutex // serialises changes to subs
	subs   atomic.Pointer[[]*memorySub]
	closed atomic.Bool
}

type memorySub struct{ fn func(relay.Event) }

// NewMemory returns an in-process bus.
func NewMemory() *Memory {
	m := &Memory{}
	m.subs.Store(&[]*memorySub{})
	return m
}

// Publish delivers ev to every subscriber before it returns.
func (m *Memory) Publish(ctx context.Context, ev relay.Event) error {
	if m.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, s := range *m.subs.Load() {
		s.fn(ev)
	}
	return nil
}

// Subscribe adds fn. A Publish already under way may or may not call it;
// after unsubscribe returns, no new Publish does.
func (m *Memory) Subscribe(fn func(relay.Event)) (func(), error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	s := &memorySub{fn: fn}
	m.mu.Lock()
	old := *m.subs.Load()
	next := append(old[:len(old):len(old)], s) // copy on write: Publish reads without a lock
	m.subs.Store(&next)
	m.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { m.remove(s) }) }, nil
}

func (m *Memory) remove(s *memorySub) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.subs.Load()
	next := make([]*memorySub, 0, len(old))
	for _, x := range old {
		if x != s {
			next = append(next, x)
		}
	}
	m.subs.Store(&next)
}

// Close drops the subscribers; Publish and Subscribe then return ErrClosed.
func (m *Memory) Close() error {
	m.closed.Store(true)
	m.mu.Lock()
	m.subs.Store(&[]*memorySub{})
	m.mu.Unlock()
	return nil
}
