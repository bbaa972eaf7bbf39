// Package review is a mark's review state as the marks table stores it,
// shared by the annotation service that writes it and the export service
// that reads it.
package review

// Review states of a mark. An edit after a review sets it back to pending:
// the reviewer accepted the old shape, not the new one.
const (
	Pending  = "pending"
	Accepted = "accepted"
	Rejected = "rejected"
)

// codes are the stored numbers, by index: never reorder.
var codes = [...]string{Pending, Accepted, Rejected}

// Code is the stored number of a review state, -1 when unknown.
func Code(s string) int {
	for i, r := range codes {
		if r == s {
			return i
		}
	}
	return -1
}

// Name is the review state stored as code; pending when unknown.
func Name(code int) string {
	if code < 0 || code >= len(codes) {
		return Pending
	}
	return codes[code]
}
