package export

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// MaskTile is one image tile of a slide with its label tile: Size×Size
// pixels covering Origin×Origin level-0 pixels whose top-left corner is
// at X, Y.
type MaskTile struct {
	Slide        *Slide
	X, Y, Origin int
	Size         int
	MPP          float64 // of the tile; 0 when the slide has no calibration
}

// MaskTiles lists the tiles of the grid of origin-pixel squares of sl that
// any of its marks in cats touches (an area shape's bounding box, a dot's
// disc), row by row: QuPath's "annotated tiles only".
func MaskTiles(sl *Slide, marks []Mark, cats map[int64]*Category, p *Params) ([]MaskTile, error) {
	origin, err := tileOrigin(sl, p)
	if err != nil {
		return nil, err
	}
	o := int64(origin) * geometry.Scale
	cols, rows := ceilDiv(sl.Width, int64(origin)), ceilDiv(sl.Height, int64(origin))
	used := map[[2]int64]bool{}
	for i := range marks {
		if c := cats[marks[i].CategoryID]; c == nil || c.ClassID <= 0 {
			continue
		}
		b := marks[i].Geometry.BBox()
		if marks[i].Geometry.Kind == geometry.KindPoint {
			r := marks[i].Geometry.Radius
			b.MinX, b.MinY, b.MaxX, b.MaxY = b.MinX-r, b.MinY-r, b.MaxX+r, b.MaxY+r
		}
		for ty := max(b.MinY/o, 0); ty <= min(b.MaxY/o, rows-1); ty++ {
			for tx := max(b.MinX/o, 0); tx <= min(b.MaxX/o, cols-1); tx++ {
				used[[2]int64{tx, ty}] = true
			}
		}
	}
	var out []MaskTile
	for ty := int64(0); ty < rows; ty++ {
		for tx := int64(0); tx < cols; tx++ {
			if used[[2]int64{tx, ty}] {
				out = append(out, MaskTile{Slide: sl, X: int(tx) * origin, Y: int(ty) * origin, Origin: origin,
					Size: p.MaskTileSize, MPP: PatchMPP(sl, origin, p.MaskTileSize)})
			}
		}
	}
	return out, nil
}

// tileOrigin is the level-0 side of a mask tile: its size, or at
// target_mpp the level-0 pixels that many µm take.
func tileOrigin(sl *Slide, p *Params) (int, error) {
	if p.TargetMPP == nil {
		return p.MaskTileSize, nil
	}
	if sl.MPPX == nil || *sl.MPPX <= 0 {
		return 0, fmt.Errorf("slide has no microns-per-pixel calibration, so target_mpp cannot apply")
	}
	return max(1, int(math.Round(float64(p.MaskTileSize)**p.TargetMPP / *sl.MPPX))), nil
}

// MaskTilePaths are where a tile's image and label go: the same file name
// under images/ and labels/, the layout segmentation loaders pair by name.
func MaskTilePaths(t MaskTile, split, ext string) (img, label string) {
	root := "mask_tiles/" + strconv.Itoa(t.Size)
	if split != "" {
		root += "/" + split
	}
	name := fmt.Sprintf("%s_%d_%d", SlideStem(t.Slide), t.X, t.Y)
	return root + "/images/" + name + "." + ext, root + "/labels/" + name + ".png"
}

// LabelTile renders the label tile of t: pixel (i, j) takes the class id
// of the last mark containing the level-0 point at its centre, by the
// rule of Mask (area shapes first, then dots), 0 where there is none.
// It is a palette PNG coloured like the categories (LabelPNG).
func LabelTile(t MaskTile, marks []Mark, cats map[int64]*Category, s *Snapshot) ([]byte, error) {
	step := float64(t.Origin) * geometry.Scale / float64(t.Size)
	l := &floatLabels{w: t.Size, h: t.Size, step: step,
		ox: int64(t.X) * geometry.Scale, oy: int64(t.Y) * geometry.Scale, pix: make([]uint16, t.Size*t.Size)}
	paint(l, marks, cats)
	return LabelPNG(l.pix, l.w, l.h, s)
}

// floatLabels is a label raster whose pixels are step millipixels wide,
// its corner at (ox, oy) millipixels of level 0.
type floatLabels struct {
	w, h   int
	step   float64
	ox, oy int64
	pix    []uint16
}

