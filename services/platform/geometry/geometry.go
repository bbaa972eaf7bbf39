// Package geometry is the shape of a mark, shared by the annotation service
// that stores marks and the export service that reads them: integer
// millipixel coordinates, the GeoJSON codec, the compact stored encoding,
// validation, simplification and the grid key marks are clustered by.
package geometry

import (
	"math"
	"strconv"
)

// Kind is the shape a mark was drawn as. Rectangles, ellipses and freehand
// strokes are stored as polygons (as QuPath does); the kind keeps how the
// viewer should offer to edit them.
type Kind uint8

// Kinds; the numbers are stored.
const (
	KindPoint     Kind = 1
	KindPolygon   Kind = 2
	KindRectangle Kind = 3
	KindEllipse   Kind = 4
	KindPolyline  Kind = 5
	KindFreehand  Kind = 6
)

var kindNames = [...]string{"", "point", "polygon", "rectangle", "ellipse", "polyline", "freehand"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind reads a shape name; ok is false for unknown names.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// Area reports whether the kind is stored as a polygon.
func (k Kind) Area() bool {
	return k == KindPolygon || k == KindRectangle || k == KindEllipse || k == KindFreehand
}

// Scale is the number of stored units per level-0 pixel: coordinates are
// kept as integer millipixels, exact to three decimals, so comparisons and
// intersection tests are exact and a point costs 16 bytes, not 32.
const Scale = 1000

// MaxCoord bounds coordinates (a million pixels, far beyond any scanner)
// so cross products of millipixel differences fit in an int64.
const MaxCoord = 1_000_000 * Scale

// Pt is a position in millipixels.
type Pt struct{ X, Y int64 }

// ToUnits converts pixels to millipixels, rounding to the nearest.
func ToUnits(px float64) int64 { return int64(math.Round(px * Scale)) }

// Geometry is a mark's shape. Points have one ring of one position and a
// radius; polylines one open ring; area kinds closed rings, the first the
// outer boundary and the rest holes.
type Geometry struct {
	Kind   Kind
	Rings  [][]Pt
	Radius int64 // millipixels, points only
}

// BBox is an axis-aligned box in millipixels, edges included.
type BBox struct{ MinX, MinY, MaxX, MaxY int64 }

// Empty reports a zero box, which filters mean as "everywhere".
func (b BBox) Empty() bool { return b == BBox{} }

// Intersects reports whether the boxes share any point.
func (b BBox) Intersects(o BBox) bool {
	return b.MinX <= o.MaxX && o.MinX <= b.MaxX && b.MinY <= o.MaxY && o.MinY <= b.MaxY
}

// BBox is the geometry's bounding box; a point's includes its radius, so a
// viewport query finds a dot whose disc reaches into the view.
func (g Geometry) BBox() BBox {
	if g.Kind == KindPoint {
		p := g.Rings[0][0]
		return BBox{p.X - g.Radius, p.Y - g.Radius, p.X + g.Radius, p.Y + g.Radius}
	}
	b := BBox{math.MaxInt64, math.MaxInt64, math.MinInt64, math.MinInt64}
	for _, p := range g.Rings[0] { // holes lie inside the outer ring
		b.MinX, b.MaxX = min(b.MinX, p.X), max(b.MaxX, p.X)
		b.MinY, b.MaxY = min(b.MinY, p.Y), max(b.MaxY, p.Y)
	}
	return b
}

// Center is the middle of the bounding box (a point's own position).
func (g Geometry) Center() Pt {
	b := g.BBox()
	return Pt{(b.MinX + b.MaxX) / 2, (b.MinY + b.MaxY) / 2}
}

// Vertices counts positions over all rings.
func (g Geometry) Vertices() int {
	n := 0
	for _, r := range g.Rings {
		n += len(r)
	}
	return n
}

// AppendUnits writes millipixels as a decimal pixel value, exactly: no
// float formatting, so 26833.53 comes back as 26833.53.
func AppendUnits(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/Scale, 10)
	frac := v % Scale
	if frac == 0 {
		return b
	}
	digits := []byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	return append(append(b, '.'), digits...)
}

// FormatUnits is appendUnits as a string.
func FormatUnits(v int64) string { return string(AppendUnits(nil, v)) }

// Pixels converts millipixels to pixels.
func Pixels(v int64) float64 { return float64(v) / Scale }

func sqrt(v float64) float64 { return math.Sqrt(v) }
