package export_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/export/vips"
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
		return mark(id, annotation.Geometry{Kind: annotation.KindPoint, Radius: 1000,
			Rings: [][]annotation.Pt{{{X: annotation.ToUnits(x), Y: annotation.ToUnits(y)}}}})
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
