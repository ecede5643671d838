// Package testenv holds what several packages' tests share besides the
// database (internal/testdb): polling instead of sleeping, and the NATS
// server the cluster tests use. Test code only.
package testenv

import (
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// CheckFor polls f every sleep until it returns nil or total elapses, then
// fails the test with f's last error. Tests wait with it instead of sleeping.
func CheckFor(tb testing.TB, total, sleep time.Duration, f func() error) {
	tb.Helper()
	deadline := time.Now().Add(total)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: %v", total, err)
		}
		time.Sleep(sleep)
	}
}

// NATSURL returns the NATS server for tests (RELAY_TEST_NATS_URL, default
// nats://127.0.0.1:4222). When it does not answer the test fails under
// CI=true or RELAY_TEST_REQUIRE_NATS=1 and is skipped otherwise.
func NATSURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("RELAY_TEST_NATS_URL")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	nc, err := nats.Connect(u, nats.Timeout(3*time.Second))
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("RELAY_TEST_REQUIRE_NATS") == "1" {
			tb.Fatalf("NATS at %s is unreachable (%v); it is required under CI=true or RELAY_TEST_REQUIRE_NATS=1 (scripts/test-services.sh starts it)", u, err)
		}
		tb.Skipf("NATS at %s is unreachable (%v); skipped outside CI (set CI=true or RELAY_TEST_REQUIRE_NATS=1 to fail instead)", u, err)
	}
	nc.Close()
	return u
}
