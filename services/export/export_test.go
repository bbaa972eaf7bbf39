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

// TestHardNegativesPaintUnderMarks: a rejected suggestion (hard negative)
// coming after a mark in the snapshot still lies under it in the mask, and
// shows its own class where no mark is; the patch index and the sample
// labels name its provenance.
func TestHardNegativesPaintUnderMarks(t *testing.T) {
	sl := &export.Slide{ID: 1, Width: 100, Height: 60}
	cats := []export.Category{{ID: 1, ClassID: 3, Name: "tumor"}}
	cats = append(cats, export.HardNegativeClasses(cats, 4)...)
	byID := map[int64]*export.Category{1: &cats[0], -1: &cats[1]}
	if cats[1].ClassID != 7 || cats[1].Name != "hard_negative:tumor" {
		t.Fatalf("hard-negative class %+v, want class id 4+3", cats[1])
	}
	m := mark(5, geometry.Geometry{Kind: geometry.KindRectangle, Rings: [][]geometry.Pt{square(0, 0, 40, 40)}})
	m.Source = &export.Source{Suggestion: 9, Model: "unet", Version: "2", Score: 0.5, Edited: true}
	neg := mark(9, geometry.Geometry{Kind: geometry.KindRectangle, Rings: [][]geometry.Pt{square(20, 20, 80, 60)}})
	neg.CategoryID, neg.Source = -1, &export.Source{Suggestion: 9, Model: "unet", Version: "2", Score: 0.875, Rejected: true}
	b, err := export.Mask(sl, []export.Mark{m, neg}, byID, 10)
	if err != nil {
		t.Fatal(err)
	}
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ x, y, want int }{{1, 1, 3}, {3, 3, 3}, {5, 3, 7}, {7, 5, 7}, {9, 0, 0}} {
		g, _, _, _ := im.At(c.x, c.y).RGBA()
		if int(g>>8) != c.want {
			t.Errorf("pixel %d,%d = %d, want %d", c.x, c.y, g>>8, c.want)
		}
	}
	snap := &export.Snapshot{ProjectID: 1, Slides: []export.Slide{*sl}, Categories: cats, Marks: []export.Mark{m, neg}}
	ix := export.NewPatchIndex(snap)
	ix.Add("a.png", export.Patch{Slide: sl, Category: &cats[1], Centre: export.Centre{X: 50, Y: 40, Mark: &snap.Marks[1]}, Size: 32, OriginSize: 32}, "")
	ix.Add("b.png", export.Patch{Slide: sl, Category: &cats[0], Centre: export.Centre{X: 20, Y: 20, Mark: &snap.Marks[0]}, Size: 32, OriginSize: 32}, "")
	rows := strings.Split(strings.TrimSpace(string(ix.Bytes())), "\n")
	if len(rows) != 3 || !strings.HasSuffix(rows[0], ",provenance,model,model_version,score,split") ||
		!strings.HasSuffix(rows[1], ",hard_negative,unet,2,0.875,") || !strings.HasSuffix(rows[2], ",model_edited,unet,2,0.5,") {
		t.Fatalf("patch index:\n%s", strings.Join(rows, "\n"))
	}
	l := export.Label(export.Patch{Slide: sl, Category: &cats[1], Centre: export.Centre{Mark: &snap.Marks[1]}}, "", export.ClassIndices(snap), nil)
	if l.Provenance != export.ProvenanceHardNegative || l.Model != "unet" || l.ModelVersion != "2" || l.Score == nil || *l.Score != 0.875 || l.ClassIndex != 1 {
		t.Fatalf("sample label %+v", l)
	}
}
