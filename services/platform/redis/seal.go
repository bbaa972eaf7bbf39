package redis

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"sync"
)

// Sealer authenticates values a process stores in Redis and reads back.
// Redis is shared (other installs under other prefixes, every pod that can
// reach it) and is no authority, so a value counts only when its
// HMAC-SHA256, under a key Redis never sees, matches both the value and the
// Redis key it was read from: a forged value, and a genuine one copied to
// another key (another session's hash, another slide's tile), both read as
// misses. It is safe for concurrent use.
type Sealer struct {
	macs sync.Pool // of hash.Hash keyed with the key; tiles are sealed per request
}

// SealSize is what sealing adds to a value.
const SealSize = sha256.Size

// NewSealer returns a Sealer under key; an empty key gets a random one, so
// only this Sealer can open what it sealed.
func NewSealer(key []byte) *Sealer {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand.Read never fails on Linux
	}
	key = append([]byte(nil), key...)
	return &Sealer{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// Seal returns value followed by its MAC for the Redis key name. value is
// not modified.
func (s *Sealer) Seal(name string, value []byte) []byte {
	out := make([]byte, len(value), len(value)+SealSize)
	copy(out, value)
	return s.sum(out, name, value)
}

// Open returns the value sealed under name, or false when sealed was not
// made by a Sealer with the same key for the same name. The value shares
// sealed's memory.
func (s *Sealer) Open(name string, sealed []byte) ([]byte, bool) {
	if len(sealed) < SealSize {
		return nil, false
	}
	value, tag := sealed[:len(sealed)-SealSize], sealed[len(sealed)-SealSize:]
	var buf [SealSize]byte
	if !hmac.Equal(tag, s.sum(buf[:0], name, value)) {
		return nil, false
	}
	return value, true
}

// sum appends the MAC of name and value to dst. The name's length comes
// first, so no name/value split can collide with another.
func (s *Sealer) sum(dst []byte, name string, value []byte) []byte {
	h := s.macs.Get().(hash.Hash)
	defer s.macs.Put(h)
	h.Reset()
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(name)))
	h.Write(n[:])
	_, _ = io.WriteString(h, name)
	h.Write(value)
	return h.Sum(dst)
}
