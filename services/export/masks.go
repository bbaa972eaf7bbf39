package export

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// MaxMaskPixels bounds one mask's memory (a 100,000-pixel slide at a
// downsample of 4 is 625 megapixels: ask for a larger downsample).
const MaxMaskPixels = 400_000_000

// Mask renders a slide's label mask at downsample ds: pixel (i, j) covers
// level-0 pixels [i·ds, (i+1)·ds) and takes the class id of the last mark
// (in mark order, area shapes before points) containing its centre; 0 is
// unlabelled. 8-bit grey when every class id fits, else 16-bit.
func Mask(sl *Slide, marks []Mark, cats map[int64]*Category, ds int) ([]byte, error) {
	m, err := slideLabels(sl, ds)
	if err != nil {
		return nil, err
	}
	paint(m, marks, cats)
	return m.png()
}

// slideLabels is an empty label raster of the whole slide at downsample
// ds, refused when it would be too large (MaxMaskPixels).
func slideLabels(sl *Slide, ds int) (*labels, error) {
	w, h := ceilDiv(sl.Width, int64(ds)), ceilDiv(sl.Height, int64(ds))
	if w*h > MaxMaskPixels || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("mask of %d×%d pixels: out of bounds; choose a larger mask_downsample", w, h)
	}
	return newLabels(int(w), int(h), ds), nil
}

// painter is a label raster the marks are drawn on (labels for the
// slide's mask, floatLabels for a tile's).
type painter interface {
	disc(c geometry.Pt, r int64, v uint16)
	fill(g geometry.Geometry, v uint16)
}

// paint draws the marks by the rule of every label raster: area shapes
// first, then dots (so a dot inside a region shows), in each the hard
// negatives (rejected suggestions) before the marks (so a person's mark
// shows over a suggestion rejected there), each group in mark order, the
// later mark winning, with its category's class id; marks whose category
// has no class id are left out.
func paint(p painter, marks []Mark, cats map[int64]*Category) {
	for pass := range 4 {
		pointsPass, negativesPass := pass >= 2, pass%2 == 0
		for i := range marks {
			g := &marks[i].Geometry
			c := cats[marks[i].CategoryID]
			negative := marks[i].Source != nil && marks[i].Source.Rejected
			if c == nil || c.ClassID <= 0 || (g.Kind == geometry.KindPoint) != pointsPass || negative != negativesPass {
				continue
			}
			if g.Kind == geometry.KindPoint {
				p.disc(g.Rings[0][0], g.Radius, uint16(c.ClassID))
			} else if g.Kind.Area() {
				p.fill(*g, uint16(c.ClassID))
			}
		}
	}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

type labels struct {
	w, h, ds int
	pix      []uint16
	max      uint16
}

func newLabels(w, h, ds int) *labels { return &labels{w: w, h: h, ds: ds, pix: make([]uint16, w*h)} }

// centre is the level-0 position (millipixels) of a mask pixel's centre.
func (l *labels) centre(i int) int64 { return (2*int64(i) + 1) * int64(l.ds) * geometry.Scale / 2 }

func (l *labels) set(x, y int, v uint16) {
	if x >= 0 && y >= 0 && x < l.w && y < l.h {
		l.pix[y*l.w+x] = v
		l.max = max(l.max, v)
	}
}

// disc sets the pixels whose centre lies within the radius, and always
// the pixel holding the point, so a dot smaller than a mask pixel shows.
func (l *labels) disc(c geometry.Pt, r int64, v uint16) {
	scale := int64(l.ds) * geometry.Scale
	l.set(int(c.X/scale), int(c.Y/scale), v)
	for j := int((c.Y - r) / scale); j <= int((c.Y+r)/scale); j++ {
		for i := int((c.X - r) / scale); i <= int((c.X+r)/scale); i++ {
			dx, dy := float64(l.centre(i)-c.X), float64(l.centre(j)-c.Y)
			if dx*dx+dy*dy <= float64(r)*float64(r) {
				l.set(i, j, v)
			}
		}
	}
}

// fill is an even-odd scanline fill over every ring (holes stay unset).
func (l *labels) fill(g geometry.Geometry, v uint16) {
	b := g.BBox()
	scale := int64(l.ds) * geometry.Scale
	for j := max(int(b.MinY/scale), 0); j <= min(int(b.MaxY/scale), l.h-1); j++ {
		y := l.centre(j)
		xs := crossings(g, float64(y))
		for k := 0; k+1 < len(xs); k += 2 {
			// pixels whose centre x lies in [xs[k], xs[k+1])
			i0 := int(math.Floor(xs[k]/float64(scale) - 0.5))
			for i := max(i0, 0); i < l.w && float64(l.centre(i)) < xs[k+1]; i++ {
				if float64(l.centre(i)) >= xs[k] {
					l.set(i, j, v)
				}
			}
		}
	}
}

// crossings lists where the rings' edges cross row y (millipixels), sorted.
// Coordinates are whole millipixels, far below 2^53, so the arithmetic in
// float64 is exact where it is in integers.
func crossings(g geometry.Geometry, y float64) []float64 {
	var xs []float64
	for _, r := range g.Rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (float64(a.Y) > y) != (float64(b.Y) > y) {
				xs = append(xs, float64(a.X)+(y-float64(a.Y))*float64(b.X-a.X)/float64(b.Y-a.Y))
			}
		}
	}
	slices.Sort(xs)
	return xs
}

func (l *labels) png() ([]byte, error) {
	var img image.Image
	if l.max <= 255 {
		g := image.NewGray(image.Rect(0, 0, l.w, l.h))
		for i, v := range l.pix {
			g.Pix[i] = uint8(v)
		}
		img = g
	} else {
		img = gray16(l.pix, l.w, l.h)
	}
	return encodePNG(img, "mask")
}

// gray16 is a label raster as a 16-bit grey image, for class ids above
// 255.
func gray16(pix []uint16, w, h int) *image.Gray16 {
	g := image.NewGray16(image.Rect(0, 0, w, h))
	for i, v := range pix {
		g.SetGray16(i%w, i/w, color.Gray16{Y: v})
	}
	return g
}

// encodePNG encodes img; what names it in the error.
func encodePNG(img image.Image, what string) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return buf.Bytes(), nil
}
