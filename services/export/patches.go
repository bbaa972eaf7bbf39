package export

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"slices"
	"sync"
)

// Regions reads level-0 regions of one slide as packed RGB (vips.Slide).
// Cut calls it from several goroutines at once.
type Regions interface {
	Region(x, y, w, h, ow, oh int) ([]byte, error)
}

// ReadError is a failure to read the slide itself (damaged file, missing
// calibration): the slide is reported and skipped, the export goes on.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// Patch is one cut patch: Size×Size packed RGB around a centre.
type Patch struct {
	Slide      *Slide
	Category   *Category
	Centre     Centre
	Size       int // output pixels per side
	OriginSize int // level-0 pixels per side it was cut from
	Padded     bool
	// MPP is the microns per pixel the patch was cut at: the slide's
	// level-0 µm/px scaled by OriginSize/Size (so target_mpp up to the
	// rounding of OriginSize to whole pixels); 0 when the slide has none.
	MPP float64
	RGB []byte
}

// Cut cuts every patch of a slide's marks and hands each to emit, in the
// spatial order of their centres (see spatialOrder) then size order,
// whatever the number of workers: workers goroutines read regions side by
// side (a patch is mostly a JPEG decode, which one core does at a time), a
// few centres ahead of the one being emitted, and emit runs on the calling
// goroutine. The order is spatial, not the marks', because the slide's
// tile cache is bounded: in mark order dense marks jump about the slide and
// tiles are dropped before a later patch needs them again, so they are
// decoded twice or more. It depends only on the marks, so a re-run writes
// the same files. Patches crossing the slide edge are padded with black (as
// PIL's crop does) or skipped, as p.Edge says. At level-0 resolution the
// largest size is read once per centre and the smaller ones cropped from
// it: the same pixels, fewer reads.
func Cut(ctx context.Context, sl *Slide, marks []Mark, cats map[int64]*Category, p *Params, r Regions, workers int, emit func(Patch) error) error {
	origin, err := originSizes(sl, p)
	if err != nil {
		return &ReadError{err}
	}
	centres := Distinct(Centres(marks, p), cats)
	band := 0
	for _, side := range origin {
		band = max(band, side)
	}
	if t, ok := r.(tiled); ok {
		band = max(band, t.TileSize())
	}
	spatialOrder(centres, band)
	if pl, ok := r.(planner); ok {
		defer pl.Plan(reads(sl, centres, p, origin))()
	}
	cut := func(i int) ([]Patch, error) {
		c := centres[i]
		return cutCentre(sl, cats[c.Mark.CategoryID], c, p, origin, r)
	}
	return inOrder(ctx, len(centres), workers, cut, func(patches []Patch) error {
		for _, pt := range patches {
			if err := emit(pt); err != nil {
				return err
			}
		}
		return nil
	})
}

// Distinct keeps the centres of categories in cats (the rest are outside
// the export's filter) and, of centres of one category at one place (two
// annotators dotting the same nucleus), only the one of the lowest mark id:
// the one rule for duplicates, so the image files, the index, the
// PathoFusion rows and the manifest's counts all hold one patch there.
func Distinct(centres []Centre, cats map[int64]*Category) []Centre {
	type place struct{ cat, x, y int64 }
	first := map[place]int64{}
	for _, c := range centres {
		k := place{c.Mark.CategoryID, c.X, c.Y}
		if id, ok := first[k]; cats[c.Mark.CategoryID] != nil && (!ok || c.Mark.ID < id) {
			first[k] = c.Mark.ID
		}
	}
	out := make([]Centre, 0, len(first))
	for _, c := range centres {
		k := place{c.Mark.CategoryID, c.X, c.Y}
		if id, ok := first[k]; ok && id == c.Mark.ID {
			out = append(out, c)
			delete(first, k) // a mark with two equal centres counts once too
		}
	}
	return out
}

