// Package password hashes and verifies passwords with argon2id, encoded in
// the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so the
// parameters travel with each hash and can be raised later without breaking
// old ones. Hashing is memory-hard, so concurrent hashes are bounded.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows OWASP's argon2id minimum (19 MiB, t=2, p=1).
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Hasher hashes and verifies passwords, at most a few at a time.
type Hasher struct {
	params Params
	sem    chan struct{}
}

// NewHasher returns a hasher with the given parameters that runs at most
// max(2, GOMAXPROCS) hashes at once (each needs Params.Memory of RAM).
func NewHasher(p Params) *Hasher {
	n := runtime.GOMAXPROCS(0)
	if n < 2 {
		n = 2
	}
	return &Hasher{params: p, sem: make(chan struct{}, n)}
}

var b64 = base64.RawStdEncoding

// Hash returns the PHC-encoded argon2id hash of pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	key := argon2.IDKey([]byte(pw), salt, h.params.Time, h.params.Memory, h.params.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is returned for a stored hash that cannot be parsed.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether pw matches the encoded hash, in constant time.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// Dummy spends the same effort as a verification, so a login for an unknown
// email takes as long as one with a wrong password.
func (h *Hasher) Dummy(ctx context.Context, pw string) {
	if err := h.acquire(ctx); err != nil {
		return
	}
	defer h.release()
	argon2.IDKey([]byte(pw), []byte("relay-dummy-salt"), h.params.Time, h.params.Memory, h.params.Threads, 32)
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

func decode(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrMalformed
	}
	if p.Memory == 0 || p.Memory > 1<<21 || p.Time == 0 || p.Time > 64 || p.Threads == 0 {
		return p, nil, nil, ErrMalformed
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformed
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}
