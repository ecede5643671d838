package password

import (
	"context"
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(fast)
	long := strings.Repeat("p", 500) // no 72-byte limit, unlike bcrypt
	for _, pw := range []string{"correct horse", "pässwörd✓", long} {
		enc, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Fatalf("unexpected encoding %q", enc)
		}
		if ok, err := h.Verify(ctx, enc, pw); err != nil || !ok {
			t.Fatalf("Verify(right) = %v, %v", ok, err)
		}
		if ok, _ := h.Verify(ctx, enc, pw+"x"); ok {
			t.Fatal("Verify(wrong) = true")
		}
		// Verification uses the parameters stored in the hash, not the hasher's.
		if ok, _ := NewHasher(Default).Verify(ctx, enc, pw); !ok {
			t.Fatal("a hasher with other params could not verify")
		}
	}
	a, _ := h.Hash(ctx, "same")
	b, _ := h.Hash(ctx, "same")
	if a == b {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := NewHasher(fast)
	for _, s := range []string{"", "$argon2id$", "$bcrypt$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5"} {
		if _, err := h.Verify(context.Background(), s, "x"); err != ErrMalformed {
			t.Errorf("Verify(%q) err = %v, want ErrMalformed", s, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	h := NewHasher(fast)
	enc, _ := h.Hash(context.Background(), "seed")
	f.Add(enc, "seed")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$AA$AA", "")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		_, _ = h.Verify(context.Background(), encoded, pw) // must never panic
	})
}
