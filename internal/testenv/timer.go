package testenv

import (
	"sync"
	"time"
)

// ManualTimer stands in for time.AfterFunc in code that lets a test replace
// it (a debouncer's or a coalescing window's timer): it keeps what is
// scheduled until the test fires it, so a test checks "nothing more comes"
// after the window provably ended, never after a sleep.
type ManualTimer struct {
	mu sync.Mutex
	fs []func()
}

// After schedules f; its signature is time.AfterFunc's without the *Timer.
func (m *ManualTimer) After(_ time.Duration, f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fs = append(m.fs, f)
}

// Pending is how many scheduled functions have not run.
func (m *ManualTimer) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.fs)
}

// Fire runs what was scheduled so far, in order, before it returns.
func (m *ManualTimer) Fire() {
	m.mu.Lock()
	fs := m.fs
	m.fs = nil
	m.mu.Unlock()
	for _, f := range fs {
		f()
	}
}
