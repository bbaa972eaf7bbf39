package cache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler/cache"
)

// BenchmarkRedisHit reads a typical 32 KiB JPEG tile from the shared Redis
// cache: the round trip plus checking the tile's seal.
func BenchmarkRedisHit(b *testing.B) {
	rdb, rcfg := testenv.MustRedis(b)
	c := cache.NewRedis(rdb, rcfg, time.Hour, 1<<20, time.Now)
	tile := make([]byte, 32<<10)
	_, _ = rand.Read(tile)
	ctx := context.Background()
	c.Set(ctx, "slides/1/pyramid/15/3_4", tile)
	b.SetBytes(int64(len(tile)))
	b.ResetTimer()
	for b.Loop() {
		got, err := c.Get(ctx, "slides/1/pyramid/15/3_4")
		if err != nil || !bytes.Equal(got, tile) {
			b.Fatalf("get = %d bytes, %v", len(got), err)
		}
	}
}
