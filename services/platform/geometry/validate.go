package geometry

import (
	"fmt"
	"sort"
)

// MaxRadius bounds a point's radius: a marker, not a region.
const MaxRadius = 10_000 * Scale

// Validate checks g against the bounds of a slide of width × height
// pixels and the geometry rules. The error message is meant for the
// caller; the caller says which feature.
func (g Geometry) Validate(width, height int64, maxVertices int) error {
	if n := g.Vertices(); n > maxVertices {
		return fmt.Errorf("%d vertices, more than the limit of %d", n, maxVertices)
	}
	if err := g.checkBounds(width, height); err != nil {
		return err
	}
	switch {
	case g.Kind == KindPoint:
		return g.checkPoint()
	case g.Kind == KindPolyline:
		return g.checkPolyline()
	case g.Kind.Area():
		return g.checkArea()
	}
	return fmt.Errorf("unknown shape %d", g.Kind)
}

func (g Geometry) checkBounds(width, height int64) error {
	w, h := width*Scale, height*Scale
	for _, r := range g.Rings {
		for _, p := range r {
			if p.X < 0 || p.Y < 0 || p.X > w || p.Y > h {
				return fmt.Errorf("position (%s, %s) is outside the slide (0..%d, 0..%d)", FormatUnits(p.X), FormatUnits(p.Y), width, height)
			}
		}
	}
	return nil
}

func (g Geometry) checkPoint() error {
	if len(g.Rings) != 1 || len(g.Rings[0]) != 1 {
		return fmt.Errorf("a point has exactly one position")
	}
	if g.Radius < 0 || g.Radius > MaxRadius {
		return fmt.Errorf("radius %s is not between 0 and %s", FormatUnits(g.Radius), FormatUnits(MaxRadius))
	}
	return nil
}

func (g Geometry) checkPolyline() error {
	if len(g.Rings) != 1 || distinct(g.Rings[0]) < 2 {
		return fmt.Errorf("a polyline needs at least 2 distinct positions")
	}
	return nil
}

func (g Geometry) checkArea() error {
	if len(g.Rings) == 0 {
		return fmt.Errorf("a polygon needs an outer ring")
	}
	if g.Kind == KindRectangle && (len(g.Rings) != 1 || distinct(g.Rings[0]) != 4) {
		return fmt.Errorf("a rectangle is one ring of 4 corners")
	}
	for i, r := range g.Rings {
		if err := checkRing(r); err != nil {
			return fmt.Errorf("ring %d: %w", i, err)
		}
	}
	if err := checkCrossings(g.Rings); err != nil {
		return err
	}
	return checkHoles(g.Rings)
}

func checkRing(r []Pt) error {
	switch {
	case len(r) < 4:
		return fmt.Errorf("needs at least 4 positions (3 corners and the closing one), has %d", len(r))
	case r[0] != r[len(r)-1]:
		return fmt.Errorf("is not closed: the last position must repeat the first")
	case distinct(r) < 3:
		return fmt.Errorf("is degenerate: fewer than 3 distinct corners")
	case collinear(r):
		return fmt.Errorf("is degenerate: all corners lie on one line (zero area)")
	}
	return nil
}

// distinct counts positions that differ from their predecessor, ignoring a
// closing repeat of the first.
func distinct(r []Pt) int {
	n := 0
	for i, p := range r {
		if i == 0 || p != r[i-1] {
			n++
		}
	}
	if n > 1 && r[0] == r[len(r)-1] {
		n--
	}
	return n
}

func collinear(r []Pt) bool {
	a := r[0]
	for _, b := range r[1:] {
		if b == a {
			continue
		}
		for _, c := range r {
			if orient(a, b, c) != 0 {
				return false
			}
		}
		return true
	}
	return true
}

