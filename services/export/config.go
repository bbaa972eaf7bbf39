package export

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config tunes the export workers.
type Config struct {
	Workers      int           // concurrent exports per replica
	Cutters      int           // goroutines of one export cutting patches side by side, each with a libvips reader (default: the cores, at most 4)
	Uploads      int           // patch files of one export being encoded and stored at once
	Lease        time.Duration // how long a silent worker keeps a job
	MaxAttempts  int           // interrupted attempts before a job fails
	ScanInterval time.Duration // how often idle workers look for due jobs without a wake-up
	TempDir      string        // where slides are downloaded for region reads
	LinkTTL      time.Duration // lifetime of presigned download links
	Software     string        // name and version recorded in manifests
}

// ReadConfig reads PATHOLABEL_EXPORT_* with defaults.
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Workers:      r.Int("PATHOLABEL_EXPORT_WORKERS", 1),
		Cutters:      r.Int("PATHOLABEL_EXPORT_CUTTERS", min(runtime.GOMAXPROCS(0), 4)),
		Uploads:      r.Int("PATHOLABEL_EXPORT_UPLOADS", 8),
		Lease:        r.Duration("PATHOLABEL_EXPORT_LEASE", 30*time.Second),
		MaxAttempts:  r.Int("PATHOLABEL_EXPORT_MAX_ATTEMPTS", 3),
		ScanInterval: r.Duration("PATHOLABEL_EXPORT_SCAN_INTERVAL", 5*time.Second),
		TempDir:      r.String("PATHOLABEL_EXPORT_TMPDIR", os.TempDir()),
		LinkTTL:      r.Duration("PATHOLABEL_EXPORT_LINK_TTL", time.Hour),
		Software:     Software(),
	}
	r.Check(c.Workers >= 0 && c.Workers <= 64, "PATHOLABEL_EXPORT_WORKERS", fmt.Sprint(c.Workers), "from 0 to 64")
	r.Check(c.Cutters >= 1 && c.Cutters <= 64, "PATHOLABEL_EXPORT_CUTTERS", fmt.Sprint(c.Cutters), "from 1 to 64")
	r.Check(c.Uploads >= 1 && c.Uploads <= 64, "PATHOLABEL_EXPORT_UPLOADS", fmt.Sprint(c.Uploads), "from 1 to 64")
	r.Check(c.Lease >= 3*time.Second, "PATHOLABEL_EXPORT_LEASE", c.Lease.String(), "at least 3s")
	r.Check(c.MaxAttempts >= 1, "PATHOLABEL_EXPORT_MAX_ATTEMPTS", fmt.Sprint(c.MaxAttempts), "at least 1")
	r.Check(c.ScanInterval > 0, "PATHOLABEL_EXPORT_SCAN_INTERVAL", c.ScanInterval.String(), "positive")
	r.Check(c.LinkTTL >= time.Minute && c.LinkTTL <= 7*24*time.Hour, "PATHOLABEL_EXPORT_LINK_TTL", c.LinkTTL.String(), "from 1m to 168h")
	return c
}

// Software names this build: the module version when built from a tagged
// module, else the VCS revision, else "devel".
func Software() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v == "devel" && len(s.Value) >= 12 {
				v = s.Value[:12]
			}
		}
	}
	return "patholabel-export " + v
}
