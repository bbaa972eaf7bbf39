package geometry

import "math"

// A pathologist outlining a tumour at the tissue's edge lets the stroke run
// off the slide; refusing the whole outline for that loses minutes of work.
// Area shapes and lines are cut at the slide's edge instead; points must lie
// on the slide (a dot off it marks nothing) and are still refused there.

// Clip answers g cut to the rectangle of a slide of width × height pixels: area rings clipped
// (Sutherland–Hodgman against a rectangle is exact for it), holes that fall
// wholly off the slide dropped, and a line kept to its longest run on the
// slide. A shape wholly off the slide comes back as it was, for Validate to
// refuse with the position. Ellipses that lose part of their outline become
// polygons, and rectangles stay rectangles (a rectangle cut by a rectangle
// is one).
func (g Geometry) Clip(width, height int64) Geometry {
	w, h := width*Scale, height*Scale
	if g.Kind == KindPoint || g.inside(w, h) {
		return g
	}
	if g.Kind == KindPolyline {
		if run := longestRun(g.Rings[0], w, h); len(run) >= 2 {
			return Geometry{Kind: g.Kind, Rings: [][]Pt{run}}
		}
		return g
	}
	out := Geometry{Kind: g.Kind}
	for i, r := range g.Rings {
		c := clipRing(r, w, h)
		if distinct(c) < 3 {
			if i == 0 {
				return g
			}
			continue
		}
		out.Rings = append(out.Rings, c)
	}
	if g.Kind == KindEllipse {
		out.Kind = KindPolygon
	}
	return out
}

func (g Geometry) inside(w, h int64) bool {
	for _, r := range g.Rings {
		for _, p := range r {
			if p.X < 0 || p.Y < 0 || p.X > w || p.Y > h {
				return false
			}
		}
	}
	return true
}

// edge is one side of the slide: in tells a position on the slide's side,
// cut the crossing of segment a–b with the side.
type edge struct {
	in  func(Pt) bool
	cut func(a, b Pt) Pt
}

func slideEdges(w, h int64) []edge {
	atX := func(x int64) func(a, b Pt) Pt {
		return func(a, b Pt) Pt { return Pt{X: x, Y: a.Y + muldiv(b.Y-a.Y, x-a.X, b.X-a.X)} }
	}
	atY := func(y int64) func(a, b Pt) Pt {
		return func(a, b Pt) Pt { return Pt{X: a.X + muldiv(b.X-a.X, y-a.Y, b.Y-a.Y), Y: y} }
	}
	return []edge{
		{func(p Pt) bool { return p.X >= 0 }, atX(0)},
		{func(p Pt) bool { return p.X <= w }, atX(w)},
		{func(p Pt) bool { return p.Y >= 0 }, atY(0)},
		{func(p Pt) bool { return p.Y <= h }, atY(h)},
	}
}

// muldiv is a*b/c rounded to the nearest. Floating point: the product of
// two differences of up to MaxCoord would overflow an int64, and a float64
// is exact to far below a millipixel here.
func muldiv(a, b, c int64) int64 {
	return int64(math.Round(float64(a) * float64(b) / float64(c)))
}

// clipRing clips a closed ring against the slide, one side at a time.
func clipRing(r []Pt, w, h int64) []Pt {
	pts := r[:len(r)-1] // the closing repeat comes back at the end
	for _, e := range slideEdges(w, h) {
		if len(pts) == 0 {
			break
		}
		var next []Pt
		for i, b := range pts {
			a := pts[(i+len(pts)-1)%len(pts)]
			switch {
			case e.in(b) && !e.in(a):
				next = append(next, e.cut(a, b), b)
			case e.in(b):
				next = append(next, b)
			case e.in(a):
				next = append(next, e.cut(a, b))
			}
		}
		pts = dropRepeats(next)
	}
	if len(pts) == 0 {
		return nil
	}
	return append(pts, pts[0])
}

// dropRepeats drops positions equal to the one before (cuts at a corner repeat them).
func dropRepeats(pts []Pt) []Pt {
	out := pts[:0:0]
	for i, p := range pts {
		if i == 0 || p != pts[i-1] {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

// longestRun is the longest stretch of an open line on the slide, each
// crossing of the edge cut exactly.
func longestRun(line []Pt, w, h int64) []Pt {
	var best, cur []Pt
	var bestLen, curLen float64
	for i := 1; i < len(line); i++ {
		a, b, ok := clipSegment(line[i-1], line[i], w, h)
		if !ok {
			cur, curLen = nil, 0
			continue
		}
		if len(cur) == 0 || cur[len(cur)-1] != a {
			cur, curLen = []Pt{a}, 0
		}
		cur = append(cur, b)
		curLen += sqrt(float64(b.X-a.X)*float64(b.X-a.X) + float64(b.Y-a.Y)*float64(b.Y-a.Y))
		if curLen > bestLen || best == nil {
			best, bestLen = append([]Pt(nil), cur...), curLen
		}
	}
	return dropRepeats(best)
}

// clipSegment cuts segment a–b to the slide (Liang–Barsky); ok is false when
// no part of it lies on the slide.
func clipSegment(a, b Pt, w, h int64) (Pt, Pt, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	for _, c := range [4][2]float64{{-dx, float64(a.X)}, {dx, float64(w - a.X)}, {-dy, float64(a.Y)}, {dy, float64(h - a.Y)}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
	}
	if t0 > t1 {
		return a, b, false
	}
	at := func(t float64) Pt {
		return Pt{X: a.X + int64(math.Round(t*dx)), Y: a.Y + int64(math.Round(t*dy))}
	}
	return at(t0), at(t1), true
}
