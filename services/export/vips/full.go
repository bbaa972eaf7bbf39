package vips

/*
#include "region.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/patholabel/patholabel/services/platform/libvips"
)

// DecodeAll decodes all of level 0 into memory as packed RGB, the way
// PathoFusion loaded a slide with PIL before cropping. It reads through
// the same loader as Open (so the benchmark compares reading regions with
// decoding everything, not two decoders). Its memory grows with the slide;
// it exists as the benchmark's baseline, never for exports.
func DecodeAll(path string) (rgb []byte, w, h int, err error) {
	hd, _, _, err := open(path, true)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("decode %s: %w", path, err)
	}
	defer hd.close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var out unsafe.Pointer
	var n C.size_t
	if C.ex_decode_all(hd.rgb, &out, &n) != 0 {
		return nil, 0, 0, fmt.Errorf("decode %s: %w", path, libvips.LastError())
	}
	// Wrap without copying: a copy would double the baseline's peak memory.
	return unsafe.Slice((*byte)(out), int(n)), int(C.vips_image_get_width(hd.rgb)), int(C.vips_image_get_height(hd.rgb)), nil
}
