package geometry

// Simplify drops vertices that deviate less than tol millipixels from the
// line through their neighbours (Douglas–Peucker), for zoomed-out views.
// Rings keep at least their first, last and two more positions, so a
// polygon stays a polygon; points are returned unchanged.
func (g Geometry) Simplify(tol int64) Geometry {
	if g.Kind == KindPoint || tol <= 0 {
		return g
	}
	out := Geometry{Kind: g.Kind, Radius: g.Radius, Rings: make([][]Pt, len(g.Rings))}
	for i, r := range g.Rings {
		out.Rings[i] = simplifyRing(r, tol, g.Kind.Area())
	}
	return out
}

func simplifyRing(r []Pt, tol int64, closed bool) []Pt {
	if len(r) <= 4 {
		return r
	}
	keep := make([]bool, len(r))
	keep[0], keep[len(r)-1] = true, true
	if closed { // a closed ring's ends coincide: split it at its farthest corner
		far := farthest(r, 0, len(r)-1)
		keep[far] = true
		dp(r, 0, far, float64(tol), keep)
		dp(r, far, len(r)-1, float64(tol), keep)
	} else {
		dp(r, 0, len(r)-1, float64(tol), keep)
	}
	out := make([]Pt, 0, len(r))
	for i, p := range r {
		if keep[i] {
			out = append(out, p)
		}
	}
	if closed && len(out) < 4 {
		return r
	}
	return out
}

func farthest(r []Pt, lo, hi int) int {
	best, far := int64(-1), lo
	for i := lo + 1; i < hi; i++ {
		dx, dy := r[i].X-r[lo].X, r[i].Y-r[lo].Y
		if d := dx*dx + dy*dy; d > best {
			best, far = d, i
		}
	}
	return far
}

func dp(r []Pt, lo, hi int, tol float64, keep []bool) {
	if hi-lo < 2 {
		return
	}
	best, idx := -1.0, lo
	for i := lo + 1; i < hi; i++ {
		if d := lineDistance(r[lo], r[hi], r[i]); d > best {
			best, idx = d, i
		}
	}
	if best <= tol {
		return
	}
	keep[idx] = true
	dp(r, lo, idx, tol, keep)
	dp(r, idx, hi, tol, keep)
}

func lineDistance(a, b, p Pt) float64 {
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	px, py := float64(p.X-a.X), float64(p.Y-a.Y)
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return sqrt(px*px + py*py)
	}
	cross := dx*py - dy*px
	if cross < 0 {
		cross = -cross
	}
	return cross / sqrt(l2)
}