// tiled is a Regions decoding the slide in square tiles (vips.Slide).
type tiled interface{ TileSize() int }

// planner is a Regions that can be told the level-0 regions to be read at
// their own size (vips.Slide: it then keeps each tile until its last read
// and drops it then); done forgets what is left of the plan.
type planner interface {
	Plan(regions []image.Rectangle) (done func())
}

// reads lists the level-0 regions cutCentre reads at their own size: the
// largest patch of each centre it cuts (the smaller ones are cropped from
// it). Resized patches (target_mpp) are read otherwise, and not listed.
func reads(sl *Slide, centres []Centre, p *Params, origin map[int]int) []image.Rectangle {
	if p.TargetMPP != nil || len(p.PatchSizes) == 0 {
		return nil
	}
	side := origin[slices.Max(p.PatchSizes)]
	out := make([]image.Rectangle, 0, len(centres))
	for _, c := range centres {
		if p.Edge == "skip" && crossesEdge(sl, c, origin) {
			continue
		}
		x, y := int(c.X)-side/2, int(c.Y)-side/2
		out = append(out, image.Rect(x, y, x+side, y+side))
	}
	return out
}

// spatialOrder sorts centres in bands of band rows, top to bottom, each
// swept left to right; ties are broken by mark id, then y, so the order is
// a function of the centres alone, not of the order they came in. A band
// as high as the largest patch or tile touches few enough tiles for them
// to stay cached for the next band, which shares some of them. (Sweeping
// every other band right to left made no measurable difference on the
// export benchmark, so the simpler order stays.)
func spatialOrder(centres []Centre, band int) {
	b := int64(max(band, 1))
	row := func(c Centre) int64 { // floor division: centres may lie above the slide
		if c.Y < 0 {
			return -((-c.Y + b - 1) / b)
		}
		return c.Y / b
	}
	slices.SortStableFunc(centres, func(p, q Centre) int {
		return cmp.Or(cmp.Compare(row(p), row(q)), cmp.Compare(p.X, q.X), cmp.Compare(p.Mark.ID, q.Mark.ID),
			cmp.Compare(p.Y, q.Y))
	})
}

// originSizes maps each output size to the level-0 side it covers.
func originSizes(sl *Slide, p *Params) (map[int]int, error) {
	out := map[int]int{}
	for _, s := range p.PatchSizes {
		out[s] = s
		if p.TargetMPP == nil {
			continue
		}
		if sl.MPPX == nil || *sl.MPPX <= 0 {
			return nil, fmt.Errorf("slide has no microns-per-pixel calibration, so target_mpp cannot apply")
		}
		out[s] = max(1, int(math.Round(float64(s)**p.TargetMPP / *sl.MPPX)))
	}
	return out, nil
}

