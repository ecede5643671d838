package app

import (
	"testing"
	"time"
)

// TestBackoff: the delay doubles per try from the base, stops at the cap,
// and is jittered within [½, 1] of the nominal delay.
func TestBackoff(t *testing.T) {
	a := &Connectors{conn: connectorState{cfg: ConnectorsConfig{OutboxBackoff: time.Second, OutboxMaxBackoff: time.Minute}}}
	for _, tc := range []struct {
		attempts int
		nominal  time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {6, 32 * time.Second}, {7, time.Minute}, {30, time.Minute}} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := a.backoff(tc.attempts)
			if d < tc.nominal/2 || d > tc.nominal {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", tc.attempts, d, tc.nominal/2, tc.nominal)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("attempt %d: only %d distinct delays in 200 draws: no jitter", tc.attempts, len(seen))
		}
	}
}

func TestChannelSlug(t *testing.T) {
	for _, tc := range []struct{ prefix, name, want string }{
		{"line", "Taro Yamada", "line-taro-yamada"},
		{"discord", "support", "discord-support"},
		{"line", "山田 太郎", "line-山田-太郎"},
		{"line", "!!!", "line-contact"},
		{"line", "", "line-contact"},
		{"discord", "a/b\\c<script>", "discord-a-b-c-script"},
	} {
		if got := channelSlug(tc.prefix, tc.name); got != tc.want {
			t.Errorf("channelSlug(%q, %q) = %q, want %q", tc.prefix, tc.name, got, tc.want)
		}
	}
}
