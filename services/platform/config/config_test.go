package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
)

func TestReaderDefaultsAndValues(t *testing.T) {
	r := config.NewReader(config.FromMap(map[string]string{
		"A": "x", "N": "7", "B": "true", "D": "2s", "BLANK": "  ",
	}))
	if got := r.String("A", "d"); got != "x" {
		t.Errorf("String = %q, want x", got)
	}
	if got := r.String("BLANK", "d"); got != "d" {
		t.Errorf("blank String = %q, want default d", got)
	}
	if got := r.Int("N", 1); got != 7 {
		t.Errorf("Int = %d, want 7", got)
	}
	if got := r.Bool("B", false); !got {
		t.Errorf("Bool = false, want true")
	}
	if got := r.Duration("D", time.Second); got != 2*time.Second {
		t.Errorf("Duration = %v, want 2s", got)
	}
	if got := r.Int("MISSING", 3); got != 3 {
		t.Errorf("missing Int = %d, want 3", got)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err = %v, want nil", err)
	}
}

func TestReaderNamesFirstBadVariable(t *testing.T) {
	r := config.NewReader(config.FromMap(map[string]string{"PORT": "eighty", "T": "soon"}))
	r.Int("PORT", 80)
	r.Duration("T", time.Second)
	err := r.Err()
	if err == nil || !strings.Contains(err.Error(), "PORT") || strings.Contains(err.Error(), `T="soon"`) {
		t.Fatalf("Err = %v, want one error naming PORT only", err)
	}
}
