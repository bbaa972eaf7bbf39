package config_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/testenv"
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

func TestCredentialsNeedDevModeForDefaults(t *testing.T) {
	for _, c := range []struct {
		vars    map[string]string
		user    string
		wantErr string
	}{
		{map[string]string{"PATHOLABEL_DEV_MODE": "true"}, "root", ""},
		{map[string]string{"USER": "patholabel"}, "patholabel", ""},
		{map[string]string{"USER": ""}, "", ""}, // set, even empty: the operator's choice
		{map[string]string{}, "", "USER is required"},
		{map[string]string{"PATHOLABEL_DEV_MODE": "false"}, "", "USER is required"},
		{map[string]string{"PATHOLABEL_DEV_MODE": "yes please"}, "", "PATHOLABEL_DEV_MODE"},
	} {
		r := config.NewReader(config.FromMap(c.vars))
		got := r.Credential("USER", "root")
		err := r.Err()
		if got != c.user || (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%v: Credential = %q, Err = %v; want %q and an error containing %q", c.vars, got, err, c.user, c.wantErr)
		}
	}
}

func TestSecretIsRequiredAndLongOutsideDevMode(t *testing.T) {
	long := strings.Repeat("k", 32)
	for _, c := range []struct {
		vars    map[string]string
		want    string
		wantErr string
	}{
		{map[string]string{"KEY": long}, long, ""},
		{map[string]string{"PATHOLABEL_DEV_MODE": "true"}, "", ""}, // the caller makes a throwaway one
		{map[string]string{}, "", "KEY is required"},
		{map[string]string{"KEY": " "}, "", "KEY is required"},
		{map[string]string{"KEY": "short", "PATHOLABEL_DEV_MODE": "true"}, "short", `KEY="(5 characters)" is not a random secret of at least 32`},
	} {
		r := config.NewReader(config.FromMap(c.vars))
		got := r.Secret("KEY", 32)
		err := r.Err()
		if got != c.want || (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%v: Secret = %q, Err = %v; want %q and an error containing %q", c.vars, got, err, c.want, c.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "short") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

// A wrong value is named before a missing credential, whatever the order of
// reading, so a typo is not hidden behind "X is required".
func TestBadValueIsNamedBeforeMissingCredential(t *testing.T) {
	r := config.NewReader(config.FromMap(map[string]string{"PORT": "eighty"}))
	r.Credential("PASSWORD", "")
	r.Int("PORT", 80)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("Err = %v, want the one naming PORT", err)
	}
}

func TestTLSModes(t *testing.T) {
	ca := testenv.MustTLS(t).CA
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mode, ca       string
		on, skip, pool bool
		wantErr        string
	}{
		{"", "", false, false, false, ""},
		{"false", "", false, false, false, ""},
		{"true", "", true, false, false, ""},
		{"skip-verify", "", true, true, false, ""},
		{"", ca, true, false, true, ""},
		{"true", ca, true, false, true, ""},
		{"maybe", "", false, false, false, `M="maybe" is not false, true or skip-verify`},
		{"skip-verify", ca, true, true, false, "CA="},
		{"true", junk, true, false, false, "not a file of PEM certificates"},
		{"true", ca + ".missing", true, false, false, "not a readable file"},
	} {
		r := config.NewReader(config.FromMap(map[string]string{"M": c.mode, "CA": c.ca}))
		tc := r.TLS("M", "CA")
		err := r.Err()
		if (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s/%s: Err = %v, want an error containing %q", c.mode, c.ca, err, c.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if (tc != nil) != c.on || tc != nil && (tc.InsecureSkipVerify != c.skip || (tc.RootCAs != nil) != c.pool || tc.MinVersion < tls.VersionTLS12) {
			t.Errorf("%s/%s: TLS = %+v, want on=%v skip=%v own CAs=%v", c.mode, c.ca, tc, c.on, c.skip, c.pool)
		}
	}
}
