package redis_test

import (
	"bytes"
	"testing"

	"github.com/patholabel/patholabel/services/platform/redis"
)

func TestSealOpensOnlyUnderItsKeyAndName(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, same, other := redis.NewSealer(key), redis.NewSealer(append([]byte(nil), key...)), redis.NewSealer([]byte("another key of thirty-two bytes!"))
	value := []byte(`{"p":{"user_id":7}}`)
	sealed := s.Seal("pl:principal:aa", value)
	if !bytes.Equal(value, []byte(`{"p":{"user_id":7}}`)) || len(sealed) != len(value)+redis.SealSize {
		t.Fatalf("Seal changed its input or sealed to %d bytes", len(sealed))
	}
	tampered := bytes.Clone(sealed)
	tampered[3] ^= 1
	for _, c := range []struct {
		what   string
		s      *redis.Sealer
		name   string
		sealed []byte
		ok     bool
	}{
		{"same sealer", s, "pl:principal:aa", sealed, true},
		{"another process, same key", same, "pl:principal:aa", sealed, true},
		{"another key", other, "pl:principal:aa", sealed, false},
		{"copied to another name", s, "pl:principal:bb", sealed, false},
		{"value tampered with", s, "pl:principal:aa", tampered, false},
		{"unsealed value", s, "pl:principal:aa", value, false},
		{"shorter than a seal", s, "pl:principal:aa", sealed[:5], false},
		{"name/value boundary moved", s, "pl:principal:aa{", append([]byte(`"p":{"user_id":7}}`), sealed[len(value):]...), false},
		{"random key when none is given", redis.NewSealer(nil), "pl:principal:aa", sealed, false},
	} {
		got, ok := c.s.Open(c.name, c.sealed)
		if ok != c.ok || ok && !bytes.Equal(got, value) || !ok && got != nil {
			t.Errorf("%s: Open = %q, %v; want ok=%v", c.what, got, ok, c.ok)
		}
	}
}

// BenchmarkOpen is what checking a seal adds to a Redis hit of a typical
// 32 KiB tile.
func BenchmarkOpen(b *testing.B) {
	s := redis.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	sealed := s.Seal("patholabel:tile:slides/1/pyramid/15/3_4", make([]byte, 32<<10))
	b.SetBytes(int64(len(sealed)))
	for b.Loop() {
		if _, ok := s.Open("patholabel:tile:slides/1/pyramid/15/3_4", sealed); !ok {
			b.Fatal("seal does not open")
		}
	}
}
