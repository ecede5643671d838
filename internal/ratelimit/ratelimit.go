// Package ratelimit limits attempts per key (an IP, an email) with token
// buckets kept in memory. It protects login and sign-up from guessing; in a
// cluster each node limits on its own, which bounds the total by nodes × rate.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limiter allows Burst events per key at once, refilled evenly over Per.
type Limiter struct {
	Burst int
	Per   time.Duration
	Now   func() time.Time // for tests; time.Now when nil

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a limiter of burst events per duration.
func New(burst int, per time.Duration) *Limiter {
	return &Limiter{Burst: burst, Per: per, buckets: map[string]*bucket{}}
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Limiter) rate() float64 { return float64(l.Burst) / l.Per.Seconds() } // tokens per second

func (l *Limiter) refill(key string, now time.Time) *bucket {
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(l.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.Burst), b.tokens+now.Sub(b.last).Seconds()*l.rate())
	b.last = now
	return b
}

// Allow takes one token for key. When none is left it returns false and how
// long until one is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b := l.refill(key, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate() * float64(time.Second))
}

// Check reports, without taking a token, whether key could act now.
func (l *Limiter) Check(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key, l.now())
	if b.tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate() * float64(time.Second))
}

// sweep drops full buckets now and then so memory follows active keys only.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.Per {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate() >= float64(l.Burst) {
			delete(l.buckets, k)
		}
	}
}

// Len returns how many keys are tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
