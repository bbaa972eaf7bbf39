package vips

/*
#include "pl.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/patholabel/patholabel/services/platform/libvips"
)

// Frames is a whole image stored as tiles (DICOM-WSI): Paths in row-major
// cell order, Across to a row, trimmed to Width×Height. Every frame is
// opened with Loader only and may be at most FrameWidth×FrameHeight.
type Frames struct {
	Paths                   []string
	Across                  int
	Width, Height           int64
	FrameWidth, FrameHeight int
	Loader                  string // "jpegload" or "jp2kload"
}

// Header is a frame's size and bands as loader reads it (no pixels are
// decoded). A file that is not what loader reads fails here.
func Header(path, loader string) (width, height, bands int, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpath, cloader := C.CString(path), C.CString(loader)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cloader))
	var w, h, b C.int
	if C.pl_header(cpath, cloader, &w, &h, &b) != 0 {
		return 0, 0, 0, fmt.Errorf("%s: %w", loader, libvips.LastError())
	}
	return int(w), int(h), int(b), nil
}

// Deviation is the standard deviation of the samples in the w×h
// rectangle at x, y of path, opened with loader.
func Deviation(path, loader string, x, y, w, h int) (float64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpath, cloader := C.CString(path), C.CString(loader)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cloader))
	var d C.double
	if C.pl_deviate(cpath, cloader, C.int(x), C.int(y), C.int(w), C.int(h), &d) != 0 {
		return 0, fmt.Errorf("%s: %w", loader, libvips.LastError())
	}
	return float64(d), nil
}

// cframes is f as C sees it; free releases it.
func (f Frames) cframes() (*C.pl_frames, func()) {
	c := (*C.pl_frames)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pl_frames{}))))
	arr := C.malloc(C.size_t(len(f.Paths)) * C.size_t(unsafe.Sizeof(uintptr(0))))
	s := unsafe.Slice((**C.char)(arr), len(f.Paths))
	for i, p := range f.Paths {
		s[i] = C.CString(p)
	}
	c.paths, c.n, c.across = (**C.char)(arr), C.int(len(f.Paths)), C.int(f.Across)
	c.width, c.height = C.int(f.Width), C.int(f.Height)
	c.frame_w, c.frame_h = C.int(f.FrameWidth), C.int(f.FrameHeight)
	c.loader = C.CString(f.Loader)
	return c, func() {
		for _, p := range s {
			C.free(unsafe.Pointer(p))
		}
		C.free(arr)
		C.free(unsafe.Pointer(c.loader))
		C.free(unsafe.Pointer(c))
	}
}

// DZSaveFrames is DZSave for an image given as frames.
func DZSaveFrames(ctx context.Context, f Frames, dst string, p Pyramid, progress func(int)) error {
	return run(ctx, progress, func(state *C.pl_progress) error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		frames, free := f.cframes()
		defer free()
		cdst, suffix := C.CString(dst), C.CString(p.suffix())
		defer C.free(unsafe.Pointer(cdst))
		defer C.free(unsafe.Pointer(suffix))
		if C.pl_dzsave_frames(frames, cdst, C.int(p.TileSize), C.int(p.Overlap), suffix, state) != 0 {
			return fmt.Errorf("build pyramid from frames: %w", libvips.LastError())
		}
		return nil
	})
}

// ThumbnailFrames renders the framed image to fit size×size as JPEG.
func ThumbnailFrames(f Frames, size, quality int) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	frames, free := f.cframes()
	defer free()
	var buf unsafe.Pointer
	var n C.size_t
	if C.pl_thumbnail_frames(frames, C.int(size), C.int(quality), &buf, &n) != 0 {
		return nil, fmt.Errorf("thumbnail from frames: %w", libvips.LastError())
	}
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n)), nil
}
