package main

import (
	"testing"

	"github.com/patholabel/patholabel/services/platform/config"
)

// A bad setting is named by its own variable and value, in the words every
// other setting uses, not as PATHOLABEL_TILER_*="…" with a sentence inside.
func TestConfigNamesTheBadVariable(t *testing.T) {
	for _, tc := range []struct{ key, val, want string }{
		{"PATHOLABEL_TILER_LEASE", "500ms", `config: PATHOLABEL_TILER_LEASE="500ms" is not at least 1s`},
		{"PATHOLABEL_TILER_MAX_ATTEMPTS", "0", `config: PATHOLABEL_TILER_MAX_ATTEMPTS="0" is not at least 1`},
		{"PATHOLABEL_TILER_VIPS_THREADS", "0", `config: PATHOLABEL_TILER_VIPS_THREADS="0" is not at least 1`},
		{"PATHOLABEL_TILER_OVERLAP", "200", `config: PATHOLABEL_TILER_OVERLAP="200" is not from 0 to half the tile size`},
	} {
		r := config.NewReader(config.FromMap(map[string]string{tc.key: tc.val}))
		readConfig(r)
		if err := r.Err(); err == nil || err.Error() != tc.want {
			t.Errorf("%s=%s: %v, want %s", tc.key, tc.val, err, tc.want)
		}
	}
	r := config.NewReader(config.FromMap(nil))
	if c := readConfig(r); r.Err() != nil || c.Validate() != nil {
		t.Fatalf("the defaults are not valid: %v", r.Err())
	}
}
