package tiler

import "math/bits"

// Deep Zoom geometry, as vips_dzsave lays a pyramid out: level 0 is 1×1 px,
// the last level is full resolution, each level is the next one halved
// (rounding up), and tile (col, row) covers [col·size − overlap,
// (col+1)·size + overlap) clipped to the level. Tiles served from a
// source before the pyramid exists follow it exactly, so the viewer asks
// for the same URLs and gets images of the same size either way.

// DeepZoomLevels is the level count of a width × height image.
func DeepZoomLevels(width, height int64) int {
	m := max(width, height, 1)
	return bits.Len64(uint64(m-1)) + 1
}

// TileRect is where tile (col, row) of level lies: the level's size and
// the tile's rectangle in it. ok is false outside the pyramid.
type TileRect struct {
	LevelWidth, LevelHeight  int64
	Left, Top, Width, Height int
}

// DeepZoomTile locates a tile; false outside the pyramid.
func DeepZoomTile(width, height int64, tileSize, overlap, level, col, row int) (TileRect, bool) {
	n := DeepZoomLevels(width, height)
	if level < 0 || level >= n || col < 0 || row < 0 || tileSize <= 0 {
		return TileRect{}, false
	}
	shift := uint(n - 1 - level)
	lw, lh := ceilShift(width, shift), ceilShift(height, shift)
	x0, x1, okX := span(lw, tileSize, overlap, col)
	y0, y1, okY := span(lh, tileSize, overlap, row)
	if !okX || !okY {
		return TileRect{}, false
	}
	return TileRect{lw, lh, x0, y0, x1 - x0, y1 - y0}, true
}

func ceilShift(v int64, s uint) int64 { return (v + (1 << s) - 1) >> s }

func span(length int64, size, overlap, i int) (int, int, bool) {
	start := int64(i) * int64(size)
	if start >= length {
		return 0, 0, false
	}
	end := min(start+int64(size)+int64(overlap), length)
	if i > 0 {
		start -= int64(overlap)
	}
	return int(start), int(end), true
}

// ReadableInPart reports whether sources opened with loader can be read a
// region at a time (OpenSlide formats, tiled or striped TIFF), and so be
// viewed before their pyramid exists. JPEG, PNG, WebP and JPEG 2000 files
// must be decoded whole for any region, and DICOM is staged frame by
// frame: those wait for the pyramid.
func ReadableInPart(loader string) bool { return loader == "openslideload" || loader == "tiffload" }

// FromSource reports whether the slide's tiles are served from its source
// file: its pyramid is being built (or waits to be) and the source was
// probed as readable in part.
func (s *Slide) FromSource() bool {
	return (s.Status == StatusQueued || s.Status == StatusProcessing) && s.Width > 0 && s.Height > 0 &&
		s.TileSize > 0 && ReadableInPart(s.Format)
}

// SetViewable fills Viewable: the viewer may open the slide, from its
// pyramid or, while that is built, from its source.
func (s *Slide) SetViewable() { s.Viewable = s.Status == StatusReady || s.FromSource() }
