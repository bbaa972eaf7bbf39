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
