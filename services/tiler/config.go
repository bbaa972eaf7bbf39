package tiler

import (
	"errors"
	"time"
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
	ThumbnailSize  int
	MemCacheBytes  int64         // per-replica hot-tile cache
	ReadAheadBytes int64         // block of the pyramid one tile miss reads into memory (0: the tile only)
	RedisTTL       time.Duration // lifetime of a tile in Redis
	RedisMaxTile   int           // bigger tiles skip Redis, keeping its values small
	MaxAge         time.Duration // browser cache lifetime of tiles before revalidation
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

// Validate names the first impossible setting.
func (c Config) Validate() error {
	switch {
	case c.TileSize < 16 || c.TileSize > 4096:
		return errors.New("PATHOLABEL_TILER_TILE_SIZE must be 16–4096")
	case c.Overlap < 0 || c.Overlap > c.TileSize/2:
		return errors.New("PATHOLABEL_TILER_OVERLAP must be 0–half the tile size")
	case c.Quality < 1 || c.Quality > 100:
		return errors.New("PATHOLABEL_TILER_JPEG_QUALITY must be 1–100")
	case c.MaxPixels <= 0 || c.MaxUploadBytes <= 0:
		return errors.New("PATHOLABEL_TILER_MAX_PIXELS and PATHOLABEL_TILER_MAX_UPLOAD_BYTES must be positive")
	case c.Workers < 0 || c.VipsThreads < 1:
		return errors.New("PATHOLABEL_TILER_WORKERS must be ≥ 0 and PATHOLABEL_TILER_VIPS_THREADS ≥ 1")
	case c.Lease < time.Second || c.MaxAttempts < 1 || c.ScanInterval <= 0:
		return errors.New("PATHOLABEL_TILER_LEASE must be ≥ 1s, MAX_ATTEMPTS ≥ 1, SCAN_INTERVAL > 0")
	case c.MemCacheBytes < 0 || c.RedisTTL <= 0 || c.MaxAge <= 0:
		return errors.New("PATHOLABEL_TILER_MEM_CACHE_BYTES must be ≥ 0, REDIS_TTL and MAX_AGE positive")
	case c.ReadAheadBytes < 0 || c.ReadAheadBytes > 64<<20:
		return errors.New("PATHOLABEL_TILER_READ_AHEAD_BYTES must be 0–64 MiB")
	}
	return nil
}
