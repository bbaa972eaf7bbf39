package export

import (
	"math/rand/v2"
	"slices"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// Centre is a patch centre in level-0 pixels and the mark it came from.
type Centre struct {
	X, Y int64
	Mark *Mark
}

// Centres lists the patch centres of a slide's marks, in mark order: a
// point's own position; for area shapes a grid of stride pixels anchored
// at the box's corner, or Samples random positions drawn with a generator
// seeded by (Seed, mark id), kept only inside the shape (holes excluded).
// Polylines have no inside and give no patches.
func Centres(marks []Mark, p *Params) []Centre {
	var out []Centre
	for i := range marks {
		m := &marks[i]
		switch {
		case m.Geometry.Kind == geometry.KindPoint:
			c := m.Geometry.Rings[0][0]
			out = append(out, Centre{roundPx(c.X), roundPx(c.Y), m})
		case !m.Geometry.Kind.Area():
		case p.Sampling == "random":
			out = append(out, randomCentres(m, p)...)
		default:
			out = append(out, gridCentres(m, p.Stride)...)
		}
	}
	return out
}

// roundPx rounds millipixels to the nearest pixel, halves away from zero.
func roundPx(v int64) int64 {
	if v < 0 {
		return -roundPx(-v)
	}
	return (v + geometry.Scale/2) / geometry.Scale
}

func gridCentres(m *Mark, stride int) []Centre {
	b := m.Geometry.BBox()
	var out []Centre
	step := int64(stride)
	x0, y0 := roundPx(b.MinX)+step/2, roundPx(b.MinY)+step/2
	for y := y0; y*geometry.Scale <= b.MaxY; y += step {
		for x := x0; x*geometry.Scale <= b.MaxX; x += step {
			if Inside(m.Geometry, geometry.Pt{X: x * geometry.Scale, Y: y * geometry.Scale}) {
				out = append(out, Centre{x, y, m})
			}
		}
	}
	return out
}

func randomCentres(m *Mark, p *Params) []Centre {
	b := m.Geometry.BBox()
	r := rand.New(rand.NewPCG(uint64(p.Seed), uint64(m.ID)))
	w, h := roundPx(b.MaxX)-roundPx(b.MinX)+1, roundPx(b.MaxY)-roundPx(b.MinY)+1
	var out []Centre
	seen := map[[2]int64]bool{}
	for try := 0; try < p.Samples*100 && len(out) < p.Samples; try++ {
		x, y := roundPx(b.MinX)+r.Int64N(w), roundPx(b.MinY)+r.Int64N(h)
		if seen[[2]int64{x, y}] || !Inside(m.Geometry, geometry.Pt{X: x * geometry.Scale, Y: y * geometry.Scale}) {
			continue
		}
		seen[[2]int64{x, y}] = true
		out = append(out, Centre{x, y, m})
	}
	slices.SortFunc(out, func(a, b Centre) int { return int(cmpPt(a, b)) })
	return out
}

func cmpPt(a, b Centre) int64 {
	if a.Y != b.Y {
		return sign(a.Y - b.Y)
	}
	return sign(a.X - b.X)
}

func sign(v int64) int64 {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// Inside is the even-odd rule over every ring, so holes are outside.
func Inside(g geometry.Geometry, p geometry.Pt) bool {
	in := false
	for _, r := range g.Rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a.Y > p.Y) != (b.Y > p.Y) && crossesRight(a, b, p) {
				in = !in
			}
		}
	}
	return in
}

// crossesRight reports whether edge a–b passes right of p on p's row,
// compared exactly with integer products.
func crossesRight(a, b, p geometry.Pt) bool {
	// x_cross = a.X + (p.Y-a.Y)*(b.X-a.X)/(b.Y-a.Y) > p.X, without division.
	num := (p.Y - a.Y) * (b.X - a.X)
	den := b.Y - a.Y
	lhs := (p.X - a.X) * den
	if den > 0 {
		return num > lhs
	}
	return num < lhs
}
