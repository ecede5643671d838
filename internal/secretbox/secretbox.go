// Package secretbox encrypts small secrets at rest (connector credentials)
// with AES-256-GCM under a key derived from the server's secret key.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Box seals and opens secrets with one key.
type Box struct{ aead cipher.AEAD }

// New derives an AES-256 key from secret (any length; at least 32 bytes of
// entropy is expected and checked by config) and returns a Box.
func New(secret string) (*Box, error) {
	if secret == "" {
		return nil, errors.New("secretbox: empty secret")
	}
	k := sha256.Sum256([]byte("relay secretbox v1\x00" + secret))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext; additional binds the ciphertext to a context (a
// workspace and connector id, say) so it cannot be moved to another row.
func (b *Box) Seal(plaintext, additional []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b.aead.Seal(nonce, nonce, plaintext, additional)
}

// ErrOpen is returned for a ciphertext that was tampered with, made under
// another key, or bound to other additional data.
var ErrOpen = errors.New("secretbox: cannot decrypt")

// Open decrypts what Seal made with the same additional data.
func (b *Box) Open(ciphertext, additional []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(ciphertext) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := b.aead.Open(nil, ciphertext[:n], ciphertext[n:], additional)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
