package secretbox

import (
	"bytes"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New("0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	ct := b.Seal([]byte("line-token"), []byte("ws:1"))
	if bytes.Contains(ct, []byte("line-token")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	got, err := b.Open(ct, []byte("ws:1"))
	if err != nil || string(got) != "line-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(ct, []byte("ws:2")); err != ErrOpen {
		t.Fatalf("other additional data: err = %v, want ErrOpen", err)
	}
	other, _ := New("another secret key of enough length!!")
	if _, err := other.Open(ct, []byte("ws:1")); err != ErrOpen {
		t.Fatalf("other key: err = %v, want ErrOpen", err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := b.Open(ct, []byte("ws:1")); err != ErrOpen {
		t.Fatalf("tampered: err = %v, want ErrOpen", err)
	}
	if _, err := b.Open([]byte("short"), nil); err != ErrOpen {
		t.Fatalf("short: err = %v", err)
	}
}
