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
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unsafe"
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
			initErr = fmt.Errorf("start libvips: %w", lastError())
		}
	})
	return initErr
}

// lastError takes libvips' per-thread error buffer, first line only.
func lastError() error {
	msg := strings.TrimSpace(C.GoString(C.vips_error_buffer()))
	C.vips_error_clear()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	if msg == "" {
		msg = "unknown libvips error"
	}
	return errors.New(msg)
}

// Slide is an opened slide file. Methods may be called from one goroutine
// at a time.
type Slide struct {
	im            *C.VipsImage
	rgb           *C.VipsImage // im as 3-band 8-bit, computed on demand
	cache         *tileCache
	Width, Height int
}

// CacheBytes bounds the decoded tiles one open slide keeps.
const CacheBytes = 64 << 20

// Open opens path (any format libvips reads; OpenSlide formats through its
// slide loader, level 0).
func Open(path string) (*Slide, error) {
	runtime.LockOSThread() // libvips keeps its error buffer per thread
	defer runtime.UnlockOSThread()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	im := C.ex_open(cpath)
	if im == nil {
		return nil, fmt.Errorf("open slide: %w", lastError())
	}
	s := &Slide{im: im, Width: int(C.vips_image_get_width(im)), Height: int(C.vips_image_get_height(im))}
	s.cache = newTileCache(tileSize(im), CacheBytes)
	if C.ex_rgb(im, &s.rgb) != 0 {
		s.Close()
		return nil, fmt.Errorf("open slide: %w", lastError())
	}
	return s, nil
}

// Region reads the w×h level-0 pixels at (x, y) as packed RGB of ow×oh
// pixels (resized when the sizes differ). Pixels outside the slide are
// black.
func (s *Slide) Region(x, y, w, h, ow, oh int) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if w == ow && h == oh {
		return s.fromTiles(x, y, w, h)
	}
	var out unsafe.Pointer
	var n C.size_t
	if C.ex_region(s.im, C.int(x), C.int(y), C.int(w), C.int(h), C.int(ow), C.int(oh), &out, &n) != 0 {
		return nil, fmt.Errorf("read region %dx%d+%d+%d: %w", w, h, x, y, lastError())
	}
	defer C.g_free(C.gpointer(out))
	if int(n) != ow*oh*3 {
		return nil, fmt.Errorf("read region %dx%d+%d+%d: got %d bytes, want %d", w, h, x, y, int(n), ow*oh*3)
	}
	return C.GoBytes(out, C.int(n)), nil
}

// Close releases the file.
func (s *Slide) Close() {
	if s.rgb != nil {
		C.g_object_unref(C.gpointer(s.rgb))
		s.rgb = nil
	}
	if s.im != nil {
		C.g_object_unref(C.gpointer(s.im))
		s.im = nil
	}
}

// tileSize is the slide's own tile width (OpenSlide reports it), so each
// cached tile costs one decode; 256 when the format has none.
func tileSize(im *C.VipsImage) int {
	if v := number(im, "openslide.level[0].tile-width"); v >= 16 && v <= 4096 {
		return v
	}
	return 256
}

func number(im *C.VipsImage, name string) int {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var out *C.char
	if C.vips_image_get_typeof(im, cname) == 0 || C.vips_image_get_as_string(im, cname, &out) != 0 {
		C.vips_error_clear()
		return 0
	}
	defer C.g_free(C.gpointer(unsafe.Pointer(out)))
	n, _ := strconv.Atoi(C.GoString(out))
	return n
}

// fromTiles assembles a region from cached tiles; outside the slide is black.
func (s *Slide) fromTiles(x, y, w, h int) ([]byte, error) {
	out := make([]byte, w*h*3)
	ts := s.cache.size
	for ty := max(y, 0) / ts; ty*ts < min(y+h, s.Height); ty++ {
		for tx := max(x, 0) / ts; tx*ts < min(x+w, s.Width); tx++ {
			t, err := s.tile(tx, ty)
			if err != nil {
				return nil, fmt.Errorf("read region %dx%d+%d+%d: %w", w, h, x, y, err)
			}
			blit(out, w, h, x, y, t, tx*ts, ty*ts)
		}
	}
	return out, nil
}

func (s *Slide) tile(tx, ty int) (*tile, error) {
	if t := s.cache.get([2]int{tx, ty}); t != nil {
		return t, nil
	}
	ts := s.cache.size
	t := &tile{key: [2]int{tx, ty}, w: min(ts, s.Width-tx*ts), h: min(ts, s.Height-ty*ts)}
	t.rgb = make([]byte, t.w*t.h*3)
	if C.ex_read(s.rgb, C.int(tx*ts), C.int(ty*ts), C.int(t.w), C.int(t.h), (*C.uchar)(unsafe.Pointer(&t.rgb[0]))) != 0 {
		return nil, lastError()
	}
	s.cache.put(t)
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
