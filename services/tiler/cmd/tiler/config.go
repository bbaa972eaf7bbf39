package main

import (
	"os"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/tiler"
)

// readConfig reads PATHOLABEL_TILER_*; Validate names the bad one.
func readConfig(r *config.Reader) tiler.Config {
	d := tiler.DefaultConfig()
	c := tiler.Config{
		TileSize:        r.Int("PATHOLABEL_TILER_TILE_SIZE", d.TileSize),
		Overlap:         r.Int("PATHOLABEL_TILER_OVERLAP", d.Overlap),
		Quality:         r.Int("PATHOLABEL_TILER_JPEG_QUALITY", d.Quality),
		MaxPixels:       int64(r.Int("PATHOLABEL_TILER_MAX_PIXELS", int(d.MaxPixels))),
		MaxUploadBytes:  int64(r.Int("PATHOLABEL_TILER_MAX_UPLOAD_BYTES", int(d.MaxUploadBytes))),
		Workers:         r.Int("PATHOLABEL_TILER_WORKERS", d.Workers),
		VipsThreads:     r.Int("PATHOLABEL_TILER_VIPS_THREADS", d.VipsThreads),
		Lease:           r.Duration("PATHOLABEL_TILER_LEASE", d.Lease),
		MaxAttempts:     r.Int("PATHOLABEL_TILER_MAX_ATTEMPTS", d.MaxAttempts),
		ScanInterval:    r.Duration("PATHOLABEL_TILER_SCAN_INTERVAL", d.ScanInterval),
		TempDir:         r.String("PATHOLABEL_TILER_TEMP_DIR", os.TempDir()),
		SourceCopyBytes: int64(r.Int("PATHOLABEL_TILER_SOURCE_COPY_BYTES", int(d.SourceCopyBytes))),
		ThumbnailSize:   r.Int("PATHOLABEL_TILER_THUMBNAIL_SIZE", d.ThumbnailSize),
		MemCacheBytes:   int64(r.Int("PATHOLABEL_TILER_MEM_CACHE_BYTES", int(d.MemCacheBytes))),
		ReadAheadBytes:  int64(r.Int("PATHOLABEL_TILER_READ_AHEAD_BYTES", int(d.ReadAheadBytes))),
		RedisTTL:        r.Duration("PATHOLABEL_TILER_REDIS_TTL", d.RedisTTL),
		RedisMaxTile:    r.Int("PATHOLABEL_TILER_REDIS_MAX_TILE_BYTES", d.RedisMaxTile),
		MaxAge:          r.Duration("PATHOLABEL_TILER_MAX_AGE", d.MaxAge),
	}
	r.Validate(c)
	return c
}
