package main

import (
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/config"
)

// A bad setting is named by its own variable and value.
func TestConfigNamesTheBadVariable(t *testing.T) {
	r := config.NewReader(config.FromMap(map[string]string{"PATHOLABEL_ANNOTATION_MAX_RESULTS": "10"}))
	readConfig(r)
	want := `config: PATHOLABEL_ANNOTATION_MAX_RESULTS="10" is not at least 100`
	if err := r.Err(); err == nil || err.Error() != want {
		t.Fatalf("%v, want %s", err, want)
	}
	r = config.NewReader(config.FromMap(nil))
	if c := readConfig(r); r.Err() != nil || c != annotation.DefaultConfig() {
		t.Fatalf("nothing set: %+v, %v; want the defaults", c, r.Err())
	}
}
