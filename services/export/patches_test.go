package export_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/export/vips"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

func TestCutPadsOrSkipsAtTheEdge(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	r, err := vips.Open(exporttest.Slides(t)+exporttest.SVS, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sl := &export.Slide{ID: 1, Width: 2220, Height: 2967}
	cats := map[int64]*export.Category{1: {ID: 1, ClassID: 1, Name: "tumor"}}
	dot := func(id int64, x, y float64) export.Mark {
		return mark(id, geometry.Geometry{Kind: geometry.KindPoint, Radius: 1000,
			Rings: [][]geometry.Pt{{{X: geometry.ToUnits(x), Y: geometry.ToUnits(y)}}}})
	}
	marks := []export.Mark{dot(1, 20, 30), dot(2, 700, 900)}
	for _, c := range []struct {
		edge   string
		n      int
		padded int
	}{{"pad", 4, 2}, {"skip", 2, 0}} {
		p := &export.Params{PatchSizes: []int{64, 256}, Edge: c.edge}
		var got []export.Patch
		err := export.Cut(context.Background(), sl, marks, cats, p, r, 2, func(pt export.Patch) error { got = append(got, pt); return nil })
		if err != nil {
			t.Fatal(err)
		}
		padded := 0
		for _, pt := range got {
			if pt.Padded {
				padded++
			}
			// Smaller sizes are cropped from the largest read: they must
			// equal a direct read of their own region.
			want, err := r.Region(int(pt.Centre.X)-pt.Size/2, int(pt.Centre.Y)-pt.Size/2, pt.Size, pt.Size, pt.Size, pt.Size)
			if err != nil || !bytes.Equal(pt.RGB, want) {
				t.Errorf("edge %s: patch %d px at %d,%d differs from a direct read (%v)", c.edge, pt.Size, pt.Centre.X, pt.Centre.Y, err)
			}
		}
		if len(got) != c.n || padded != c.padded {
			t.Errorf("edge %s: %d patches, %d padded; want %d, %d", c.edge, len(got), padded, c.n, c.padded)
		}
	}
}

// TestCutOrderIsSpatialAndDeterministic cuts dots scattered over the slide,
// given in mark order and shuffled, with one and with three workers: the
// patches must come in bands of rows (as high as the larger of the largest
// patch and the slide's tile) swept by x, ties by mark id, and in the same
// order every time, so a re-run writes the same index and databases.
func TestCutOrderIsSpatialAndDeterministic(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	r, err := vips.Open(exporttest.Slides(t)+exporttest.SVS, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sl := &export.Slide{ID: 1, Width: 2220, Height: 2967}
	cats := map[int64]*export.Category{1: {ID: 1, ClassID: 1, Name: "tumor"}}
	dot := func(id int64, x, y int) export.Mark {
		return mark(id, geometry.Geometry{Kind: geometry.KindPoint, Radius: 1000,
			Rings: [][]geometry.Pt{{{X: geometry.ToUnits(float64(x)), Y: geometry.ToUnits(float64(y))}}}})
	}
	rnd := rand.New(rand.NewPCG(7, 7))
	var marks []export.Mark
	for id := int64(1); id <= 120; id++ {
		marks = append(marks, dot(id, rnd.IntN(2220), rnd.IntN(2967)))
	}
	// Ties: two marks of one category at one place (one patch: the lower
	// mark id's, export.Distinct), and one x twice in a band (the lower
	// mark id lower down).
	marks = append(marks, dot(121, 1500, 700), dot(122, 1500, 700), dot(123, 1000, 1210), dot(124, 1000, 1205))
	p := &export.Params{PatchSizes: []int{64, 128}, Edge: "pad"}
	band := int64(max(128, r.TileSize()))

	type key struct {
		id, x, y int64
		size     int
	}
	cut := func(marks []export.Mark, workers int) []key {
		var got []key
		err := export.Cut(context.Background(), sl, marks, cats, p, r, workers, func(pt export.Patch) error {
			got = append(got, key{pt.Centre.Mark.ID, pt.Centre.X, pt.Centre.Y, pt.Size})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := cut(marks, 1)
	if len(want) != 2*(len(marks)-1) {
		t.Fatalf("%d patches, want %d", len(want), 2*(len(marks)-1))
	}
	if slices.Contains(want, key{122, 1500, 700, 64}) || !slices.Contains(want, key{121, 1500, 700, 64}) {
		t.Error("of two dots at one place the lower mark id must make the patch")
	}
	inMarkOrder := true
	for i := 0; i < len(want); i += 2 {
		if b := want[i]; b.size != 128 || want[i+1] != (key{b.id, b.x, b.y, 64}) {
			t.Fatalf("patch %d: %+v, %+v; want both sizes of one centre, largest first", i, want[i], want[i+1])
		}
		if i == 0 {
			continue
		}
		a, b := want[i-2], want[i]
		inMarkOrder = inMarkOrder && a.id < b.id
		ra, rb := a.y/band, b.y/band
		if ra > rb || ra == rb && (a.x > b.x || a.x == b.x && a.id > b.id) {
			t.Errorf("patch %d: %+v comes before %+v; want bands of %d rows by x, then mark id", i, a, b, band)
		}
	}
	if inMarkOrder {
		t.Error("patches came in mark order, scattered dots should not")
	}
	for i, workers := range []int{3, 1, 3} {
		shuffled := slices.Clone(marks)
		rand.New(rand.NewPCG(uint64(i), 1)).Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := cut(shuffled, workers); !slices.Equal(got, want) {
			t.Errorf("shuffle %d, %d workers: order differs from the marks' own:\n%v\n%v", i, workers, got, want)
		}
	}
}

// TestCutDecodesEachTileOnce cuts dense dots on the real slide with three
// workers: Cut plans its reads, so every tile the patches overlap is
// decoded once and none twice (a plan that let a tile go before its last
// read would decode it again), and a second cut on the same slide, the
// plan done, still reads right.
func TestCutDecodesEachTileOnce(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	r, err := vips.Open(exporttest.Slides(t)+exporttest.SVS, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sl := &export.Slide{ID: 1, Width: 2220, Height: 2967}
	cats := map[int64]*export.Category{1: {ID: 1, ClassID: 1, Name: "tumor"}}
	rnd := rand.New(rand.NewPCG(9, 9))
	var marks []export.Mark
	for id := int64(1); id <= 300; id++ {
		x, y := 300+rnd.IntN(1600), 200+rnd.IntN(2500)
		marks = append(marks, mark(id, geometry.Geometry{Kind: geometry.KindPoint, Radius: 1000,
			Rings: [][]geometry.Pt{{{X: geometry.ToUnits(float64(x)), Y: geometry.ToUnits(float64(y))}}}}))
	}
	p := &export.Params{PatchSizes: []int{64, 256}, Edge: "pad"}
	ts := r.TileSize()
	tiles := map[[2]int]bool{}
	for _, c := range export.Distinct(export.Centres(marks, p), cats) {
		x, y := int(c.X)-128, int(c.Y)-128
		for ty := max(y, 0) / ts; ty <= min(y+255, 2966)/ts; ty++ {
			for tx := max(x, 0) / ts; tx <= min(x+255, 2219)/ts; tx++ {
				tiles[[2]int{tx, ty}] = true
			}
		}
	}
	n := 0
	err = export.Cut(context.Background(), sl, marks, cats, p, r, 3, func(export.Patch) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if n != 600 || r.Decoded() != int64(len(tiles)) {
		t.Fatalf("%d patches from %d tile decodes; want 600 from %d, each tile once", n, r.Decoded(), len(tiles))
	}
	got, err := r.Region(1000, 1500, 256, 256, 256, 256)
	if err != nil {
		t.Fatal(err)
	}
	if want := MustRegion(t, exporttest.Slides(t)+exporttest.SVS, 1000, 1500, 256); !bytes.Equal(got, want) {
		t.Error("a read after the cut differs from a fresh slide's")
	}
}

// MustRegion reads a size×size region through a slide of its own.
func MustRegion(tb testing.TB, path string, x, y, size int) []byte {
	tb.Helper()
	s, err := vips.Open(path, 1)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	rgb, err := s.Region(x, y, size, size, size, size)
	if err != nil {
		tb.Fatal(err)
	}
	return rgb
}
