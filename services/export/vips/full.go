package vips

/*
#include "region.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// DecodeAll decodes all of level 0 into memory as packed RGB, the way
// PathoFusion loaded a slide with PIL before cropping. Its memory grows
// with the slide; it exists as the benchmark's baseline, never for exports.
func DecodeAll(path string) (rgb []byte, w, h int, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var out unsafe.Pointer
	var n C.size_t
	var cw, ch C.int
	if C.ex_decode_all(cpath, &out, &n, &cw, &ch) != 0 {
		return nil, 0, 0, fmt.Errorf("decode %s: %w", path, lastError())
	}
	// Wrap without copying: a copy would double the baseline's peak memory.
	return unsafe.Slice((*byte)(out), int(n)), int(cw), int(ch), nil
}
