package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/testdb"
)

// testClock is a settable time source for the app and its limiters.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestLoginLockoutResisted: an attacker who spends an account's login
// budgets from one address does not lock its owner out. The owner gets in
// at once from a browser that signed in before (device cookie), even from
// the attacker's address, and from a new device after the back-off, while
// the attacker stays throttled.
func TestLoginLockoutResisted(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	a := app.New(app.Config{Store: testdb.SQLite(t), Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1}})
	t.Cleanup(a.Close)
	ctx := context.Background()
	const (
		email    = "victim@example.com"
		pw       = "the victim's password"
		attacker = "192.0.2.66"
		home     = "203.0.113.5"
		roaming  = "198.51.100.7"
	)
	res, err := a.Accounts.Signup(ctx, app.SignupInput{WorkspaceName: "Victim", Subdomain: "victim", Email: email,
		Password: pw, DisplayName: "Vic"}, home)
	if err != nil {
		t.Fatal(err)
	}
	ws := res.Workspace
	other, err := a.Accounts.Signup(ctx, app.SignupInput{WorkspaceName: "Other", Subdomain: "other", Email: email,
		Password: pw, DisplayName: "Vic"}, home)
	if err != nil {
		t.Fatal(err)
	}
	login := func(pw, ip, device string) (*app.AuthResult, error) {
		return a.Accounts.Login(ctx, ws, email, pw, ip, device)
	}
	first, err := login(pw, home, "")
	if err != nil {
		t.Fatal(err)
	}
	device := first.Device
	if device == "" || !first.DeviceExpires.After(clk.Now()) {
		t.Fatalf("a login returned device %q until %v", device, first.DeviceExpires)
	}

	// The attack: 20 wrong passwords from one address. At most the email's
	// budget (10) reaches the password check; the rest are throttled.
	checked := 0
	for i := 0; i < 20; i++ {
		_, err := login("guess-"+string(rune('a'+i)), attacker, "")
		switch relay.ErrorCode(err) {
		case relay.EUNAUTHORIZED:
			checked++
		case relay.ERATELIMITED:
		default:
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if checked != 10 {
		t.Fatalf("%d guesses checked, want the email's budget of 10", checked)
	}
	if _, err := login("guess-again", attacker, ""); relay.ErrorCode(err) != relay.ERATELIMITED {
		t.Fatalf("attacker after the attack: %v, want rate_limited", err)
	}

	// The owner's browser is known: in at once, from home or even from the
	// attacker's (spent) address, say a shared one.
	for _, ip := range []string{home, attacker} {
		r, err := login(pw, ip, device)
		if err != nil {
			t.Fatalf("known device from %s: %v", ip, err)
		}
		if r.Device == "" {
			t.Fatal("no fresh device cookie")
		}
	}
	// The cookie is the owner's for this workspace and email only.
	for _, tt := range []struct {
		name          string
		ws            *relay.Workspace
		email, device string
	}{
		{"another email", ws, "someone@example.com", device},
		{"another workspace", other.Workspace, email, device},
		{"a forged cookie", ws, email, device[:len(device)-2] + "AA"},
		{"garbage", ws, email, "not a cookie"},
	} {
		// From the attacker's spent address: only a valid device gets past the per-IP budget.
		if _, err := a.Accounts.Login(ctx, tt.ws, tt.email, pw, attacker, tt.device); relay.ErrorCode(err) != relay.ERATELIMITED {
			t.Errorf("%s: %v, want rate_limited (not a known device)", tt.name, err)
		}
	}

	// A new device on a new address waits one back-off, then gets in,
	// although the attacker keeps spending every token that refills.
	_, err = login(pw, roaming, "")
	var rl *relay.Error
	if relay.ErrorCode(err) != relay.ERATELIMITED || !errors.As(err, &rl) || rl.RetryAfter < 1 || rl.RetryAfter > 30 {
		t.Fatalf("new device during the attack: %v, want rate_limited with Retry-After in [1, 30]", err)
	}
	clk.Advance(time.Duration(rl.RetryAfter) * time.Second)
	checked = 0
	for i := 0; i < 20; i++ {
		if _, err := login("more-guesses", attacker, ""); relay.ErrorCode(err) == relay.EUNAUTHORIZED {
			checked++
		}
	}
	if checked > 2 {
		t.Fatalf("attacker had %d more guesses checked after %ds, want at most 2 (one refilled, one back-off)", checked, rl.RetryAfter)
	}
	if _, err := login(pw, roaming, ""); err != nil {
		t.Fatalf("new device after the back-off: %v", err)
	}
	// And the attacker is still throttled.
	if _, err := login("last-guess", attacker, ""); relay.ErrorCode(err) != relay.ERATELIMITED {
		t.Fatalf("attacker at the end: %v, want rate_limited", err)
	}
}
