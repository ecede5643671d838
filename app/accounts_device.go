package app

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/ratelimit"
	"github.com/relayhq/relay/internal/secretbox"
)

// Login throttling must slow down guessing without letting the guesser lock
// the account's owner out. Three budgets, kept apart:
//
//   - per IP (Limits.LoginPerIP): every attempt from an address, whatever
//     the email, so one address cannot guess at many accounts;
//   - per email (Limits.LoginPerEmail): failures for one account from
//     anywhere, so many addresses cannot guess at one account quickly;
//   - per known device (Limits.LoginPerEmail failures per device and
//     account): a browser that signed in to the account before carries a
//     device cookie (relay_device) sealed to the workspace and the email.
//     With it, neither the IP's nor the email's budget applies: an attacker
//     who spends them does not lock the owner out of their own browser.
//
// When the email's budget is spent, a new device is not refused for the
// whole window either: each (IP, email) pair may try once per back-off
// (Limits.LoginBackoff, doubling with each failure of the pair up to the
// window). A pair seen for the first time while the budget is spent waits
// one back-off first, so the owner on a new device gets in after a short
// wait, and an attacker gets one guess per back-off per address (and the
// per-IP budget still bounds the address).

// DeviceTTL is how long a device cookie marks a browser as known.
const DeviceTTL = 180 * 24 * time.Hour

// maxDeviceCookie bounds what is decoded of a presented device cookie.
const maxDeviceCookie = 256

// loginGuard holds the login budgets beyond the per-IP and per-email ones.
type loginGuard struct {
	box     *secretbox.Box     // seals device cookies
	device  *ratelimit.Limiter // failures per (device, workspace, email)
	backoff *pairBackoff       // per (IP, workspace, email) once the email's budget is spent
}

func newLoginGuard(box *secretbox.Box, l Limits, now func() time.Time) *loginGuard {
	if box == nil {
		// No server secret configured (tests, tools): devices are known to
		// this process only.
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b, err := secretbox.New(hex.EncodeToString(k))
		if err != nil {
			panic(err)
		}
		box = b
	}
	g := &loginGuard{box: box, device: ratelimit.New(l.LoginPerEmail, l.LoginWindow),
		backoff: &pairBackoff{first: l.LoginBackoff, max: l.LoginWindow, m: map[string]*pairState{}}}
	g.device.Now = now
	return g
}

// deviceAD binds a device cookie to one workspace and email.
func deviceAD(ws relay.ID, email string) []byte {
	return []byte("relay device v1\x00" + ws.String() + "\x00" + email)
}

// newDevice returns a device cookie value for (ws, email), valid until exp.
func (g *loginGuard) newDevice(ws relay.ID, email string, exp time.Time) string {
	pt := make([]byte, 8+16)
	binary.BigEndian.PutUint64(pt, uint64(exp.Unix()))
	if _, err := rand.Read(pt[8:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(g.box.Seal(pt, deviceAD(ws, email)))
}

// knownDevice reports the key of the device that cookie names, if it is a
// device cookie sealed for (ws, email) that has not expired; "" otherwise.
func (g *loginGuard) knownDevice(ws relay.ID, email, cookie string, now time.Time) string {
	if cookie == "" || len(cookie) > maxDeviceCookie {
		return ""
	}
	ct, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil {
		return ""
	}
	pt, err := g.box.Open(ct, deviceAD(ws, email))
	if err != nil || len(pt) != 8+16 {
		return ""
	}
	if exp := int64(binary.BigEndian.Uint64(pt)); exp < 0 || now.Unix() >= exp {
		return ""
	}
	h := sha256.Sum256(pt[8:])
	return hex.EncodeToString(h[:16]) + "/" + ws.String() + "/" + email
}

// pairBackoff spaces the attempts of each (IP, email) pair while the email's
// failure budget is spent.
type pairBackoff struct {
	first, max time.Duration
	mu         sync.Mutex
	m          map[string]*pairState
	swept      time.Time
}

type pairState struct {
	next  time.Time     // the pair may try from then on
	delay time.Duration // the pair's current back-off
}

// wait returns how long the pair must still wait before it may try. A pair
// seen for the first time starts waiting now.
func (b *pairBackoff) wait(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	s := b.m[key]
	if s == nil {
		b.m[key] = &pairState{next: now.Add(b.first), delay: b.first}
		return b.first
	}
	if now.Before(s.next) {
		return s.next.Sub(now)
	}
	return 0
}

// failed doubles the pair's back-off (up to max) from now.
func (b *pairBackoff) failed(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.m[key]
	if s == nil {
		s = &pairState{delay: b.first}
		b.m[key] = s
	} else {
		s.delay = min(2*s.delay, b.max)
	}
	s.next = now.Add(s.delay)
}

// succeeded forgets the pair.
func (b *pairBackoff) succeeded(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
}

// sweep drops, now and then, pairs idle for longer than max, so memory
// follows active pairs only.
func (b *pairBackoff) sweep(now time.Time) {
	if now.Sub(b.swept) < b.max {
		return
	}
	b.swept = now
	for k, s := range b.m {
		if now.Sub(s.next) > b.max {
			delete(b.m, k)
		}
	}
}
