package export_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

// TestCOCORLEMatchesTheMask: a slanted shape with a slanted hole, partly
// off the slide, encodes as the run-length pixels the label mask (at full
// resolution) paints, no more, no fewer, and states their number as area.
func TestCOCORLEMatchesTheMask(t *testing.T) {
	pt := func(x, y float64) geometry.Pt {
		return geometry.Pt{X: geometry.ToUnits(x), Y: geometry.ToUnits(y)}
	}
	g := geometry.Geometry{Kind: geometry.KindPolygon, Rings: [][]geometry.Pt{
		{pt(-20.5, 10), pt(150.25, -5), pt(170, 90.7), pt(30, 140.3), pt(-20.5, 10)},
		{pt(40.1, 40), pt(90, 35.5), pt(100.6, 80), pt(45, 90.2), pt(40.1, 40)},
	}}
	sl := export.Slide{ID: 1, Name: "s", Width: 160, Height: 120}
	cat := export.Category{ID: 1, ClassID: 1, Name: "tumor"}
	m := export.Mark{ID: 1, SlideID: 1, CategoryID: 1, Geometry: g}.WithGeometry()
	snap := &export.Snapshot{ProjectID: 1, Slides: []export.Slide{sl}, Categories: []export.Category{cat}, Marks: []export.Mark{m}}
	var doc struct {
		Annotations []struct {
			Segmentation struct {
				Counts []int64
				Size   [2]int64
			}
			Area    float64
			IsCrowd int
		}
	}
	if err := json.Unmarshal(export.COCO(snap, "test"), &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Annotations[0]
	if a.IsCrowd != 1 || a.Segmentation.Size != [2]int64{120, 160} {
		t.Fatalf("iscrowd %d, size %v; want 1, [120 160]", a.IsCrowd, a.Segmentation.Size)
	}
	rle := make([]byte, 160*120)
	pos, set := 0, 0
	for i, n := range a.Segmentation.Counts {
		for k := pos; k < pos+int(n) && i%2 == 1; k++ {
			rle[(k%120)*160+k/120] = 1 // column-major
			set++
		}
		pos += int(n)
	}
	if pos != 160*120 {
		t.Fatalf("RLE covers %d pixels, want %d", pos, 160*120)
	}
	b, err := export.Mask(&sl, []export.Mark{m}, map[int64]*export.Category{1: &cat}, 1)
	if err != nil {
		t.Fatal(err)
	}
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 160*120)
	for y := range 120 {
		for x := range 160 {
			if r, _, _, _ := im.At(x, y).RGBA(); r != 0 {
				want[y*160+x] = 1
			}
		}
	}
	if !bytes.Equal(rle, want) || a.Area != float64(set) || set < 5000 {
		t.Errorf("RLE sets %d pixels, area %v; the mask paints a different set (or too few: a shape of ~12000 px less its hole)", set, a.Area)
	}
}
