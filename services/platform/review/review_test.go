package review_test

import (
	"testing"

	"github.com/patholabel/patholabel/services/platform/review"
)

// The stored numbers are part of the schema: rows written with them must
// read back as the same state.
func TestCodesAreStable(t *testing.T) {
	for name, code := range map[string]int{review.Pending: 0, review.Accepted: 1, review.Rejected: 2, "approved": -1} {
		if got := review.Code(name); got != code {
			t.Errorf("Code(%q) = %d, want %d", name, got, code)
		}
		if code >= 0 && review.Name(code) != name {
			t.Errorf("Name(%d) = %q, want %q", code, review.Name(code), name)
		}
	}
	if review.Name(7) != review.Pending {
		t.Errorf("an unknown code reads as %q, want pending", review.Name(7))
	}
}
