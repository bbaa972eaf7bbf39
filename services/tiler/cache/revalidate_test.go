package cache_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/cache"
	"github.com/patholabel/patholabel/services/tiler/minio"
)

// countedRanges is the real object store, counting the tile reads.
type countedRanges struct {
	*minio.Store
	ranges int
}

func (c *countedRanges) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	c.ranges++
	return c.Store.GetRange(ctx, key, off, n)
}

// A browser revalidating a tile it holds (If-None-Match) gets the tag
// alone, and nothing is read for it, whether the tile is in memory or
// not; a tile that came into memory as a block's neighbour carries the
// same tag as one read alone.
func TestRevalidatedTileIsNotRead(t *testing.T) {
	cl, cfg := testenv.MustS3(t)
	ctx := context.Background()
	ix := &tiler.Index{Levels: []tiler.Level{{Cols: 2, Rows: 1, Tiles: []tiler.TileRef{{Offset: 0, Size: 3, CRC32: 7}, {Offset: 3, Size: 4, CRC32: 9}}}}}
	b, err := ix.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	prefix := "reval-" + testenv.Name("p") + "/"
	for key, body := range map[string][]byte{prefix + tiler.PyramidIndex: b, prefix + tiler.PyramidZip: []byte("abcdefg")} {
		if _, err := cl.PutObject(ctx, cfg.SlidesBucket, key, bytes.NewReader(body), int64(len(body)), miniogo.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	p := tiler.PyramidRef{Kind: "slide", ID: 5, Key: prefix, Ready: true}
	newTiles := func(readAhead int64) (*cache.Tiles, *countedRanges) {
		objects := &countedRanges{Store: minio.New(cl, cfg.SlidesBucket, time.Minute)}
		return cache.NewTiles(nil, objects, nil, 1<<20, readAhead, prometheus.NewRegistry()), objects
	}

	warm, objects := newTiles(0)
	first, err := warm.Tile(ctx, p, 0, 0, 0, "")
	if err != nil || string(first.Data) != "abc" || first.ETag == "" {
		t.Fatalf("first read: %q %s %v, want abc and a tag", first.Data, first.ETag, err)
	}
	if got, err := warm.Tile(ctx, p, 0, 0, 0, first.ETag); err != nil || got.Data != nil || got.ETag != first.ETag {
		t.Errorf("revalidating a tile in memory: %q %s %v, want the tag alone", got.Data, got.ETag, err)
	}
	if got, err := warm.Tile(ctx, p, 0, 0, 0, `"other"`); err != nil || string(got.Data) != "abc" {
		t.Errorf("another tag: %q %v, want the tile", got.Data, err)
	}
	if objects.ranges != 1 {
		t.Errorf("tile reads: %d, want 1", objects.ranges)
	}

	cold, objects := newTiles(0)
	if got, err := cold.Tile(ctx, p, 0, 0, 0, first.ETag); err != nil || got.Data != nil || got.ETag != first.ETag {
		t.Errorf("revalidating a tile not in memory: %q %s %v, want the tag alone", got.Data, got.ETag, err)
	}
	if objects.ranges != 0 {
		t.Errorf("revalidating read the tile %d times, want 0", objects.ranges)
	}

	ahead, objects := newTiles(1 << 20)
	if _, err := ahead.Tile(ctx, p, 0, 0, 0, ""); err != nil {
		t.Fatal(err)
	}
	neighbour, err := ahead.Tile(ctx, p, 0, 1, 0, "")
	alone, err2 := cold.Tile(ctx, p, 0, 1, 0, "")
	if err != nil || err2 != nil || string(neighbour.Data) != "defg" || neighbour.ETag != alone.ETag {
		t.Errorf("neighbour from the block: %q %s (%v), read alone: %s (%v); want defg, one tag", neighbour.Data, neighbour.ETag, err, alone.ETag, err2)
	}
	if objects.ranges != 1 {
		t.Errorf("block reads: %d, want 1 (the neighbour came with the first)", objects.ranges)
	}
}
