package annotation_test

import (
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

// An ASAP Spline is the smooth closed curve ASAP draws through its points,
// not the polygon of those points: it passes through each point and bulges
// outside the control square between them.
func TestASAPSplineIsInterpolated(t *testing.T) {
	xml := `<ASAP_Annotations><Annotations>
	<Annotation Name="a" Type="Spline" PartOfGroup="None"><Coordinates>
	<Coordinate Order="0" X="100" Y="100"/><Coordinate Order="1" X="200" Y="100"/>
	<Coordinate Order="2" X="200" Y="200"/><Coordinate Order="3" X="100" Y="200"/>
	</Coordinates></Annotation></Annotations></ASAP_Annotations>`
	items, skips, err := annotation.ParseImport(annotation.FormatASAP, []byte(xml))
	if err != nil || len(skips) != 0 || len(items) != 1 {
		t.Fatalf("ParseImport = %v items, %v skips, %v", len(items), skips, err)
	}
	ring := items[0].Geometry.Rings[0]
	if len(ring) != 4*8+1 || ring[0] != ring[len(ring)-1] {
		t.Fatalf("spline ring has %d vertices (closed %v), want 33 closed", len(ring), ring[0] == ring[len(ring)-1])
	}
	on := map[annotation.Pt]bool{}
	minY := ring[0].Y
	for _, p := range ring {
		on[p] = true
		minY = min(minY, p.Y)
	}
	for _, c := range []annotation.Pt{{X: 100_000, Y: 100_000}, {X: 200_000, Y: 100_000}, {X: 200_000, Y: 200_000}, {X: 100_000, Y: 200_000}} {
		if !on[c] {
			t.Errorf("the curve does not pass through control point %v", c)
		}
	}
	if minY >= 100_000 {
		t.Errorf("the curve stays inside the control square (min y %d), want it rounded outward", minY)
	}
}
