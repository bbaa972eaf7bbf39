// Package vips probes source images and builds Deep Zoom pyramids with
// libvips. govips covers thumbnails; dzsave, which govips lacks, and the
// header probe (govips reads whole files into memory before loading, which
// neither suits multi-gigabyte slides nor works with OpenSlide) are thin cgo
// calls into the same libvips. Label and macro images are read through
// OpenSlide directly, since Debian 12's libvips crashes reading them.
package vips

/*
#cgo pkg-config: vips openslide
#include "pl.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"

	govips "github.com/davidbyttow/govips/v2/vips"

	"github.com/patholabel/patholabel/services/platform/libvips"
)

// started guards libvips' start-up. libvips is process-wide state, so this
// is the one package-level variable: a second Main in the same process (the
// tests boot several) must not reconfigure it while images are in use.
var started sync.Once

// Startup initialises libvips once per process; later calls do nothing.
// concurrency bounds the threads of one libvips operation; the operation
// cache is off because every slide is read once and cached loaders would
// hold file handles. It then blocks every libvips loader but the allowed
// ones, so no path (a DICOM frame, an overlay, a thumbnail) can reach a
// parser the allowlist excludes, whatever the bytes say.
func Startup(concurrency int) {
	started.Do(func() {
		govips.LoggingSettings(nil, govips.LogLevelWarning)
		govips.Startup(&govips.Config{
			ConcurrencyLevel: concurrency,
			MaxCacheFiles:    0,
			MaxCacheMem:      0,
			MaxCacheSize:     0,
		})
		block()
	})
}

func block() {
	names := make([]*C.char, 0, len(loaders))
	for class := range loaders {
		names = append(names, C.CString(class))
	}
	C.pl_block(&names[0], C.int(len(names)))
	for _, n := range names {
		C.free(unsafe.Pointer(n))
	}
}

// loaders are the libvips loaders ingest accepts. Everything else libvips
// could open (PDF, SVG, ImageMagick's hundred formats) is refused: a slide
// server has no use for them and each is attack surface.
var loaders = map[string]string{
	"VipsForeignLoadOpenslideFile": "openslideload",
	"VipsForeignLoadTiffFile":      "tiffload",
	"VipsForeignLoadJpegFile":      "jpegload",
	"VipsForeignLoadPngFile":       "pngload",
	"VipsForeignLoadJp2kFile":      "jp2kload",
	"VipsForeignLoadWebpFile":      "webpload",
}

// Loader names the libvips loader that recognises path by its bytes (never
// its name), or explains why none does in words a user can act on.
func Loader(path string) (string, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	name := C.pl_loader(cpath)
	C.vips_error_clear()
	if name != nil {
		if l, ok := loaders[C.GoString(name)]; ok {
			return l, nil
		}
	}
	if looksLikeTIFF(path) {
		return "", errors.New("the file starts like a TIFF-based slide but cannot be read: it is truncated or damaged")
	}
	return "", errors.New("not an image format this server reads (accepted: slides OpenSlide reads, TIFF, JPEG, PNG, JPEG 2000, WebP)")
}

func looksLikeTIFF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false
	}
	s := string(b[:])
	return s == "II*\x00" || s == "MM\x00*" || s == "II+\x00" || s == "MM\x00+"
}

func field(im *C.VipsImage, name string) (string, bool) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if C.pl_has_field(im, cname) == 0 {
		return "", false
	}
	s := C.pl_get_string(im, cname)
	if s == nil {
		C.vips_error_clear()
		return "", false
	}
	defer C.g_free(C.gpointer(unsafe.Pointer(s)))
	return C.GoString(s), true
}

// open loads path with loader, which the caller has chosen (Loader, or
// the DICOM transfer syntax): libvips is never asked to guess again.
func open(path, loader string) (*C.VipsImage, error) {
	cpath, cloader := C.CString(path), C.CString(loader)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cloader))
	im := C.pl_open(cpath, cloader)
	if im == nil {
		return nil, fmt.Errorf("open image: %w", libvips.LastError())
	}
	return im, nil
}
