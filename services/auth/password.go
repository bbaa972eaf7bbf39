package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes), which
// keeps a login near 30 ms on a small node while making offline guessing costly.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// ValidatePassword enforces the minimum rules: 10 to 256 characters, not
// all one character.
func ValidatePassword(p string) error { return checkPassword("password", p) }

func checkPassword(field, p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < 10:
		return invalid(field, "must be at least 10 characters long")
	case n > 256:
		return invalid(field, "must be at most 256 characters long")
	case strings.Count(p, p[:1]) == len(p):
		return invalid(field, "must not repeat one character")
	}
	return nil
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(p string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether p matches hash. Parameters are read from
// the hash, so raising them later keeps old hashes valid.
func VerifyPassword(hash, p string) bool {
	var version, mem, iter int
	var threads uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(p), salt, uint32(iter), uint32(mem), threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a username does not exist, so the
// response time does not reveal which usernames exist.
var dummyHash = HashPassword("patholabel-dummy-password")

// VerifyNobody spends the same time as a real verification and fails.
func VerifyNobody(p string) bool { VerifyPassword(dummyHash, p); return false }
