package app

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
)

// FuzzKnownDevice: whatever a browser presents as a device cookie never
// panics, and only the cookie sealed for the workspace and email, before
// it expires, names a known device.
func FuzzKnownDevice(f *testing.F) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	g := newLoginGuard(nil, Limits{LoginPerEmail: 10, LoginWindow: time.Minute, LoginBackoff: time.Second}, func() time.Time { return now })
	ws, email := relay.ID(7), "ann@example.com"
	good := g.newDevice(ws, email, now.Add(time.Hour))
	expired := g.newDevice(ws, email, now)
	if g.knownDevice(ws, email, good, now) == "" {
		f.Fatal("the good cookie is not known")
	}
	for _, tt := range []struct {
		ws     relay.ID
		email  string
		cookie string
	}{{8, email, good}, {ws, "bob@example.com", good}, {ws, email, expired}, {ws, email, good + "A"}, {ws, email, ""}} {
		if g.knownDevice(tt.ws, tt.email, tt.cookie, now) != "" {
			f.Fatalf("known for %v %s %q", tt.ws, tt.email, tt.cookie)
		}
	}
	for _, s := range []string{good, expired, "", "x", "AAAA", good[:20], "%%%", good + good} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cookie string) {
		if g.knownDevice(ws, email, cookie, now) != "" && cookie != good {
			t.Fatalf("%q names a known device", cookie)
		}
	})
}

// TestPairBackoff: a pair first seen waits one back-off; each failure
// doubles it up to the maximum; success forgets the pair.
func TestPairBackoff(t *testing.T) {
	b := &pairBackoff{first: 10 * time.Second, max: 35 * time.Second, m: map[string]*pairState{}}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		advance time.Duration
		fail    bool
		want    time.Duration
	}{
		{0, false, 10 * time.Second},              // first seen: waits
		{4 * time.Second, false, 6 * time.Second}, // still waiting
		{6 * time.Second, true, 0},                // may try; fails
		{0, false, 20 * time.Second},              // doubled
		{20 * time.Second, true, 0},               // may try; fails
		{0, false, 35 * time.Second},              // capped
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if got := b.wait("k", now); got != s.want {
			t.Fatalf("step %d: wait %v, want %v", i, got, s.want)
		}
		if s.fail {
			b.failed("k", now)
		}
	}
	b.succeeded("k")
	if got := b.wait("k", now); got != 10*time.Second {
		t.Fatalf("after success: wait %v, want a fresh %v", got, 10*time.Second)
	}
	if got := b.wait("other", now); got != 10*time.Second {
		t.Fatalf("another pair: wait %v", got)
	}
}
