package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/tiler"
)

// Objects reads the slides bucket. Errors: not_found, unavailable.
type Objects interface {
	Get(ctx context.Context, key string) ([]byte, error)
	GetRange(ctx context.Context, key string, off, n int64) ([]byte, error)
}

// Slides reads slide and overlay rows. Errors: not_found.
type Slides interface {
	Slide(ctx context.Context, id int64) (*tiler.Slide, error)
	Overlay(ctx context.Context, id int64) (*tiler.Overlay, error)
}

// Tiles serves tiles read-through: memory, then Redis, then one ranged GET
// of the pyramid zip in the object store.
type Tiles struct {
	slides  Slides
	objects Objects
	shared  *Redis
	// mem holds the tiles asked for and, beside them, those a block read
	// brought in (Segmented says how the two share its budget).
	mem     *Segmented[tileID]
	ready   *LRU[int64, *tiler.Slide] // ready slides never change
	readyO  *LRU[int64, *tiler.Overlay]
	indexes *LRU[string, *tiler.Index]
	flight  singleflight.Group // index loads and block reads, by key
	// readAhead is the aligned block of the pyramid zip one miss reads (0:
	// the tile alone). An object store answers a ranged GET of a megabyte
	// about as fast as one of a tile (MinIO reads and checks whole 1 MiB
	// blocks either way), and dzsave writes a row's tiles side by side, so
	// the neighbours a viewer asks for next come with it into memory.
	readAhead int64
	m         *metrics
	src       *Sources // nil: slides are viewable only once their pyramid is ready
}

// ServeSources lets slides be viewed from their source while their pyramid
// is built.
func (t *Tiles) ServeSources(s *Sources) { t.src = s }

// SourceTile is a tile of a slide whose pyramid is not ready, rendered from
// its source and kept in memory only (Sources says why not in Redis).
// Errors: not_found when the slide is not served from its source or the
// tile is outside its grid.
func (t *Tiles) SourceTile(ctx context.Context, sl *tiler.Slide, level, col, row int) (tiler.Tile, error) {
	if t.src == nil || !sl.FromSource() {
		return tiler.Tile{}, platform.Errorf(platform.ENOTFOUND, "slide %d is not ready (%s)", sl.ID, sl.Status)
	}
	key := tileID{obj: "src:" + strconv.FormatInt(sl.ID, 10) + "/", level: int32(level), col: int32(col), row: int32(row)}
	etag := `"s` + strconv.FormatInt(sl.ID, 10) + "-" + strconv.Itoa(level) + "-" + strconv.Itoa(col) + "-" + strconv.Itoa(row) + `-src"`
	if tl, ok := t.mem.Get(key); ok {
		t.m.memHit.Inc()
		return tl, nil
	}
	b, err := t.src.Tile(ctx, sl, level, col, row)
	if err != nil {
		return tiler.Tile{}, err
	}
	tl := tiler.Tile{Data: b, ETag: etag}
	t.mem.Add(key, tl)
	return tl, nil
}

// NewTiles wires the layers; shared may be nil (no Redis). readAhead is
// ignored without a memory cache, which is where read-ahead tiles go.
func NewTiles(slides Slides, objects Objects, shared *Redis, memBytes, readAhead int64, reg prometheus.Registerer) *Tiles {
	if memBytes == 0 {
		readAhead = 0
	}
	return &Tiles{
		slides: slides, objects: objects, shared: shared, readAhead: readAhead,
		// A quarter kept for read-ahead when hot tiles fill the rest:
		// enough for a few hundred blocks of neighbours.
		mem:     NewSegmented[tileID](memBytes, memBytes/4),
		ready:   NewLRU[int64](20_000, func(*tiler.Slide) int64 { return 1 }),
		readyO:  NewLRU[int64](20_000, func(*tiler.Overlay) int64 { return 1 }),
		indexes: NewLRU[string](128<<20, func(ix *tiler.Index) int64 { return int64(ix.Tiles())*16 + 1024 }),
		m:       newMetrics(reg),
	}
}

// Slide returns a slide, from memory once it is ready. Errors: not_found.
func (t *Tiles) Slide(ctx context.Context, id int64) (*tiler.Slide, error) {
	if sl, ok := t.ready.Get(id); ok {
		return sl, nil
	}
	sl, err := t.slides.Slide(ctx, id)
	if err != nil {
		return nil, err
	}
	if sl.Status == tiler.StatusReady {
		t.ready.Add(id, sl)
		if t.src != nil {
			t.src.Drop(id) // the pyramid took over
		}
	}
	return sl, nil
}

