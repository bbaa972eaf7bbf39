package httpapi

import (
	"regexp"
	"testing"
)

// Request ids are 16 hex digits, distinct within a process (its prefix
// then a counter) and between processes (another random prefix).
func TestRequestIDsAreDistinct(t *testing.T) {
	a, b := newRequestIDs(), newRequestIDs()
	seen := map[string]bool{}
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for range 1000 {
		for _, id := range []string{a.next(), b.next()} {
			if !hex16.MatchString(id) || seen[id] {
				t.Fatalf("id %q: malformed or repeated", id)
			}
			seen[id] = true
		}
	}
	if a.prefix == b.prefix {
		t.Error("two processes drew the same prefix") // 1 chance in 4 billion
	}
}
