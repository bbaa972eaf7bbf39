package annotation_test

import (
	"math"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

func pt(id, cat int64, x, y float64) annotation.Mark {
	p, _ := annotation.PtOf(x, y)
	return annotation.Mark{ID: id, CategoryID: cat, Geometry: annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{p}}}}
}

func square(id, cat int64, x0, y0, x1, y1 float64) annotation.Mark {
	a, _ := annotation.PtOf(x0, y0)
	b, _ := annotation.PtOf(x1, y1)
	r := []annotation.Pt{a, {X: b.X, Y: a.Y}, b, {X: a.X, Y: b.Y}, a}
	return annotation.Mark{ID: id, CategoryID: cat, Geometry: annotation.Geometry{Kind: annotation.KindRectangle, Rings: [][]annotation.Pt{r}}}
}

// The categories of the hand-checked marks below.
const tumor, stroma = 1, 2

// handChecked are the figures of TestAgreementHandChecked's marks, worked
// out by hand in its comments (fields in CategoryAgreement's order, -1 for
// a ratio with nothing to divide by).
var handChecked = map[int64][]float64{
	tumor:  {3, 3, 1, 1.0 / 3, 1.0 / 3, 1.0 / 3, 10000, 10000, 5000, 1.0 / 3, 0.5},
	stroma: {2, 3, 2, 2.0 / 3, 1, 0.8, 0, 0, 0, -1, -1},
}

// The figures below were worked out by hand (see the comments).
func TestAgreementHandChecked(t *testing.T) {
	a := []annotation.Mark{
		pt(1, tumor, 100, 100), pt(2, tumor, 200, 200), pt(3, tumor, 300, 300),
		pt(4, stroma, 1000, 1000), pt(5, stroma, 2000, 2000),
		square(6, tumor, 0, 0, 100, 100),
	}
	b := []annotation.Mark{
		pt(11, tumor, 105, 100),    // 5 px from a1: match
		pt(12, tumor, 200, 215),    // 15 px from a2: too far
		pt(13, stroma, 303, 304),   // 5 px from a3, other category
		pt(14, stroma, 1000, 1003), // 3 px from a4
		pt(15, stroma, 2000, 2008), // 8 px from a5
		pt(16, tumor, 5000, 5000),  // nothing near
		square(17, tumor, 50, 0, 150, 100),
	}
	got := annotation.CompareAnnotators(a, b, 10*annotation.Scale)
	// tumor: A 3 points, B 3 points, 1 match → P = R = F1 = 1/3.
	// stroma: A 2, B 3, 2 matches → P 2/3, R 1, F1 4/5.
	// Squares: intersection 50×100 = 5000, union 15000 → IoU 1/3, Dice 1/2.
	// Kappa over a1-b1 (T,T), a3-b3 (T,S), a4-b4 (S,S), a5-b5 (S,S):
	// po = 3/4, pe = ½·¼ + ½·¾ = ½, kappa = (¾ − ½)/(1 − ½) = ½.
	checkFigures(t, got.Categories, handChecked)
	if got.Matched != 4 || got.Kappa == nil || math.Abs(*got.Kappa-0.5) > 1e-9 {
		t.Errorf("kappa %v over %d matches, want 0.5 over 4", got.Kappa, got.Matched)
	}
}

// checkFigures compares each category's counts, ratios and areas, in
// CategoryAgreement's field order, with want.
func checkFigures(t *testing.T, got []annotation.CategoryAgreement, want map[int64][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("categories %+v", got)
	}
	for _, c := range got {
		w := want[c.CategoryID]
		have := []float64{float64(c.PointsA), float64(c.PointsB), float64(c.Matched), val(c.Precision), val(c.Recall), val(c.F1), c.AreaA, c.AreaB, c.AreaBoth, val(c.IoU), val(c.Dice)}
		for i := range w {
			if math.Abs(have[i]-w[i]) > 1e-9 {
				t.Errorf("category %d figure %d = %v, want %v (all: %v)", c.CategoryID, i, have[i], w[i], have)
			}
		}
	}
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// Split over two slides, the hand-checked marks above pool to the same
// project figures: kappa over every slide's matched pairs, not a mean of
// the slides' kappas (slide 7 alone has kappa 0, slide 9 none at all).
func TestAgreementPooledOverSlides(t *testing.T) {
	slides := []annotation.SlideMarks{
		{SlideID: 7,
			A: []annotation.Mark{pt(1, tumor, 100, 100), pt(2, tumor, 200, 200), pt(3, tumor, 300, 300), square(6, tumor, 0, 0, 100, 100)},
			B: []annotation.Mark{pt(11, tumor, 105, 100), pt(12, tumor, 200, 215), pt(13, stroma, 303, 304), square(17, tumor, 50, 0, 150, 100)}},
		{SlideID: 9,
			A: []annotation.Mark{pt(4, stroma, 1000, 1000), pt(5, stroma, 2000, 2000)},
			B: []annotation.Mark{pt(14, stroma, 1000, 1003), pt(15, stroma, 2000, 2008), pt(16, tumor, 5000, 5000)}},
	}
	got := annotation.CompareSlides(slides, 10*annotation.Scale)
	checkFigures(t, got.Categories, handChecked)
	if got.Matched != 4 || got.Kappa == nil || math.Abs(*got.Kappa-0.5) > 1e-9 {
		t.Errorf("pooled kappa %v over %d matches, want 0.5 over 4", got.Kappa, got.Matched)
	}
	if len(got.Slides) != 2 || got.Slides[0].SlideID != 7 || got.Slides[1].SlideID != 9 {
		t.Fatalf("slides %+v", got.Slides)
	}
	// Slide 7: pairs (T,T) and (T,S): po ½, pe = 1·½ = ½ → kappa 0. Slide 9: both (S,S), pe 1 → none.
	if k := got.Slides[0].Kappa; k == nil || math.Abs(*k) > 1e-9 {
		t.Errorf("slide 7 kappa %v, want 0", k)
	}
	if k := got.Slides[1].Kappa; k != nil {
		t.Errorf("slide 9 kappa %v, want none (agreement by chance is 1)", *k)
	}
}
