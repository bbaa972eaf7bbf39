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
	Width, Height int
}

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
	return &Slide{im: im, Width: int(C.vips_image_get_width(im)), Height: int(C.vips_image_get_height(im))}, nil
}

// Region reads the w×h level-0 pixels at (x, y) as packed RGB of ow×oh
// pixels (resized when the sizes differ). Pixels outside the slide are
// black.
func (s *Slide) Region(x, y, w, h, ow, oh int) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
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
	if s.im != nil {
		C.g_object_unref(C.gpointer(s.im))
		s.im = nil
	}
}
