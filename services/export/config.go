package export

import (
	"os"
	"runtime"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/version"
)

// Config tunes the export workers.
type Config struct {
	Workers int // concurrent exports per replica
	Cutters int // goroutines of one export cutting patches side by side, each with a libvips reader (default: the cores, at most 4)
	Uploads int // patch files of one export being encoded and stored at once
	// GCPercent is Go's GOGC for the process. Cutting and encoding make a
	// patch's worth of garbage per patch and keep little alive (the tiles
	// still to be read, the patches in flight), so at Go's 100 the
	// collector ran every few dozen patches: 7-12 % more CPU than the
	// decode bound at 5,000 marks, none at 400 (scripts/bench/export.sh,
	// density), for a heap up to five times what is alive (cut alone:
	// 266 MiB peak instead of 200 MiB). GOMEMLIMIT, which the chart sets
	// from the pod's limit, still bounds the heap. 0 leaves Go's own
	// setting (the GOGC variable, else 100).
	GCPercent    int
	Lease        time.Duration // how long a silent worker keeps a job
	MaxAttempts  int           // interrupted attempts before a job fails
	ScanInterval time.Duration // how often idle workers look for due jobs without a wake-up
	TempDir      string        // where slides are downloaded for region reads
	LinkTTL      time.Duration // lifetime of presigned download links
	Software     string        // name and version recorded in manifests
	// Retention is how long a finished export's files are kept; 0 keeps
	// them for ever. Pinned exports are never removed.
	Retention         time.Duration
	RetentionInterval time.Duration // how often each replica looks for exports past their retention
}

// DefaultConfig is what an unset variable means.
func DefaultConfig() Config {
	return Config{
		Workers: 1, Cutters: min(runtime.GOMAXPROCS(0), 4), Uploads: 8, GCPercent: 400,
		Lease: 30 * time.Second, MaxAttempts: 3, ScanInterval: 5 * time.Second,
		TempDir: os.TempDir(), LinkTTL: time.Hour, Software: Software(),
		RetentionInterval: 10 * time.Minute,
	}
}

// Validate names the first impossible setting by its variable
// (PATHOLABEL_EXPORT_*, read by cmd/export).
func (c Config) Validate() error {
	const p = "PATHOLABEL_EXPORT_"
	switch {
	case c.Workers < 0 || c.Workers > 64:
		return config.Invalid(p+"WORKERS", c.Workers, "from 0 to 64")
	case c.Cutters < 1 || c.Cutters > 64:
		return config.Invalid(p+"CUTTERS", c.Cutters, "from 1 to 64")
	case c.Uploads < 1 || c.Uploads > 64:
		return config.Invalid(p+"UPLOADS", c.Uploads, "from 1 to 64")
	case c.GCPercent != 0 && (c.GCPercent < 50 || c.GCPercent > 1000):
		return config.Invalid(p+"GOGC", c.GCPercent, "0 (Go's own) or from 50 to 1000")
	case c.Lease < 3*time.Second:
		return config.Invalid(p+"LEASE", c.Lease, "at least 3s")
	case c.MaxAttempts < 1:
		return config.Invalid(p+"MAX_ATTEMPTS", c.MaxAttempts, "at least 1")
	case c.ScanInterval <= 0:
		return config.Invalid(p+"SCAN_INTERVAL", c.ScanInterval, "positive")
	case c.LinkTTL < time.Minute || c.LinkTTL > 7*24*time.Hour:
		return config.Invalid(p+"LINK_TTL", c.LinkTTL, "from 1m to 168h")
	case c.Retention != 0 && c.Retention < time.Hour:
		return config.Invalid(p+"RETENTION", c.Retention, "0 (keep for ever) or at least 1h")
	case c.Retention != 0 && (c.RetentionInterval < time.Second || c.RetentionInterval > c.Retention):
		return config.Invalid(p+"RETENTION_INTERVAL", c.RetentionInterval, "from 1s to PATHOLABEL_EXPORT_RETENTION")
	}
	return nil
}

// Software names this build as manifests record it: the version linked in
// by the build (package platform/version), never "devel".
func Software() string { return "patholabel-export " + version.Of() }
