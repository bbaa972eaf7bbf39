package mysql

import (
	"testing"
	"time"
)

func TestParseRawColumns(t *testing.T) {
	want := time.Date(2026, 11, 26, 15, 30, 51, 123456000, time.UTC)
	for _, s := range []string{"2026-11-26 15:30:51.123456", "2026-11-26T15:30:51.123456Z"} {
		if got, err := parseTime([]byte(s)); err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v", s, got, err)
		}
	}
	if got, _ := parseTime([]byte("2026-11-26 15:30:51")); !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("without fraction: %v", got)
	}
	for s, want := range map[string]int64{"0": 0, "-1500": -1500, "1125899906842624": 1125899906842624} {
		if got, err := parseInt([]byte(s)); err != nil || got != want {
			t.Errorf("parseInt(%q) = %d, %v", s, got, err)
		}
	}
	if _, err := parseInt([]byte("12a")); err == nil {
		t.Error("parseInt accepted 12a")
	}
}

func TestDriverValues(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want int64
		ok   bool
	}{{int64(-7), -7, true}, {uint64(1 << 40), 1 << 40, true}, {[]byte("42"), 42, true},
		{uint64(1 << 63), 0, false}, {"42", 0, false}, {nil, 0, false}} {
		got, err := asInt(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("asInt(%#v) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	at := time.Date(2026, 11, 26, 15, 30, 51, 123456000, time.UTC)
	for _, in := range []any{at, at.In(time.FixedZone("x", 3600)), []byte("2026-11-26 15:30:51.123456")} {
		if got, err := asTime(in); err != nil || !got.Equal(at) || got.Location() != time.UTC {
			t.Errorf("asTime(%#v) = %v, %v", in, got, err)
		}
	}
	if _, err := asTime(int64(1)); err == nil {
		t.Error("asTime accepted an integer")
	}
}
