package export_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

func TestParseParams(t *testing.T) {
	for _, c := range []struct {
		body, err string
		check     func(p export.Params) bool
	}{
		{`{"project_id":3,"formats":["csv","geojson","csv"],"slide_ids":[9,2,9]}`, "", func(p export.Params) bool {
			return strings.Join(p.Formats, ",") == "geojson,csv" && len(p.SlideIDs) == 2 && p.SlideIDs[0] == 2 &&
				len(p.PatchSizes) == 4 && p.Review == "all" && p.Edge == "pad" && p.MaskDownsample == 16
		}},
		{`{"project_id":3}`, `"formats" is required`, nil},
		{`{"formats":["csv"]}`, `"project_id"`, nil},
		{`{"project_id":3,"formats":["tiff"]}`, `unknown "tiff"`, nil},
		{`{"project_id":3,"formats":["patches"],"patch_sizes":[4]}`, `"patch_sizes"`, nil},
		{`{"project_id":3,"formats":["patches"],"edge":"wrap"}`, `"edge"`, nil},
		{`{"project_id":3,"formats":["patches"],"target_mpp":0.01}`, `"target_mpp"`, nil},
		{`{"project_id":3,"formats":["csv"],"review":"rejected"}`, `"review"`, nil},
	} {
		p, err := export.ParseParams([]byte(c.body))
		switch {
		case c.err == "" && (err != nil || !c.check(p)):
			t.Errorf("%s: got %+v, %v", c.body, p, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %s", c.body, err, c.err)
		}
	}
	a, _ := export.ParseParams([]byte(`{"project_id":3,"formats":["masks","csv"],"author_ids":[5,1]}`))
	b, _ := export.ParseParams([]byte(`{"author_ids":[1,5,5],"formats":["csv","masks"],"project_id":3,"review":"all"}`))
	if !bytes.Equal(a.Canonical(), b.Canonical()) {
		t.Errorf("equivalent requests encode differently:\n%s\n%s", a.Canonical(), b.Canonical())
	}
}

func square(x0, y0, x1, y1 float64) []geometry.Pt {
	u := geometry.ToUnits
	return []geometry.Pt{{X: u(x0), Y: u(y0)}, {X: u(x1), Y: u(y0)}, {X: u(x1), Y: u(y1)}, {X: u(x0), Y: u(y1)}, {X: u(x0), Y: u(y0)}}
}

func mark(id int64, g geometry.Geometry) export.Mark {
	return export.Mark{ID: id, SlideID: 1, CategoryID: 1, Geometry: g}.WithGeometry()
}

func TestCentres(t *testing.T) {
	holed := mark(1, geometry.Geometry{Kind: geometry.KindPolygon, Rings: [][]geometry.Pt{square(0, 0, 100, 100), square(40, 40, 60, 60)}})
	dot := mark(2, geometry.Geometry{Kind: geometry.KindPoint, Radius: 1000, Rings: [][]geometry.Pt{{{X: 10500, Y: 20499}}}})
	line := mark(3, geometry.Geometry{Kind: geometry.KindPolyline, Rings: [][]geometry.Pt{square(0, 0, 5, 5)[:2]}})
	grid := export.Centres([]export.Mark{holed, dot, line}, &export.Params{Sampling: "grid", Stride: 20})
	// 5×5 grid at 10, 30, …, 90 less the centre (50, 50) in the hole, then the dot.
	if len(grid) != 25 || grid[24].X != 11 || grid[24].Y != 20 {
		t.Fatalf("grid centres %v", grid)
	}
	for _, c := range grid[:24] {
		if c.X == 50 && c.Y == 50 {
			t.Fatal("a centre inside the hole")
		}
	}
	p := &export.Params{Sampling: "random", Samples: 30, Seed: 4}
	r1, r2 := export.Centres([]export.Mark{holed}, p), export.Centres([]export.Mark{holed}, p)
	if len(r1) != 30 || len(r2) != 30 {
		t.Fatalf("random: %d and %d centres, want 30", len(r1), len(r2))
	}
	for i := range r1 {
		if r1[i].X != r2[i].X || r1[i].Y != r2[i].Y {
			t.Fatal("the same seed gave different centres")
		}
		if r1[i].X > 40 && r1[i].X < 60 && r1[i].Y > 40 && r1[i].Y < 60 {
			t.Fatalf("random centre %v in the hole", r1[i])
		}
	}
}

func TestMask(t *testing.T) {
	sl := &export.Slide{ID: 1, Width: 100, Height: 60}
	cats := map[int64]*export.Category{1: {ID: 1, ClassID: 3}, 2: {ID: 2, ClassID: 7}}
	area := mark(1, geometry.Geometry{Kind: geometry.KindRectangle, Rings: [][]geometry.Pt{square(0, 0, 40, 40), square(10, 10, 30, 30)}})
	dot := export.Mark{ID: 2, SlideID: 1, CategoryID: 2, Geometry: geometry.Geometry{Kind: geometry.KindPoint, Radius: 500,
		Rings: [][]geometry.Pt{{{X: 81000, Y: 41000}}}}}.WithGeometry()
	b, err := export.Mask(sl, []export.Mark{dot, area}, cats, 10)
	if err != nil {
		t.Fatal(err)
	}
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := im.Bounds(); r.Dx() != 10 || r.Dy() != 6 {
		t.Fatalf("mask %v, want 10×6", r.Size())
	}
	for _, c := range []struct{ x, y, want int }{{0, 0, 3}, {3, 3, 3}, {1, 1, 0}, {2, 2, 0}, {8, 4, 7}, {9, 5, 0}, {5, 0, 0}} {
		g, _, _, _ := im.At(c.x, c.y).RGBA()
		if int(g>>8) != c.want {
			t.Errorf("pixel %d,%d = %d, want %d", c.x, c.y, g>>8, c.want)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := &export.Snapshot{ProjectID: 1, Slides: []export.Slide{{ID: 1}}, Categories: []export.Category{}, Authors: []export.Author{},
		Marks: []export.Mark{mark(5, geometry.Geometry{Kind: geometry.KindPolygon, Rings: [][]geometry.Pt{square(0.001, 0, 1, 1)}})}}
	c := s.Canonical()
	got, canonical, err := export.DecodeSnapshot(export.Compress(c))
	if err != nil || !bytes.Equal(c, canonical) || !bytes.Equal(export.Compress(c), export.Compress(canonical)) {
		t.Fatalf("round trip: %v", err)
	}
	if got.Marks[0].Geometry.Rings[0][0].X != 1 || got.Marks[0].Geometry.Kind != geometry.KindPolygon {
		t.Fatalf("geometry %+v", got.Marks[0].Geometry)
	}
}
