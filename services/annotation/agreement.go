package annotation

import (
	"math"
	"sort"
)

// Agreement compares two annotators' marks on one slide: A is taken as the
// reference, B as the one measured against it.
type Agreement struct {
	Distance   float64             `json:"distance"` // pixels within which two points match
	Categories []CategoryAgreement `json:"categories"`
	// Kappa is Cohen's kappa of the categories of points matched regardless
	// of category; nil when nothing matched or agreement by chance is 1.
	Kappa   *float64 `json:"kappa"`
	Matched int      `json:"matched_points"`
}

// CategoryAgreement holds one category's figures. Ratios are nil when
// their denominator is zero, never a made-up 0 or 1.
type CategoryAgreement struct {
	CategoryID int64    `json:"category_id"`
	PointsA    int      `json:"points_a"`
	PointsB    int      `json:"points_b"`
	Matched    int      `json:"matched"`
	Precision  *float64 `json:"precision"`
	Recall     *float64 `json:"recall"`
	F1         *float64 `json:"f1"`
	AreaA      float64  `json:"area_a"` // px², regions (polygons) only
	AreaB      float64  `json:"area_b"`
	AreaBoth   float64  `json:"area_intersection"`
	IoU        *float64 `json:"iou"`
	Dice       *float64 `json:"dice"`
}

// CompareAnnotators computes the agreement of a and b; distance is in
// millipixels.
func CompareAnnotators(a, b []Mark, distance int64) Agreement {
	out, _ := compare(a, b, distance)
	return out
}

// SlideMarks are two parties' marks on one slide of a pooled comparison.
type SlideMarks struct {
	SlideID int64
	A, B    []Mark
}

// SlideAgreement is one slide's part of a ProjectAgreement.
type SlideAgreement struct {
	SlideID int64 `json:"slide_id"`
	Agreement
}

// ProjectAgreement is the agreement over several slides (a project's):
// counts and areas of every slide added up, the ratios and kappa computed
// from those sums, as if the slides were one; and each slide's own.
type ProjectAgreement struct {
	Agreement
	Slides []SlideAgreement `json:"slides"`
}

// CompareSlides pools the agreement of each slide's two parties. Kappa is
// computed over the matched pairs of every slide together, so it is the
// project's kappa, not a mean of the slides'.
func CompareSlides(slides []SlideMarks, distance int64) ProjectAgreement {
	out := ProjectAgreement{Agreement: Agreement{Distance: Pixels(distance)}, Slides: []SlideAgreement{}}
	sums := map[int64]*CategoryAgreement{}
	var pairs []pair
	for _, sm := range slides {
		ag, ps := compare(sm.A, sm.B, distance)
		out.Slides = append(out.Slides, SlideAgreement{SlideID: sm.SlideID, Agreement: ag})
		pairs = append(pairs, ps...)
		for _, ca := range ag.Categories {
			t := sums[ca.CategoryID]
			if t == nil {
				t = &CategoryAgreement{CategoryID: ca.CategoryID}
				sums[ca.CategoryID] = t
			}
			t.PointsA, t.PointsB, t.Matched = t.PointsA+ca.PointsA, t.PointsB+ca.PointsB, t.Matched+ca.Matched
			t.AreaA, t.AreaB, t.AreaBoth = t.AreaA+ca.AreaA, t.AreaB+ca.AreaB, t.AreaBoth+ca.AreaBoth
		}
	}
	cats := make([]int64, 0, len(sums))
	for c := range sums {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool { return cats[i] < cats[j] })
	for _, c := range cats {
		t := *sums[c]
		t.Precision, t.Recall = ratio(t.Matched, t.PointsB), ratio(t.Matched, t.PointsA)
		t.F1 = ratio(2*t.Matched, t.PointsA+t.PointsB)
		if union := t.AreaA + t.AreaB - t.AreaBoth; union > 0 {
			iou, dice := t.AreaBoth/union, 2*t.AreaBoth/(t.AreaA+t.AreaB)
			t.IoU, t.Dice = &iou, &dice
		}
		out.Categories = append(out.Categories, t)
	}
	out.Matched = len(pairs)
	out.Kappa = kappa(pairs, cats)
	return out
}

