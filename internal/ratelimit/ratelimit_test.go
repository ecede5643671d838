package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(3, time.Minute)
	l.Now = func() time.Time { return now }

	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused within burst", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok {
		t.Fatal("4th attempt allowed")
	}
	if wait <= 0 || wait > 20*time.Second {
		t.Fatalf("retry after %v, want (0, 20s]", wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key is limited too")
	}
	if ok, _ := l.Check("a"); ok {
		t.Fatal("Check says a may act")
	}
	now = now.Add(wait)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after waiting Retry-After")
	}
	now = now.Add(2 * time.Minute)
	l.Allow("c") // triggers a sweep of the refilled buckets
	if n := l.Len(); n != 1 {
		t.Fatalf("tracked keys after sweep = %d, want 1", n)
	}
}
