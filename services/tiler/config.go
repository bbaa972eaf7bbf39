package tiler

import (
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config tunes ingest and serving. cmd/tiler reads it from PATHOLABEL_TILER_*.
type Config struct {
	TileSize       int   // Deep Zoom tile edge without overlap
	Overlap        int   // pixels shared with each neighbour
	Quality        int   // JPEG quality of tiles
	MaxPixels      int64 // larger sources fail: a decompression-bomb and disk guard
	MaxUploadBytes int64
	Workers        int           // ingest jobs one replica runs at once
	VipsThreads    int           // threads of one libvips operation
	Lease          time.Duration // a job not heartbeated for this long is taken over
	MaxAttempts    int           // a job whose worker died this often fails
	ScanInterval   time.Duration // how often idle workers look in MySQL without a wake-up
	TempDir        string        // sources and pyramids are staged here
	// SourceCopyBytes bounds one local copy of a source served while its
	// pyramid is built (0: no bound). Serving pods keep up to 8 such copies
	// in TempDir; in Kubernetes that is an emptyDir with a size limit, and a
	// pod that writes past it is evicted, so the chart sets this to fit.
	// A larger upload waits for its pyramid instead.
	SourceCopyBytes int64
	ThumbnailSize   int
	MemCacheBytes   int64         // per-replica hot-tile cache
	ReadAheadBytes  int64         // block of the pyramid one tile miss reads into memory (0: the tile only)
	RedisTTL        time.Duration // lifetime of a tile in Redis
	RedisMaxTile    int           // bigger tiles skip Redis, keeping its values small
	MaxAge          time.Duration // browser cache lifetime of tiles before revalidation
}

// DefaultConfig is what an unset variable means.
func DefaultConfig() Config {
	return Config{
		TileSize: 254, Overlap: 1, Quality: 80,
		MaxPixels:      40_000_000_000,
		MaxUploadBytes: 50 << 30,
		Workers:        1, VipsThreads: 2,
		Lease: 30 * time.Second, MaxAttempts: 3, ScanInterval: 5 * time.Second,
		ThumbnailSize: 512,
		MemCacheBytes: 256 << 20, ReadAheadBytes: 1 << 20, RedisTTL: 24 * time.Hour, RedisMaxTile: 256 << 10,
		MaxAge: 5 * time.Minute, // then revalidated: see http.cacheable
	}
}

// Validate names the first impossible setting by its variable.
func (c Config) Validate() error {
	const p = "PATHOLABEL_TILER_"
	switch {
	case c.TileSize < 16 || c.TileSize > 4096:
		return config.Invalid(p+"TILE_SIZE", c.TileSize, "from 16 to 4096")
	case c.Overlap < 0 || c.Overlap > c.TileSize/2:
		return config.Invalid(p+"OVERLAP", c.Overlap, "from 0 to half the tile size")
	case c.Quality < 1 || c.Quality > 100:
		return config.Invalid(p+"JPEG_QUALITY", c.Quality, "from 1 to 100")
	case c.MaxPixels <= 0:
		return config.Invalid(p+"MAX_PIXELS", c.MaxPixels, "positive")
	case c.MaxUploadBytes <= 0:
		return config.Invalid(p+"MAX_UPLOAD_BYTES", c.MaxUploadBytes, "positive")
	case c.Workers < 0:
		return config.Invalid(p+"WORKERS", c.Workers, "at least 0")
	case c.VipsThreads < 1:
		return config.Invalid(p+"VIPS_THREADS", c.VipsThreads, "at least 1")
	case c.Lease < time.Second:
		return config.Invalid(p+"LEASE", c.Lease, "at least 1s")
	case c.MaxAttempts < 1:
		return config.Invalid(p+"MAX_ATTEMPTS", c.MaxAttempts, "at least 1")
	case c.ScanInterval <= 0:
		return config.Invalid(p+"SCAN_INTERVAL", c.ScanInterval, "positive")
	case c.SourceCopyBytes < 0:
		return config.Invalid(p+"SOURCE_COPY_BYTES", c.SourceCopyBytes, "at least 0 (0: no bound)")
	case c.MemCacheBytes < 0:
		return config.Invalid(p+"MEM_CACHE_BYTES", c.MemCacheBytes, "at least 0")
	case c.RedisTTL <= 0:
		return config.Invalid(p+"REDIS_TTL", c.RedisTTL, "positive")
	case c.MaxAge <= 0:
		return config.Invalid(p+"MAX_AGE", c.MaxAge, "positive")
	case c.ReadAheadBytes < 0 || c.ReadAheadBytes > 64<<20:
		return config.Invalid(p+"READ_AHEAD_BYTES", c.ReadAheadBytes, "from 0 to 64 MiB (67108864)")
	}
	return nil
}