func (l *floatLabels) cx(i int) float64 { return float64(l.ox) + (float64(i)+0.5)*l.step }
func (l *floatLabels) cy(j int) float64 { return float64(l.oy) + (float64(j)+0.5)*l.step }

func (l *floatLabels) set(i, j int, v uint16) {
	if i >= 0 && j >= 0 && i < l.w && j < l.h {
		l.pix[j*l.w+i] = v
	}
}

// disc sets the pixels whose centre lies within the radius, and always the
// pixel holding the point, so a dot smaller than a pixel shows.
func (l *floatLabels) disc(c geometry.Pt, r int64, v uint16) {
	px := func(u int64, o int64) int { return int(math.Floor(float64(u-o) / l.step)) }
	l.set(px(c.X, l.ox), px(c.Y, l.oy), v)
	for j := px(c.Y-r, l.oy); j <= px(c.Y+r, l.oy); j++ {
		for i := px(c.X-r, l.ox); i <= px(c.X+r, l.ox); i++ {
			dx, dy := l.cx(i)-float64(c.X), l.cy(j)-float64(c.Y)
			if dx*dx+dy*dy <= float64(r)*float64(r) {
				l.set(i, j, v)
			}
		}
	}
}

// fill is an even-odd scanline fill over every ring (holes stay unset).
func (l *floatLabels) fill(g geometry.Geometry, v uint16) {
	for j := 0; j < l.h; j++ {
		y := l.cy(j)
		xs := crossings(g, y)
		for k := 0; k+1 < len(xs); k += 2 {
			i0 := max(int(math.Floor((xs[k]-float64(l.ox))/l.step-0.5)), 0)
			for i := i0; i < l.w && l.cx(i) < xs[k+1]; i++ {
				if l.cx(i) >= xs[k] {
					l.set(i, j, v)
				}
			}
		}
	}
}

// LabelPNG encodes a label raster as a palette PNG: the pixel index is the
// class id (what PIL's Image.open gives as numbers), and the palette gives
// each class its category's colour, so the file is also a picture; index 0
// (unlabelled) is black. Class ids above 255 do not fit a palette: 16-bit
// grey then.
func LabelPNG(pix []uint16, w, h int, s *Snapshot) ([]byte, error) {
	top := uint16(0)
	for _, v := range pix {
		top = max(top, v)
	}
	var img image.Image
	if top > 255 {
		img = gray16(pix, w, h)
	} else {
		p := image.NewPaletted(image.Rect(0, 0, w, h), Palette(s))
		for i, v := range pix {
			p.Pix[i] = uint8(v)
		}
		img = p
	}
	return encodePNG(img, "label tile")
}

// Palette has 256 entries: 0 black, each class id its category's colour,
// the ids no category uses mid grey.
func Palette(s *Snapshot) color.Palette {
	pal := make(color.Palette, 256)
	pal[0] = color.RGBA{A: 255}
	for i := 1; i < 256; i++ {
		pal[i] = color.RGBA{R: 128, G: 128, B: 128, A: 255}
	}
	for _, c := range s.Categories {
		if c.ClassID > 0 && c.ClassID < 256 {
			pal[c.ClassID] = parseColour(c.Color)
		}
	}
	return pal
}

// parseColour reads #rrggbb; anything else is mid grey.
func parseColour(s string) color.RGBA {
	grey := color.RGBA{R: 128, G: 128, B: 128, A: 255}
	if len(s) != 7 || s[0] != '#' {
		return grey
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return grey
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// PaletteMaskPath is where the coloured copy of a slide's mask goes.
func PaletteMaskPath(sl *Slide) string { return "masks/palette/" + SlideStem(sl) + ".png" }

// PaletteMask renders a slide's mask (Mask's rule and downsample) as a
// palette PNG coloured like the categories; nil when a class id exceeds
// 255, which a palette cannot hold (the grey mask has them).
func PaletteMask(sl *Slide, marks []Mark, cats map[int64]*Category, ds int, s *Snapshot) ([]byte, error) {
	m, err := slideLabels(sl, ds)
	if err != nil {
		return nil, err
	}
	paint(m, marks, cats)
	if m.max > 255 {
		return nil, nil
	}
	return LabelPNG(m.pix, m.w, m.h, s)
}
