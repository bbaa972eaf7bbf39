package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewSecret returns a random URL-safe secret with prefix (e.g. "plt_" for
// tokens, so leaked tokens are recognisable by secret scanners).
func NewSecret(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret is how session ids and tokens are stored and looked up: only
// the SHA-256 of a secret ever reaches the database or Redis. The secrets
// are 256-bit random values, so a fast hash is enough.
func HashSecret(secret string) string {
	d := sum(secret)
	return hex.EncodeToString(d[:])
}

// sum is the SHA-256 of secret without copying it to the heap: a secret
// fits the stack buffer, and every request with a credential hashes one.
func sum(secret string) digest {
	var buf [128]byte
	return sha256.Sum256(append(buf[:0], secret...))
}
