package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Whoever can write to Redis must not be able to swap a diagnostic tile: a
// tile written there without the cache key is not served, and is counted,
// while the tiles the tiler sealed itself are served from Redis.
func TestForgedTileInRedisIsNotServed(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.MemCacheBytes = 0 }) // every request asks Redis
	rdb, _ := testenv.MustRedis(t)
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	waitFor(t, base, u.member, id, "ready", 90*time.Second)
	url := fmt.Sprintf("%s/tiles/%d_files/%d/1_1.jpeg", base, id, levels(512, 512)-1)
	tile := func() []byte {
		t.Helper()
		resp, b := call(t, "GET", url, u.member, nil)
		if resp.StatusCode != http.StatusOK || !isJPEG(b) {
			t.Fatalf("tile = %d, %d bytes", resp.StatusCode, len(b))
		}
		return b
	}

	genuine := tile()
	key := cachedTileKey(t, e)
	if b := tile(); !bytes.Equal(b, genuine) || redisTileCount(t, base, "hit") != 1 {
		t.Fatalf("second read: %d bytes, %v Redis hits; want the same tile from Redis", len(b), redisTileCount(t, base, "hit"))
	}

	forged := append([]byte{0xFF, 0xD8}, "a different diagnosis"...)
	if err := rdb.Set(context.Background(), key, forged, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if b := tile(); !bytes.Equal(b, genuine) {
		t.Fatalf("after forging the Redis entry the tiler served %q, want the slide's own tile", b)
	}
	if n := redisTileCount(t, base, "forged"); n != 1 {
		t.Errorf("forged Redis tiles counted = %v, want 1", n)
	}
}

// cachedTileKey waits for the tiler's background write of the one tile read
// so far and returns its Redis key.
func cachedTileKey(t *testing.T, e *env) string {
	t.Helper()
	rdb, _ := testenv.MustRedis(t)
	ctx := context.Background()
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		keys, err := rdb.Keys(ctx, e.main.Redis.Prefix+"tile:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 1 {
			return keys[0]
		}
	}
	t.Fatal("the tile was not cached in Redis within 5 s")
	return ""
}

// redisTileCount reads patholabel_tile_cache_requests_total{layer="redis"}
// for result from /metrics.
func redisTileCount(t *testing.T, base, result string) float64 {
	t.Helper()
	_, b := call(t, "GET", base+"/metrics", "", nil)
	series := fmt.Sprintf(`patholabel_tile_cache_requests_total{layer="redis",result=%q} `, result)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series); ok {
			var n float64
			fmt.Sscan(v, &n)
			return n
		}
	}
	return 0
}
