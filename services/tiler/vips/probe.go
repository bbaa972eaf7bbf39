package vips

/*
#include "pl.h"
*/
import "C"

import (
	"strconv"

	"github.com/patholabel/patholabel/services/tiler"
)

// Probe reads path's header: size, loader, and the scanner's calibration
// when OpenSlide reports one. It decodes no pixels, so a decompression bomb
// is caught by the caller's pixel limit before any work.
func Probe(path string) (tiler.Metadata, error) {
	loader, err := Loader(path)
	if err != nil {
		return tiler.Metadata{}, err
	}
	im, err := open(path, loader)
	if err != nil {
		return tiler.Metadata{}, err
	}
	defer C.g_object_unref(C.gpointer(im))
	m := tiler.Metadata{
		Width:  int64(C.vips_image_get_width(im)),
		Height: int64(C.vips_image_get_height(im)),
	}
	m.Format = loader
	m.Vendor, _ = field(im, "openslide.vendor")
	m.MPPX = number(im, "openslide.mpp-x")
	m.MPPY = number(im, "openslide.mpp-y")
	m.Objective = number(im, "openslide.objective-power")
	return m, nil
}

// number is a positive numeric property, nil when absent or nonsense, so a
// missing calibration is never replaced by a made-up one.
func number(im *C.VipsImage, name string) *float64 {
	s, ok := field(im, name)
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return nil
	}
	return &f
}
