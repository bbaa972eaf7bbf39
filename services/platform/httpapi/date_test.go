package httpapi

import (
	"testing"
	"time"
)

// The Date header is formatted once a second and shared within it, in
// GMT whatever the local zone.
func TestDateClockFormatsOncePerSecond(t *testing.T) {
	var d dateClock
	sydney := time.FixedZone("AEDT", 11*3600)
	t0 := time.Date(2026, 12, 7, 1, 0, 0, 100e6, sydney) // 14:00:00.1 GMT the day before
	a, b := d.header(t0), d.header(t0.Add(800*time.Millisecond))
	if a[0] != "Sun, 06 Dec 2026 14:00:00 GMT" {
		t.Errorf("Date = %q, want Sun, 06 Dec 2026 14:00:00 GMT", a[0])
	}
	if &a[0] != &b[0] {
		t.Error("two answers within one second formatted the Date twice")
	}
	if c := d.header(t0.Add(time.Second)); c[0] != "Sun, 06 Dec 2026 14:00:01 GMT" {
		t.Errorf("a second later, Date = %q, want Sun, 06 Dec 2026 14:00:01 GMT", c[0])
	}
}