// orient is the sign of the turn a→b→c: 1 left, -1 right, 0 straight.
// Coordinates are bounded by MaxCoord, so the products cannot overflow.
func orient(a, b, c Pt) int {
	v := (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

type segment struct {
	a, b       Pt
	ring, i, n int   // ring index, segment index, segments in ring
	lo, hi     int64 // extent along the sweep axis
}

// segments lists the rings' edges sorted for a sweep along x, or along y
// when alongY.
func segments(rings [][]Pt, alongY bool) []segment {
	var segs []segment
	for ri, r := range rings {
		r = dedupe(r)
		for i := 0; i+1 < len(r); i++ {
			s := segment{a: r[i], b: r[i+1], ring: ri, i: i, n: len(r) - 1}
			lo, hi := s.a.X, s.b.X
			if alongY {
				lo, hi = s.a.Y, s.b.Y
			}
			s.lo, s.hi = min(lo, hi), max(lo, hi)
			segs = append(segs, s)
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].lo < segs[j].lo })
	return segs
}

// sweepPairs counts the edge pairs a sweep over segs compares: for each
// edge, the edges starting within its extent.
func sweepPairs(segs []segment) int {
	n := 0
	for i, s := range segs {
		n += sort.Search(len(segs), func(k int) bool { return segs[k].lo > s.hi }) - i - 1
	}
	return n
}

func dedupe(r []Pt) []Pt {
	out := make([]Pt, 0, len(r))
	for i, p := range r {
		if i == 0 || p != r[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// EdgePairsPerEdge bounds the crossing check's work: on average an edge
// may be compared with this many others. Drawn outlines, spirals and
// serpentines need a few to a few dozen along their better axis; a valid
// comb of 20,000 vertices slanted so that its edges overlap along both
// axes needs 10,000 (200 million pairs, tens of seconds of CPU), and one
// request may carry a hundred of them.
const EdgePairsPerEdge = 64

// checkCrossings rejects any two edges that touch, other than neighbours
// sharing their corner. A sweep along the axis where the edges overlap
// least keeps it near n log n for the brush strokes and ellipses of
// thousands of vertices; the work is counted first and bounded.
func checkCrossings(rings [][]Pt) error {
	segs := segments(rings, false)
	pairs := sweepPairs(segs)
	if pairs > len(segs) { // the other axis may do better
		if ys := segments(rings, true); sweepPairs(ys) < pairs {
			segs, pairs = ys, sweepPairs(ys)
		}
	}
	if limit := EdgePairsPerEdge * max(len(segs), 64); pairs > limit {
		return fmt.Errorf("the shape is too convoluted to check for crossing edges (%d pairs of edges side by side, the limit is %d); simplify it or split it in parts", pairs, limit)
	}
	for i := range segs {
		for j := i + 1; j < len(segs) && segs[j].lo <= segs[i].hi; j++ {
			s, t := segs[i], segs[j]
			if adjacent(s, t) || !intersect(s.a, s.b, t.a, t.b) {
				continue
			}
			if s.ring == t.ring {
				return fmt.Errorf("ring %d intersects itself near (%s, %s)", s.ring, FormatUnits(s.a.X), FormatUnits(s.a.Y))
			}
			return fmt.Errorf("rings %d and %d cross or touch near (%s, %s)", min(s.ring, t.ring), max(s.ring, t.ring), FormatUnits(s.a.X), FormatUnits(s.a.Y))
		}
	}
	return nil
}

func adjacent(s, t segment) bool {
	if s.ring != t.ring {
		return false
	}
	d := s.i - t.i
	if d == 1 || d == -1 {
		return !overlapCollinear(s, t)
	}
	return (s.i == 0 && t.i == s.n-1) || (t.i == 0 && s.i == t.n-1)
}

// overlapCollinear catches a spike: neighbours that fold back on each other.
func overlapCollinear(s, t segment) bool {
	if orient(s.a, s.b, t.a) != 0 || orient(s.a, s.b, t.b) != 0 {
		return false
	}
	shared, other := s.b, t.b
	if s.i > t.i {
		shared, other = s.a, t.a
	}
	far := s.a
	if s.i > t.i {
		far = s.b
	}
	return dot(shared, far, other) > 0
}

func dot(o, a, b Pt) int64 { return (a.X-o.X)*(b.X-o.X) + (a.Y-o.Y)*(b.Y-o.Y) }

func intersect(p1, p2, q1, q2 Pt) bool {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && onSegment(p1, p2, q1)) || (o2 == 0 && onSegment(p1, p2, q2)) ||
		(o3 == 0 && onSegment(q1, q2, p1)) || (o4 == 0 && onSegment(q1, q2, p2))
}

func onSegment(a, b, p Pt) bool {
	return min(a.X, b.X) <= p.X && p.X <= max(a.X, b.X) && min(a.Y, b.Y) <= p.Y && p.Y <= max(a.Y, b.Y)
}

// checkHoles requires every hole inside the outer ring and outside the
// other holes; with no crossings, one corner decides.
func checkHoles(rings [][]Pt) error {
	for i := 1; i < len(rings); i++ {
		p := rings[i][0]
		if !Inside(rings[0], p) {
			return fmt.Errorf("hole %d lies outside the outer ring", i)
		}
		for j := 1; j < len(rings); j++ {
			if j != i && Inside(rings[j], p) {
				return fmt.Errorf("hole %d lies inside hole %d", i, j)
			}
		}
	}
	return nil
}

// Inside reports whether p lies inside the closed ring (even-odd rule).
func Inside(ring []Pt, p Pt) bool {
	in := false
	for i := 0; i+1 < len(ring); i++ {
		a, b := ring[i], ring[i+1]
		if (a.Y > p.Y) == (b.Y > p.Y) {
			continue
		}
		// Crossing to the right of p: compare without dividing.
		o := orient(a, b, p)
		if (b.Y > a.Y && o > 0) || (b.Y < a.Y && o < 0) {
			in = !in
		}
	}
	return in
}
