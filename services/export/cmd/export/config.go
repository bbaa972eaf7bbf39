package main

import (
	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/config"
)

// readConfig reads PATHOLABEL_EXPORT_*; Validate names the bad one.
func readConfig(r *config.Reader) export.Config {
	d := export.DefaultConfig()
	c := export.Config{
		Workers:           r.Int("PATHOLABEL_EXPORT_WORKERS", d.Workers),
		Cutters:           r.Int("PATHOLABEL_EXPORT_CUTTERS", d.Cutters),
		Uploads:           r.Int("PATHOLABEL_EXPORT_UPLOADS", d.Uploads),
		GCPercent:         r.Int("PATHOLABEL_EXPORT_GOGC", d.GCPercent),
		Lease:             r.Duration("PATHOLABEL_EXPORT_LEASE", d.Lease),
		MaxAttempts:       r.Int("PATHOLABEL_EXPORT_MAX_ATTEMPTS", d.MaxAttempts),
		ScanInterval:      r.Duration("PATHOLABEL_EXPORT_SCAN_INTERVAL", d.ScanInterval),
		TempDir:           r.String("PATHOLABEL_EXPORT_TMPDIR", d.TempDir),
		LinkTTL:           r.Duration("PATHOLABEL_EXPORT_LINK_TTL", d.LinkTTL),
		Software:          d.Software,
		Retention:         r.Duration("PATHOLABEL_EXPORT_RETENTION", d.Retention),
		RetentionInterval: r.Duration("PATHOLABEL_EXPORT_RETENTION_INTERVAL", d.RetentionInterval),
	}
	r.Validate(c)
	return c
}
