// Package vips reads regions of slides with libvips through a thin cgo
// layer: a slide is opened once for random access and each patch costs
// only the tiles it touches, so memory does not grow with slide size.
package vips

/*
#cgo pkg-config: vips
#include "region.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"image"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/patholabel/patholabel/services/platform/libvips"
)

var (
	initOnce sync.Once
	initErr  error
)

// Startup initialises libvips once per process with concurrency threads per
// operation and the operation cache off. It is safe to call again.
func Startup(concurrency int) error {
	initOnce.Do(func() {
		if C.ex_init(C.int(concurrency)) != 0 {
			initErr = fmt.Errorf("start libvips: %w", libvips.LastError())
		}
	})
	return initErr
}

// Slide is an opened slide file, safe for concurrent use: each goroutine
// reading at the same moment gets its own libvips image of the file (a
// libvips image decodes one tile at a time), and all of them share one
// cache of decoded tiles.
type Slide struct {
	path          string
	tiff          bool // level 0 read through libvips' TIFF loader, see open
	cache         *tileCache
	Width, Height int

	idle   chan *handle // opened handles not in use; capacity: the most there may be
	mu     sync.Mutex
	opened int

	decoded atomic.Int64 // tiles decoded, see Decoded
}

// handle is one libvips image of the slide; one goroutine uses it at a time.
type handle struct {
	im  *C.VipsImage
	rgb *C.VipsImage // im as 3-band 8-bit
}

// CacheBytes bounds the decoded tiles one open slide keeps.
const CacheBytes = 64 << 20

// Open opens path (any format libvips reads; OpenSlide formats through its
// slide loader, level 0) for up to readers goroutines reading at once.
func Open(path string, readers int) (*Slide, error) {
	h, side, tiff, err := open(path, false)
	if err != nil {
		return nil, fmt.Errorf("open slide: %w", err)
	}
	s := &Slide{path: path, tiff: tiff, cache: newTileCache(side, CacheBytes), idle: make(chan *handle, max(readers, 1)), opened: 1,
		Width: int(C.vips_image_get_width(h.im)), Height: int(C.vips_image_get_height(h.im))}
	s.idle <- h
	return s, nil
}

// Loader names the libvips loader the slide is read with.
func (s *Slide) Loader() string {
	if s.tiff {
		return "tiffload"
	}
	h, err := s.take()
	if err != nil {
		return ""
	}
	defer s.give(h)
	return text(h.im, "vips-loader")
}

// TileSize is the side of the tiles the slide is decoded in.
func (s *Slide) TileSize() int { return s.cache.size }

// open loads path by content. Level 0 of an Aperio slide is its TIFF's
// first page, and is read through libvips' TIFF loader instead of
// OpenSlide: OpenSlide 3.4 composites every tile it returns with cairo's
// SATURATE operator, which profiling showed to take over half the time of
// a patch, while the TIFF loader hands libjpeg's output straight over. The
// pixels are the same (the tests compare patches with OpenSlide's through
// `vips extract_area`); a probe tile is compared when the slide is opened,
// and any difference or failure (a compression libtiff lacks) keeps
// OpenSlide. tile is the slide's own tile side.
func open(path string, sequential bool) (h *handle, tile int, tiff bool, err error) {
	runtime.LockOSThread() // libvips keeps its error buffer per thread
	defer runtime.UnlockOSThread()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	seq := C.int(0)
	if sequential {
		seq = 1
	}
	if h, err = newHandle(C.ex_open(cpath, seq)); err != nil {
		return nil, 0, false, err
	}
	tile = tileSize(h.im)
	if text(h.im, "vips-loader") != "openslideload" || text(h.im, "openslide.vendor") != "aperio" {
		return h, tile, false, nil
	}
	t, err := newHandle(C.ex_open_tiff(cpath, seq))
	if err != nil {
		C.vips_error_clear()
		return h, tile, false, nil
	}
	if !sameProbe(h, t, tile) {
		t.close()
		return h, tile, false, nil
	}
	h.close()
	return t, tile, true, nil
}

// reopen opens another handle the way open chose.
func (s *Slide) reopen() (*handle, error) {
	if !s.tiff {
		h, _, _, err := open(s.path, false)
		return h, err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpath := C.CString(s.path)
	defer C.free(unsafe.Pointer(cpath))
	return newHandle(C.ex_open_tiff(cpath, 0))
}

// newHandle takes ownership of im (nil: the load failed).
func newHandle(im *C.VipsImage) (*handle, error) {
	if im == nil {
		return nil, libvips.LastError()
	}
	h := &handle{im: im}
	if C.ex_rgb(im, &h.rgb) != 0 {
		h.close()
		return nil, libvips.LastError()
	}
	return h, nil
}

func (h *handle) close() {
	if h.rgb != nil {
		C.g_object_unref(C.gpointer(h.rgb))
		h.rgb = nil
	}
	if h.im != nil {
		C.g_object_unref(C.gpointer(h.im))
		h.im = nil
	}
}

// sameProbe reads the tile at the centre of both images (tissue, not
// background, on most slides) and compares the pixels.
func sameProbe(a, b *handle, tile int) bool {
	w, h := int(C.vips_image_get_width(a.im)), int(C.vips_image_get_height(a.im))
	if w != int(C.vips_image_get_width(b.im)) || h != int(C.vips_image_get_height(b.im)) {
		return false
	}
	x, y := w/2/tile*tile, h/2/tile*tile
	pw, ph := min(tile, w-x), min(tile, h-y)
	pa, pb := make([]byte, pw*ph*3), make([]byte, pw*ph*3)
	if read(a.rgb, x, y, pw, ph, pa) != nil || read(b.rgb, x, y, pw, ph, pb) != nil {
		C.vips_error_clear()
		return false
	}
	return bytes.Equal(pa, pb)
}

func read(im *C.VipsImage, x, y, w, h int, out []byte) error {
	if C.ex_read(im, C.int(x), C.int(y), C.int(w), C.int(h), (*C.uchar)(unsafe.Pointer(&out[0]))) != 0 {
		return libvips.LastError()
	}
	return nil
}

// take lends a handle: an idle one, a new one while fewer than the
// readers allowed are open, else the next one given back.
func (s *Slide) take() (*handle, error) {
	select {
	case h := <-s.idle:
		return h, nil
	default:
	}
	s.mu.Lock()
	if s.opened < cap(s.idle) {
		s.opened++
		s.mu.Unlock()
		h, err := s.reopen()
		if err != nil {
			s.mu.Lock()
			s.opened--
			s.mu.Unlock()
			return nil, fmt.Errorf("open another reader of the slide: %w", err)
		}
		return h, nil
	}
	s.mu.Unlock()
	return <-s.idle, nil
}

func (s *Slide) give(h *handle) { s.idle <- h }

// Region reads the w×h level-0 pixels at (x, y) as packed RGB of ow×oh
// pixels (resized when the sizes differ). Pixels outside the slide are
// black.
func (s *Slide) Region(x, y, w, h, ow, oh int) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if w == ow && h == oh {
		return s.fromTiles(x, y, w, h)
	}
	hd, err := s.take()
	if err != nil {
		return nil, err
	}
	defer s.give(hd)
	var out unsafe.Pointer
	var n C.size_t
	if C.ex_region(hd.im, C.int(x), C.int(y), C.int(w), C.int(h), C.int(ow), C.int(oh), &out, &n) != 0 {
		return nil, fmt.Errorf("read region %dx%d+%d+%d: %w", w, h, x, y, libvips.LastError())
	}
	defer C.g_free(C.gpointer(out))
	if int(n) != ow*oh*3 {
		return nil, fmt.Errorf("read region %dx%d+%d+%d: got %d bytes, want %d", w, h, x, y, int(n), ow*oh*3)
	}
	return C.GoBytes(out, C.int(n)), nil
}

// Close releases the file; every Region call must have returned.
func (s *Slide) Close() {
	for {
		select {
		case h := <-s.idle:
			h.close()
		default:
			return
		}
	}
}

// tileSize is the slide's own tile width (OpenSlide reports it), so each
// cached tile costs one decode; 256 when the format has none.
func tileSize(im *C.VipsImage) int {
	if v, _ := strconv.Atoi(text(im, "openslide.level[0].tile-width")); v >= 16 && v <= 4096 {
		return v
	}
	return 256
}

// text is a metadata field as a string, "" when absent.
func text(im *C.VipsImage, name string) string {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out *C.char
	if C.vips_image_get_typeof(im, cname) == 0 || C.vips_image_get_as_string(im, cname, &out) != 0 {
		C.vips_error_clear()
		return ""
	}
	defer C.g_free(C.gpointer(unsafe.Pointer(out)))
	return C.GoString(out)
}

// Plan announces the reads to come: regions[i] is read (Region at its own
// size, as a patch at level 0 is) as many times as it is listed, in any
// order. Each tile is then kept, within the cache's bound, until the last
// read that needs it, and dropped right after it: the tiles of a sweep
// across a wide slide are decoded once, not again after used-up tiles
// pushed them out. Every such read counts against the plan, planned or
// not; done forgets what is left of it (call it when the reads are over).
func (s *Slide) Plan(regions []image.Rectangle) (done func()) {
	var keys [][2]int
	for _, r := range regions {
		keys = s.tilesOf(r.Min.X, r.Min.Y, r.Dx(), r.Dy(), keys)
	}
	s.cache.plan(keys)
	return s.cache.unplan
}

// tilesOf appends the keys of the tiles the region overlaps inside the
// slide.
func (s *Slide) tilesOf(x, y, w, h int, keys [][2]int) [][2]int {
	ts := s.cache.size
	for ty := max(y, 0) / ts; ty*ts < min(y+h, s.Height); ty++ {
		for tx := max(x, 0) / ts; tx*ts < min(x+w, s.Width); tx++ {
			keys = append(keys, [2]int{tx, ty})
		}
	}
	return keys
}

// fromTiles assembles a region from cached tiles; outside the slide is black.
func (s *Slide) fromTiles(x, y, w, h int) ([]byte, error) {
	out := make([]byte, w*h*3)
	var buf [16][2]int
	for _, k := range s.tilesOf(x, y, w, h, buf[:0]) {
		t, err := s.cache.get(k, s.readTile)
		if err != nil {
			return nil, fmt.Errorf("read region %dx%d+%d+%d: %w", w, h, x, y, err)
		}
		blit(out, w, h, x, y, t, k[0]*s.cache.size, k[1]*s.cache.size)
		s.cache.used(k)
	}
	return out, nil
}

// Decoded is how many tiles the slide has decoded since it was opened
// (each tile at most once while it stays cached): the benchmark compares
// it with the tiles the patches need.
func (s *Slide) Decoded() int64 { return s.decoded.Load() }

// DecodeTile decodes the tile at column tx, row ty of the slide's grid
// (TileSize) as packed RGB of w×h pixels (smaller at the right and bottom
// edges), bypassing the tile cache: the benchmark's decode bound.
func (s *Slide) DecodeTile(tx, ty int) (rgb []byte, w, h int, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t, err := s.readTile([2]int{tx, ty})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("decode tile %d,%d: %w", tx, ty, err)
	}
	return t.rgb, t.w, t.h, nil
}

// readTile decodes one tile of the slide's grid through a lent handle.
func (s *Slide) readTile(key [2]int) (*tile, error) {
	s.decoded.Add(1)
	hd, err := s.take()
	if err != nil {
		return nil, err
	}
	defer s.give(hd)
	ts := s.cache.size
	t := &tile{key: key, w: min(ts, s.Width-key[0]*ts), h: min(ts, s.Height-key[1]*ts)}
	t.rgb = make([]byte, t.w*t.h*3)
	if err := read(hd.rgb, key[0]*ts, key[1]*ts, t.w, t.h, t.rgb); err != nil {
		return nil, err
	}
	return t, nil
}

// blit copies the part of tile t (whose corner is at x0, y0) that falls in
// the w×h output whose corner is at x, y.
func blit(out []byte, w, h, x, y int, t *tile, x0, y0 int) {
	left, right := max(x, x0), min(x+w, x0+t.w)
	for row := max(y, y0); row < min(y+h, y0+t.h); row++ {
		src := ((row-y0)*t.w + (left - x0)) * 3
		dst := ((row-y)*w + (left - x)) * 3
		copy(out[dst:dst+(right-left)*3], t.rgb[src:src+(right-left)*3])
	}
}