// Overlay returns an overlay, from memory once it is ready. Errors: not_found.
func (t *Tiles) Overlay(ctx context.Context, id int64) (*tiler.Overlay, error) {
	if o, ok := t.readyO.Get(id); ok {
		return o, nil
	}
	o, err := t.slides.Overlay(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.Status == tiler.StatusReady {
		t.readyO.Add(id, o)
	}
	return o, nil
}

// ETag names a tile's content without reading it, so a revalidation costs
// no fetch. Errors: not_found outside the pyramid or while it is not ready.
func (t *Tiles) ETag(ctx context.Context, p tiler.PyramidRef, level, col, row int) (string, tiler.TileRef, error) {
	if !p.Ready {
		return "", tiler.TileRef{}, platform.Errorf(platform.ENOTFOUND, "%s %d is not ready", p.Kind, p.ID)
	}
	ix, err := t.index(ctx, p.Key)
	if err != nil {
		return "", tiler.TileRef{}, err
	}
	ref, ok := ix.Lookup(level, col, row)
	if !ok {
		return "", tiler.TileRef{}, platform.Errorf(platform.ENOTFOUND, "no tile %d/%d_%d in %s %d", level, col, row, p.Kind, p.ID)
	}
	return tileETag(p, level, col, row, ref.CRC32), ref, nil
}

// tileETag is `"s12-15-3-4-0a1b2c3d"`: kind, id, level, col, row and the
// tile's CRC-32. Appended by hand: it is made for every tile request.
func tileETag(p tiler.PyramidRef, level, col, row int, crc uint32) string {
	b := make([]byte, 0, 48)
	b = append(b, '"')
	if p.Kind != "" {
		b = append(b, p.Kind[0])
	}
	b = strconv.AppendInt(b, p.ID, 10)
	for _, n := range [...]int{level, col, row} {
		b = strconv.AppendInt(append(b, '-'), int64(n), 10)
	}
	b = append(b, '-')
	h := strconv.FormatUint(uint64(crc), 16)
	b = append(append(b, "00000000"[len(h):]...), h...)
	return string(append(b, '"'))
}

// Tile reads one tile of a ready pyramid. When ifNoneMatch is already its
// ETag, it reads nothing and returns the tag alone (Data nil): the browser
// revalidating a tile it holds. A tile in memory is found there with its
// tag, before the index is looked at. Errors: not_found outside the
// pyramid or while it is not ready; unavailable (the store is down and no
// cache holds the tile).
func (t *Tiles) Tile(ctx context.Context, p tiler.PyramidRef, level, col, row int, ifNoneMatch string) (tiler.Tile, error) {
	if !p.Ready {
		return tiler.Tile{}, platform.Errorf(platform.ENOTFOUND, "%s %d is not ready", p.Kind, p.ID)
	}
	key := tileID{obj: p.Key, level: int32(level), col: int32(col), row: int32(row)}
	if tl, ok := t.mem.Get(key); ok {
		t.m.memHit.Inc()
		return notModified(tl, ifNoneMatch), nil
	}
	etag, ref, err := t.ETag(ctx, p, level, col, row)
	if err != nil {
		return tiler.Tile{}, err
	}
	if etag == ifNoneMatch {
		return tiler.Tile{ETag: etag}, nil
	}
	tl, err := t.cached(ctx, key, etag, func(ctx context.Context) ([]byte, error) {
		if t.readAhead == 0 {
			return t.objects.GetRange(ctx, p.Key+tiler.PyramidZip, ref.Offset, int64(ref.Size))
		}
		return t.readBlock(ctx, p, ref)
	})
	if err != nil {
		return tiler.Tile{}, fmt.Errorf("read tile %d/%d_%d of %s %d: %w", level, col, row, p.Kind, p.ID, err)
	}
	return tl, nil
}

// notModified is tl, or its tag alone when the browser holds it already.
func notModified(tl tiler.Tile, ifNoneMatch string) tiler.Tile {
	if tl.ETag == ifNoneMatch {
		return tiler.Tile{ETag: tl.ETag}
	}
	return tl
}

// tileID names a tile in memory: a struct, not a string, so that a hit
// builds nothing (a key string per request cost the warm path an
// allocation and a longer hash). Its String is the Redis key.
type tileID struct {
	obj             string // the pyramid's key prefix, or a whole object's key (level -1)
	level, col, row int32
}

func (k tileID) String() string {
	if k.level < 0 {
		return k.obj
	}
	return k.obj + strconv.Itoa(int(k.level)) + "/" + strconv.Itoa(int(k.col)) + "_" + strconv.Itoa(int(k.row))
}

// readBlock reads the aligned read-ahead block holding ref (stretched to
// hold all of it), keeps every other tile lying wholly inside it in
// memory, and returns ref's bytes. Concurrent misses in one block share
// one read.
func (t *Tiles) readBlock(ctx context.Context, p tiler.PyramidRef, ref tiler.TileRef) ([]byte, error) {
	prefix := p.Key
	start := ref.Offset - ref.Offset%t.readAhead
	end := max(start+t.readAhead, ref.Offset+int64(ref.Size))
	v, err, _ := t.flight.Do(prefix+"@"+strconv.FormatInt(start, 10), func() (any, error) {
		// Not cancelled with the first asker: others may wait on this read.
		block, err := t.objects.GetRange(context.WithoutCancel(ctx), prefix+tiler.PyramidZip, start, end-start)
		if err != nil {
			return nil, err
		}
		end = start + int64(len(block)) // the last block of the zip is shorter
		if ix, ok := t.indexes.Get(prefix); ok {
			for lv, l := range ix.Levels {
				for i, r := range l.Tiles {
					if r.Size > 0 && r.Offset >= start && r.Offset+int64(r.Size) <= end && r != ref {
						// A copy: a slice would pin the whole block in memory
						// while the LRU counts only the tile.
						col, row := i%l.Cols, i/l.Cols
						t.mem.AddAhead(tileID{obj: prefix, level: int32(lv), col: int32(col), row: int32(row)}, tiler.Tile{
							Data: bytes.Clone(block[r.Offset-start : r.Offset-start+int64(r.Size)]),
							ETag: tileETag(p, lv, col, row, r.CRC32),
						})
					}
				}
			}
		}
		return block, nil
	})
	if err != nil {
		return nil, err
	}
	block := v.([]byte)
	if ref.Offset+int64(ref.Size) > start+int64(len(block)) {
		// A tile straddling the block's end, whose read was shared with a
		// tile that needed only the block: read it alone.
		return t.objects.GetRange(ctx, prefix+tiler.PyramidZip, ref.Offset, int64(ref.Size))
	}
	return bytes.Clone(block[ref.Offset-start : ref.Offset-start+int64(ref.Size)]), nil
}

// Thumbnail reads a ready slide's thumbnail through the same caches.
func (t *Tiles) Thumbnail(ctx context.Context, sl *tiler.Slide) (tiler.Tile, error) {
	if sl.Status != tiler.StatusReady {
		return tiler.Tile{}, platform.Errorf(platform.ENOTFOUND, "slide %d is not ready (%s)", sl.ID, sl.Status)
	}
	key := tileID{obj: sl.PyramidKey + tiler.PyramidThumbnail, level: -1}
	etag := fmt.Sprintf(`"%d-thumb-%.16s"`, sl.ID, sl.SHA256)
	tl, err := t.cached(ctx, key, etag, func(ctx context.Context) ([]byte, error) { return t.objects.Get(ctx, key.obj) })
	if err != nil {
		return tiler.Tile{}, fmt.Errorf("read thumbnail of slide %d: %w", sl.ID, err)
	}
	return tl, nil
}

// cached reads a tile (tagged etag) through memory and Redis, fetching
// it on a miss of both.
func (t *Tiles) cached(ctx context.Context, key tileID, etag string, fetch func(context.Context) ([]byte, error)) (tiler.Tile, error) {
	if tl, ok := t.mem.Get(key); ok {
		t.m.memHit.Inc()
		return tl, nil
	}
	t.m.memMiss.Inc()
	if b := t.fromRedis(ctx, key.String()); b != nil {
		tl := tiler.Tile{Data: b, ETag: etag}
		t.mem.Add(key, tl)
		return tl, nil
	}
	start := time.Now()
	b, err := fetch(ctx)
	t.m.fetch.Observe(time.Since(start).Seconds())
	if err != nil {
		return tiler.Tile{}, err
	}
	tl := tiler.Tile{Data: b, ETag: etag}
	t.mem.Add(key, tl)
	if t.shared != nil {
		go t.shared.Set(context.WithoutCancel(ctx), key.String(), b)
	}
	return tl, nil
}

func (t *Tiles) fromRedis(ctx context.Context, key string) []byte {
	if t.shared == nil {
		return nil
	}
	b, err := t.shared.Get(ctx, key)
	switch {
	case errors.Is(err, ErrForged):
		t.m.redisForged.Inc()
	case err != nil:
		t.m.redisError.Inc()
	case b == nil:
		t.m.redisMiss.Inc()
	default:
		t.m.redisHit.Inc()
	}
	return b
}

// index loads a pyramid's index once per replica, however many requests
// ask for it at the same moment.
func (t *Tiles) index(ctx context.Context, prefix string) (*tiler.Index, error) {
	if ix, ok := t.indexes.Get(prefix); ok {
		return ix, nil
	}
	// The load is shared by every request waiting for it, so it must not
	// end with whichever request started it: a browser cancelling the
	// first tile would fail the others with a 500. Each caller still stops
	// waiting when its own context ends.
	load := context.WithoutCancel(ctx)
	ch := t.flight.DoChan(prefix, func() (any, error) {
		b, err := t.objects.Get(load, prefix+tiler.PyramidIndex)
		if err != nil {
			return nil, fmt.Errorf("read pyramid index %s: %w", prefix, err)
		}
		ix := &tiler.Index{}
		if err := ix.UnmarshalBinary(b); err != nil {
			return nil, err
		}
		t.indexes.Add(prefix, ix)
		return ix, nil
	})
	return await[*tiler.Index](ctx, ch)
}

// await takes a shared load's result (singleflight.DoChan), or gives up
// when this caller's ctx ends; the load itself goes on for the others.
func await[T any](ctx context.Context, ch <-chan singleflight.Result) (T, error) {
	var zero T
	select {
	case <-ctx.Done():
		return zero, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	}
}