func cutCentre(sl *Slide, cat *Category, c Centre, p *Params, origin map[int]int, r Regions) ([]Patch, error) {
	if p.Edge == "skip" && crossesEdge(sl, c, origin) {
		// Left out at every size, not only those that cross: PathoFusion
		// pairs the sizes' databases by row id, so each must hold the same
		// centres in the same order.
		return nil, nil
	}
	var out []Patch
	var big []byte
	bigSize := 0
	for i := len(p.PatchSizes) - 1; i >= 0; i-- { // largest first, so smaller ones can crop from it
		size := p.PatchSizes[i]
		src := origin[size]
		x, y := int(c.X)-src/2, int(c.Y)-src/2
		padded := x < 0 || y < 0 || int64(x+src) > sl.Width || int64(y+src) > sl.Height
		rgb, err := readPatch(r, x, y, src, size, big, bigSize, int(c.X), int(c.Y), p.TargetMPP != nil)
		if err != nil {
			return nil, &ReadError{err}
		}
		if big == nil && p.TargetMPP == nil {
			big, bigSize = rgb, size
		}
		out = append(out, Patch{Slide: sl, Category: cat, Centre: c, Size: size, OriginSize: src, Padded: padded,
			MPP: PatchMPP(sl, src, size), RGB: rgb})
	}
	// Last, as the smaller sizes were cropped (copied) from the largest's
	// raw pixels: each patch is normalised once, from its own statistics.
	for i := range out {
		if err := p.StainNormalization.Normalize(out[i].RGB); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// crossesEdge reports whether the patch of any size at c reaches past the
// slide.
func crossesEdge(sl *Slide, c Centre, origin map[int]int) bool {
	for _, src := range origin {
		x, y := int(c.X)-src/2, int(c.Y)-src/2
		if x < 0 || y < 0 || int64(x+src) > sl.Width || int64(y+src) > sl.Height {
			return true
		}
	}
	return false
}

func readPatch(r Regions, x, y, src, size int, big []byte, bigSize, cx, cy int, resized bool) ([]byte, error) {
	if big != nil && !resized {
		bx, by := cx-bigSize/2, cy-bigSize/2
		return cropRGB(big, bigSize, x-bx, y-by, size), nil
	}
	return r.Region(x, y, src, src, size, size)
}

// cropRGB copies the size×size square at (x, y) of a side×side RGB image.
func cropRGB(img []byte, side, x, y, size int) []byte {
	out := make([]byte, 0, size*size*3)
	for row := y; row < y+size; row++ {
		start := (row*side + x) * 3
		out = append(out, img[start:start+size*3]...)
	}
	return out
}

// rgbaImages keeps the RGBA copies Encode hands the standard encoders,
// for the next patch: a patch's worth of garbage less each time. A pool,
// not state: every pixel is written before use.
var rgbaImages sync.Pool

// PatchPath is where the patches format stores p: under the ImageFolder
// root of its size and split (ImageFolderRoot), in its class's folder
// (ClassFolders).
func PatchPath(p Patch, split, folder, ext string) string {
	return fmt.Sprintf("%s/%s/%s_%d_%d.%s", ImageFolderRoot(p.Size, split), folder, SlideStem(p.Slide), p.Centre.X, p.Centre.Y, ext)
}

// ImageFolderRoot is the folder to hand torchvision's ImageFolder: one per
// patch size, and per split when the export has splits.
func ImageFolderRoot(size int, split string) string {
	if split == "" {
		return fmt.Sprintf("patches/%d", size)
	}
	return fmt.Sprintf("patches/%d/%s", size, split)
}

// EncodePatch compresses a patch as the request asks (patch_format,
// jpeg_quality, png_compression).
func EncodePatch(rgb []byte, size int, p *Params) ([]byte, error) {
	if p.PatchFormat == "png" && p.PNGCompression == PNGFast {
		return EncodePNGFast(rgb, size)
	}
	return Encode(rgb, size, p.PatchFormat, p.JPEGQuality)
}

// Encode compresses a patch as PNG (Go's image/png at its default level,
// PNGSmall) or JPEG; both encoders are deterministic, so the same pixels
// give the same bytes.
func Encode(rgb []byte, size int, format string, quality int) ([]byte, error) {
	if len(rgb) != size*size*3 {
		return nil, fmt.Errorf("encode patch: %d bytes of RGB for %d×%d pixels", len(rgb), size, size)
	}
	img, _ := rgbaImages.Get().(*image.RGBA)
	if img == nil {
		img = &image.RGBA{}
	}
	defer rgbaImages.Put(img)
	if n := size * size * 4; cap(img.Pix) < n {
		img.Pix = make([]byte, n)
	} else {
		img.Pix = img.Pix[:n] // every pixel is written below
	}
	img.Stride, img.Rect = size*4, image.Rect(0, 0, size, size)
	for i, j := 0, 0; i < len(rgb); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = rgb[i], rgb[i+1], rgb[i+2], 255
	}
	var buf bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		return nil, fmt.Errorf("encode patch: %w", err)
	}
	return buf.Bytes(), nil
}
