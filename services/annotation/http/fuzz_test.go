package http_test

import (
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
	annotationhttp "github.com/patholabel/patholabel/services/annotation/http"
)

// FuzzBBox reads ?bbox= as a viewport query does: a box it accepts is
// ordered, inside the coordinate range (so the SQL and the grid arithmetic
// on it cannot overflow), and reads back the same from its own spelling.
func FuzzBBox(f *testing.F) {
	for _, s := range []string{"", "0,0,100,100", " 1.5, 2 ,3.25,4", "26807.5,15425,26844,15452.125", "1e6,1e6,1e6,1e6",
		"NaN,0,1,1", "-1,-1,0,0", "5,5,4,4", "0x1p3,0,inf,1", "1,2,3", "1,2,3,4,5", "0.0005,0,0.0015,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := annotationhttp.ParseBBox(s)
		if err != nil {
			return
		}
		if s == "" {
			if !b.Empty() {
				t.Fatalf("no bbox read as %+v", b)
			}
			return
		}
		if b.MinX > b.MaxX || b.MinY > b.MaxY {
			t.Fatalf("bbox %q read as the unordered %+v", s, b)
		}
		for _, v := range []int64{b.MinX, b.MinY, b.MaxX, b.MaxY} {
			if v > annotation.MaxCoord || v < -annotation.MaxCoord {
				t.Fatalf("bbox %q read as %+v, beyond MaxCoord", s, b)
			}
		}
		spelled := annotation.FormatUnits(b.MinX) + "," + annotation.FormatUnits(b.MinY) + "," + annotation.FormatUnits(b.MaxX) + "," + annotation.FormatUnits(b.MaxY)
		if again, err := annotationhttp.ParseBBox(spelled); err != nil || again != b {
			t.Fatalf("bbox %q read as %+v, its spelling %q as %+v (%v)", s, b, spelled, again, err)
		}
	})
}
