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
)

// Frames is a whole image stored as equal tiles (DICOM-WSI TILED_FULL):
// Paths in row-major order, Across to a row, trimmed to Width×Height.
type Frames struct {
	Paths         []string
	Across        int
	Width, Height int64
}

// cpaths is Frames.Paths as a C array; free releases it.
func (f Frames) cpaths() (**C.char, func()) {
	arr := C.malloc(C.size_t(len(f.Paths)) * C.size_t(unsafe.Sizeof(uintptr(0))))
	s := unsafe.Slice((**C.char)(arr), len(f.Paths))
	for i, p := range f.Paths {
		s[i] = C.CString(p)
	}
	return (**C.char)(arr), func() {
		for _, p := range s {
			C.free(unsafe.Pointer(p))
		}
		C.free(arr)
	}
}

// DZSaveFrames is DZSave for an image given as frames.
func DZSaveFrames(ctx context.Context, f Frames, dst string, p Pyramid, progress func(int)) error {
	return run(ctx, progress, func(state *C.pl_progress) error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		paths, free := f.cpaths()
		defer free()
		cdst, suffix := C.CString(dst), C.CString(p.suffix())
		defer C.free(unsafe.Pointer(cdst))
		defer C.free(unsafe.Pointer(suffix))
		if C.pl_dzsave_frames(paths, C.int(len(f.Paths)), C.int(f.Across), C.int(f.Width), C.int(f.Height),
			cdst, C.int(p.TileSize), C.int(p.Overlap), suffix, state) != 0 {
			return fmt.Errorf("build pyramid from frames: %w", lastError())
		}
		return nil
	})
}

// ThumbnailFrames renders the framed image to fit size×size as JPEG.
func ThumbnailFrames(f Frames, size, quality int) ([]byte, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	paths, free := f.cpaths()
	defer free()
	var buf unsafe.Pointer
	var n C.size_t
	if C.pl_thumbnail_frames(paths, C.int(len(f.Paths)), C.int(f.Across), C.int(f.Width), C.int(f.Height),
		C.int(size), C.int(quality), &buf, &n) != 0 {
		return nil, fmt.Errorf("thumbnail from frames: %w", lastError())
	}
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n)), nil
}
