package vips

/*
#include "pl.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/patholabel/patholabel/services/platform/libvips"
	"github.com/patholabel/patholabel/services/tiler"
)

// Source is a slide file opened for reading regions at any scale while its
// pyramid is still being built: every resolution level the file holds
// (OpenSlide's levels, a pyramidal TIFF's pages) is open for random
// access, and a region is scaled from the nearest finer level, so a
// zoomed-out view of a 40,000² slide reads its small levels, not level 0.
// Safe for concurrent use; Close waits for the regions being read.
type Source struct {
	mu     sync.RWMutex // read-held while rendering; Close takes it whole
	levels []level      // finest first
	closed bool
	// small is the Deep Zoom level 2^smallShift times smaller than the
	// image, the first no larger than smallEdge, computed once into memory
	// when the file's own coarsest level is larger: a slide stored at one
	// resolution only (CMU-1-Small-Region.svs) would otherwise be decoded
	// whole for every tile of every level a zoomed-out viewer asks for.
	smallOnce  sync.Once
	small      *C.VipsImage
	smallShift uint
}

// smallEdge bounds the in-memory small level: 2048² RGBA is 16 MiB.
const smallEdge = 2048

type level struct {
	im            *C.VipsImage
	width, height int64
}

// OpenSource opens path (already probed: loader is the one Probe chose).
func OpenSource(path, loader string) (*Source, error) {
	if !tiler.ReadableInPart(loader) {
		return nil, fmt.Errorf("%s sources are not read in part", loader)
	}
	cpath, cloader := C.CString(path), C.CString(loader)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cloader))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s := &Source{}
	first := C.pl_open_level(cpath, cloader, 0)
	if first == nil {
		return nil, fmt.Errorf("open source: %w", libvips.LastError())
	}
	s.levels = append(s.levels, level{first, int64(first.Xsize), int64(first.Ysize)})
	n := int(C.pl_level_count(first))
	for i := 1; i < n && i < 32; i++ {
		im := C.pl_open_level(cpath, cloader, C.int(i))
		if im == nil {
			C.vips_error_clear()
			break
		}
		prev := s.levels[len(s.levels)-1]
		w, h := int64(im.Xsize), int64(im.Ysize)
		// A TIFF's later pages are a pyramid only while each is smaller
		// than the one before in both directions and keeps the slide's
		// shape (within a pixel of rounding); anything else (a label, a
		// macro, another channel) ends the list.
		if w >= prev.width || h >= prev.height || !sameShape(s.levels[0], w, h) {
			C.g_object_unref(C.gpointer(im))
			break
		}
		s.levels = append(s.levels, level{im, w, h})
	}
	return s, nil
}

func sameShape(base level, w, h int64) bool {
	sx := float64(base.width) / float64(w)
	sy := float64(base.height) / float64(h)
	return sx/sy < 1.02 && sy/sx < 1.02
}

// Size is the full-resolution size.
func (s *Source) Size() (int64, int64) { return s.levels[0].width, s.levels[0].height }

// Levels counts the resolution levels the file holds.
func (s *Source) Levels() int { return len(s.levels) }

// Region renders the rectangle (left, top, w, h) of the whole image shrunk
// 2^shift times, as a JPEG of the given quality: Deep Zoom level
// (levels − 1 − shift), cut where dzsave would cut it.
func (s *Source) Region(shift uint, left, top, w, h, quality int) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errors.New("source is closed")
	}
	im, shrink, halvings := s.scale(shift)
	if s.needsSmall() && shift >= s.smallLevelShift() {
		s.smallOnce.Do(s.makeSmall) // also orders the reads of small below
		if s.small != nil {
			im, shrink, halvings = s.small, 1, int(shift-s.smallShift)
		}
	}
	runtime.LockOSThread() // libvips keeps its error buffer per thread
	defer runtime.UnlockOSThread()
	var buf unsafe.Pointer
	var n C.size_t
	if C.pl_region_jpeg(im, C.double(shrink), C.int(halvings), C.int(left), C.int(top), C.int(w), C.int(h), C.int(quality), &buf, &n) != 0 {
		return nil, fmt.Errorf("render source region: %w", libvips.LastError())
	}
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n)), nil
}

// scale picks the level to render a 2^shift reduction from and how to
// shrink it: the coarsest level the file holds that is still at least as
// fine as the target (scaling down from it loses nothing the target could
// show). Scanners round their levels' downsamples (4.0003 for 4), so a
// downsample within 1 % of a power of two counts as that power, and the
// shrink left over is done as dzsave does it, one halving at a time (an
// odd edge repeated before each), so even the smallest levels, where that
// rounding weighs most, match the pyramid's.
func (s *Source) scale(shift uint) (*C.VipsImage, float64, int) {
	want := float64(uint64(1) << shift)
	lv, ds := s.levels[0], 1.0
	for _, l := range s.levels[1:] {
		d := snap(float64(s.levels[0].width) / float64(l.width))
		if d <= want {
			lv, ds = l, d
		}
	}
	shrink, halvings := want/ds, 0
	for shrink >= 2 && shrink == math.Trunc(shrink) && int(shrink)&(int(shrink)-1) == 0 {
		shrink /= 2
		halvings++
	}
	return lv.im, shrink, halvings
}

// needsSmall: the file's coarsest level is larger than smallEdge.
func (s *Source) needsSmall() bool {
	l := s.levels[len(s.levels)-1]
	return max(l.width, l.height) > smallEdge
}

// smallLevelShift is the first reduction that fits in smallEdge.
func (s *Source) smallLevelShift() uint {
	w, h := s.Size()
	var sh uint
	for max(ceilShift(w, sh), ceilShift(h, sh)) > smallEdge {
		sh++
	}
	return sh
}

func ceilShift(v int64, s uint) int64 { return (v + (1 << s) - 1) >> s }

// makeSmall computes the small level into memory; on failure tiles are
// rendered from the file as before.
func (s *Source) makeSmall() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	shift := s.smallLevelShift()
	im, shrink, halvings := s.scale(shift)
	var out *C.VipsImage
	if C.pl_scaled(im, C.double(shrink), C.int(halvings), 1, &out) != 0 {
		C.vips_error_clear()
		return
	}
	s.small, s.smallShift = out, shift
}

// snap rounds a downsample within 1 % of a power of two to it.
func snap(d float64) float64 {
	p := math.Exp2(math.Round(math.Log2(d)))
	if math.Abs(d-p) <= 0.01*p {
		return p
	}
	return d
}

// Close lets go of the file once no region is being read.
func (s *Source) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.small != nil {
		C.g_object_unref(C.gpointer(s.small))
	}
	for _, l := range s.levels {
		C.g_object_unref(C.gpointer(l.im))
	}
}
