package annotation_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

// densePoints is n points of one category spread over a side×side pixel
// square, the same for the same seed.
func densePoints(seed uint64, firstID int64, n int, side float64) []annotation.Mark {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]annotation.Mark, n)
	for i := range out {
		out[i] = pt(firstID+int64(i), 1, r.Float64()*side, r.Float64()*side)
	}
	return out
}

// Matching keeps a bounded number of candidates per point however large
// the distance: 3,000 points per annotator, every pair within distance,
// used to allocate gigabytes (one candidate per pair).
func TestAgreementMemoryIsBounded(t *testing.T) {
	a, b := densePoints(1, 1, 3000, 2000), densePoints(2, 100000, 3000, 2000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := annotation.CompareAnnotators(a, b, 1_000_000*annotation.Scale)
	runtime.ReadMemStats(&after)
	// Each point may match only among its 8 nearest, so a few whose
	// neighbours all went to closer pairs stay unmatched.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("comparing 3,000 points each allocated %d MiB, want at most 64", alloc>>20)
	}
	if got.Matched < 2000 || got.Matched > 3000 {
		t.Errorf("matched %d points, want most of the 3000 (every pair is within distance)", got.Matched)
	}
}

// BenchmarkAgreementDense compares two annotators' dense point sets: the
// largest distance the API accepts, and a huge one only the function sees.
func BenchmarkAgreementDense(b *testing.B) {
	for _, c := range []struct {
		n        int
		distance float64
	}{{3000, 10}, {3000, 500}, {10000, 500}, {1000, 1e6}} {
		pa, pb := densePoints(1, 1, c.n, 4000), densePoints(2, 1_000_000, c.n, 4000)
		b.Run(fmt.Sprintf("points=%d/distance=%g", c.n, c.distance), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				annotation.CompareAnnotators(pa, pb, annotation.ToUnits(c.distance))
			}
		})
	}
}
