package main

import (
	"testing"

	"github.com/patholabel/patholabel/services/platform/config"
)

// A bad setting is named by its own variable and value.
func TestConfigNamesTheBadVariable(t *testing.T) {
	for _, tc := range []struct{ key, val, want string }{
		{"PATHOLABEL_EXPORT_LEASE", "1s", `config: PATHOLABEL_EXPORT_LEASE="1s" is not at least 3s`},
		{"PATHOLABEL_EXPORT_WORKERS", "65", `config: PATHOLABEL_EXPORT_WORKERS="65" is not from 0 to 64`},
		{"PATHOLABEL_EXPORT_RETENTION", "30m", `config: PATHOLABEL_EXPORT_RETENTION="30m0s" is not 0 (keep for ever) or at least 1h`},
		{"PATHOLABEL_EXPORT_LINK_TTL", "200h", `config: PATHOLABEL_EXPORT_LINK_TTL="200h0m0s" is not from 1m to 168h`},
		{"PATHOLABEL_EXPORT_GOGC", "20", `config: PATHOLABEL_EXPORT_GOGC="20" is not 0 (Go's own) or from 50 to 1000`},
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