// compare is CompareAnnotators that also hands back the points matched
// regardless of category, which kappa is computed from.
func compare(a, b []Mark, distance int64) (Agreement, []pair) {
	out := Agreement{Distance: Pixels(distance)}
	pa, pb := pointsOf(a), pointsOf(b)
	cats := categoriesOf(a, b)
	for _, c := range cats {
		ca := CategoryAgreement{CategoryID: c, PointsA: count(pa, c), PointsB: count(pb, c)}
		ca.Matched = len(matchPoints(pa, pb, distance, c))
		ca.Precision, ca.Recall = ratio(ca.Matched, ca.PointsB), ratio(ca.Matched, ca.PointsA)
		ca.F1 = ratio(2*ca.Matched, ca.PointsA+ca.PointsB)
		regionOverlap(&ca, areasOf(a, c), areasOf(b, c))
		out.Categories = append(out.Categories, ca)
	}
	pairs := matchPoints(pa, pb, distance, 0)
	out.Matched = len(pairs)
	out.Kappa = kappa(pairs, cats)
	return out, pairs
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

func pointsOf(marks []Mark) []Mark {
	var out []Mark
	for _, m := range marks {
		if m.Geometry.Kind == KindPoint {
			out = append(out, m)
		}
	}
	return out
}

func areasOf(marks []Mark, cat int64) []Geometry {
	var out []Geometry
	for _, m := range marks {
		if m.CategoryID == cat && m.Geometry.Kind.Area() {
			out = append(out, m.Geometry)
		}
	}
	return out
}

func count(marks []Mark, cat int64) int {
	n := 0
	for _, m := range marks {
		if m.CategoryID == cat {
			n++
		}
	}
	return n
}

func categoriesOf(a, b []Mark) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, m := range append(append([]Mark(nil), a...), b...) {
		if !seen[m.CategoryID] {
			seen[m.CategoryID] = true
			out = append(out, m.CategoryID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

type pair struct {
	a, b *Mark
	d2   int64
}

// matchK is how many nearest points of b each point of a may be matched
// with. Keeping all pairs within distance grew with n·m (3,000 points each
// and a large distance: 9 million candidates, gigabytes); keeping the k
// nearest bounds the candidates to k·n, and a point whose 8 nearest
// neighbours were all taken by closer pairs is left unmatched, as a
// pathologist would not count it as the same cell either.
const matchK = 8

// matchPoints pairs points of a and b (of category cat, any when 0) within
// distance, closest pairs first, each point used once: the usual greedy
// matching of cell-detection benchmarks, among each point's matchK nearest
// candidates. A grid of half-distance cells searched ring by ring finds
// them without looking further than needed.
func matchPoints(a, b []Mark, distance int64, cat int64) []pair {
	as, bs := pointsIn(a, cat), pointsIn(b, cat)
	g := newPointGrid(bs, max(distance/2, 1))
	var cands []pair
	for _, ma := range as {
		cands = g.nearest(ma, distance, cands)
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].d2 != cands[j].d2 {
			return cands[i].d2 < cands[j].d2
		}
		return cands[i].a.ID < cands[j].a.ID || (cands[i].a.ID == cands[j].a.ID && cands[i].b.ID < cands[j].b.ID)
	})
	usedA, usedB := make(map[*Mark]bool, len(as)), make(map[*Mark]bool, len(bs))
	var out []pair
	for _, p := range cands {
		if !usedA[p.a] && !usedB[p.b] {
			usedA[p.a], usedB[p.b] = true, true
			out = append(out, p)
		}
	}
	return out
}

func pointsIn(marks []Mark, cat int64) []*Mark {
	var out []*Mark
	for i := range marks {
		if cat == 0 || marks[i].CategoryID == cat {
			out = append(out, &marks[i])
		}
	}
	return out
}

// pointGrid buckets points by cell.
type pointGrid struct {
	cell  int64
	cells map[[2]int64][]*Mark
}

func newPointGrid(points []*Mark, cell int64) pointGrid {
	g := pointGrid{cell: cell, cells: map[[2]int64][]*Mark{}}
	for _, m := range points {
		k := g.key(m.Geometry.Rings[0][0])
		g.cells[k] = append(g.cells[k], m)
	}
	return g
}

func (g pointGrid) key(p Pt) [2]int64 { return [2]int64{floorDiv(p.X, g.cell), floorDiv(p.Y, g.cell)} }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// nearest appends ma's matchK nearest points within distance to out. It
// searches square rings of cells outwards and stops once no point of the
// next ring can be closer than the k-th found.
func (g pointGrid) nearest(ma *Mark, distance int64, out []pair) []pair {
	p := ma.Geometry.Rings[0][0]
	c := g.key(p)
	var best []pair // at most matchK, closest first
	rings := (distance + g.cell - 1) / g.cell
	for r := int64(0); r <= rings; r++ {
		for dx := -r; dx <= r; dx++ {
			for dy := -r; dy <= r; dy++ {
				if max(abs64(dx), abs64(dy)) != r {
					continue // inside: an earlier ring
				}
				for _, mb := range g.cells[[2]int64{c[0] + dx, c[1] + dy}] {
					q := mb.Geometry.Rings[0][0]
					if d2 := (p.X-q.X)*(p.X-q.X) + (p.Y-q.Y)*(p.Y-q.Y); d2 <= distance*distance {
						best = keepNearest(best, pair{ma, mb, d2})
					}
				}
			}
		}
		// Points in ring r+1 are at least r cells away.
		if reach := r * g.cell; len(best) == matchK && best[matchK-1].d2 <= reach*reach {
			break
		}
	}
	return append(out, best...)
}

// keepNearest inserts p into best (sorted by distance, then b's id) and
// drops what falls beyond matchK.
func keepNearest(best []pair, p pair) []pair {
	i := sort.Search(len(best), func(i int) bool {
		return best[i].d2 > p.d2 || (best[i].d2 == p.d2 && best[i].b.ID > p.b.ID)
	})
	if i == matchK {
		return best
	}
	if len(best) < matchK {
		best = append(best, pair{})
	}
	copy(best[i+1:], best[i:])
	best[i] = p
	return best
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// kappa is Cohen's kappa over the category labels of matched pairs.
func kappa(pairs []pair, cats []int64) *float64 {
	n := float64(len(pairs))
	if n == 0 {
		return nil
	}
	rowA, rowB := map[int64]float64{}, map[int64]float64{}
	agree := 0.0
	for _, p := range pairs {
		rowA[p.a.CategoryID]++
		rowB[p.b.CategoryID]++
		if p.a.CategoryID == p.b.CategoryID {
			agree++
		}
	}
	po, pe := agree/n, 0.0
	for _, c := range cats {
		pe += rowA[c] / n * rowB[c] / n
	}
	if pe == 1 {
		return nil
	}
	k := (po - pe) / (1 - pe)
	return &k
}

// rasterCells bounds the raster on which region overlap is measured.
const rasterCells = 2048

// regionOverlap measures the union of a's regions against the union of
// b's on a raster of at most rasterCells × rasterCells over their joint
// extent: exact for shapes on cell edges, otherwise within one cell along
// each boundary.
func regionOverlap(ca *CategoryAgreement, a, b []Geometry) {
	if len(a)+len(b) == 0 {
		return
	}
	box := jointBox(append(append([]Geometry(nil), a...), b...))
	cell := niceCell(max((box.MaxX-box.MinX+rasterCells-1)/rasterCells, (box.MaxY-box.MinY+rasterCells-1)/rasterCells, 1))
	w, h := int((box.MaxX-box.MinX)/cell)+1, int((box.MaxY-box.MinY)/cell)+1
	ma, mb := raster(a, box, cell, w, h), raster(b, box, cell, w, h)
	var na, nb, both int
	for i := range ma {
		na, nb = na+b2i(ma[i]), nb+b2i(mb[i])
		both += b2i(ma[i] && mb[i])
	}
	px := Pixels(cell) * Pixels(cell)
	ca.AreaA, ca.AreaB, ca.AreaBoth = float64(na)*px, float64(nb)*px, float64(both)*px
	if union := na + nb - both; union > 0 {
		ca.IoU = ratio(both, union)
		ca.Dice = ratio(2*both, na+nb)
	}
}

// niceCell rounds a cell size up to 1, 2 or 5 times a power of ten
// millipixels, so shapes drawn on whole or tenth pixels fall on cell edges.
func niceCell(n int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func jointBox(gs []Geometry) BBox {
	box := BBox{MinX: math.MaxInt64, MinY: math.MaxInt64, MaxX: math.MinInt64, MaxY: math.MinInt64}
	for _, g := range gs {
		b := g.BBox()
		box = BBox{MinX: min(box.MinX, b.MinX), MinY: min(box.MinY, b.MinY), MaxX: max(box.MaxX, b.MaxX), MaxY: max(box.MaxY, b.MaxY)}
	}
	return box
}

// raster marks the cells whose centre lies inside any of gs (even-odd
// within each polygon, so holes stay empty).
func raster(gs []Geometry, box BBox, cell int64, w, h int) []bool {
	mask := make([]bool, w*h)
	for _, g := range gs {
		b := g.BBox()
		r0, r1 := int((b.MinY-box.MinY)/cell), int((b.MaxY-box.MinY)/cell)
		for row := max(r0, 0); row <= min(r1, h-1); row++ {
			y := box.MinY + int64(row)*cell + cell/2
			fillRow(mask[row*w:(row+1)*w], g.Rings, y, box.MinX, cell)
		}
	}
	return mask
}

func fillRow(row []bool, rings [][]Pt, y, x0, cell int64) {
	var xs []float64
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a.Y > y) != (b.Y > y) {
				xs = append(xs, float64(a.X)+float64(y-a.Y)*float64(b.X-a.X)/float64(b.Y-a.Y))
			}
		}
	}
	sort.Float64s(xs)
	for i := 0; i+1 < len(xs); i += 2 {
		// cells whose centre x0+c*cell+cell/2 lies in [xs[i], xs[i+1])
		c0 := int(math.Ceil((xs[i] - float64(x0) - float64(cell)/2) / float64(cell)))
		c1 := int(math.Ceil((xs[i+1]-float64(x0)-float64(cell)/2)/float64(cell))) - 1
		for c := max(c0, 0); c <= min(c1, len(row)-1); c++ {
			row[c] = true
		}
	}
}
