package main

import (
	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform/config"
)

// readConfig reads PATHOLABEL_ANNOTATION_MAX_*; Validate names the bad one.
func readConfig(r *config.Reader) annotation.Config {
	d := annotation.DefaultConfig()
	c := annotation.Config{
		MaxVertices: r.Int("PATHOLABEL_ANNOTATION_MAX_VERTICES", d.MaxVertices),
		MaxFeatures: r.Int("PATHOLABEL_ANNOTATION_MAX_FEATURES", d.MaxFeatures),
		MaxResults:  r.Int("PATHOLABEL_ANNOTATION_MAX_RESULTS", d.MaxResults),
	}
	r.Validate(c)
	return c
}
