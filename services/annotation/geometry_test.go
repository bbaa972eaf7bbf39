package annotation_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

func ring(pts ...int64) []annotation.Pt {
	r := make([]annotation.Pt, 0, len(pts)/2)
	for i := 0; i+1 < len(pts); i += 2 {
		r = append(r, annotation.Pt{X: pts[i] * annotation.Scale, Y: pts[i+1] * annotation.Scale})
	}
	return r
}

func TestCodecRoundTrip(t *testing.T) {
	for _, g := range []annotation.Geometry{
		{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{{X: 26833530, Y: 15424940}}}, Radius: 2500},
		{Kind: annotation.KindPolygon, Rings: [][]annotation.Pt{ring(0, 0, 100, 0, 100, 100, 0, 100, 0, 0), ring(10, 10, 20, 10, 20, 20, 10, 10)}},
		{Kind: annotation.KindPolyline, Rings: [][]annotation.Pt{ring(500, 400, 3, 2, 90000, 1)}},
	} {
		got, err := annotation.DecodeGeometry(g.Kind, g.BBox(), annotation.EncodeRings(g))
		if err != nil || !reflect.DeepEqual(got, g) {
			t.Errorf("geometry round trip: %+v %v, want %+v", got, err, g)
		}
		st := annotation.State{CategoryID: 7, AuthorID: 3, Geometry: g, Note: "ü note", Review: annotation.ReviewAccepted}
		back, err := annotation.DecodeState(annotation.EncodeState(st))
		if err != nil || !reflect.DeepEqual(back, st) {
			t.Errorf("state round trip: %+v %v, want %+v", back, err, st)
		}
	}
	if _, err := annotation.DecodeState([]byte{1, 2, 0, 200}); err == nil {
		t.Error("truncated state decoded")
	}
}

func TestFeatureEncodingIsExact(t *testing.T) {
	var f annotation.Feature
	_ = json.Unmarshal([]byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":[26833.53,15424.94]},"properties":{"category_id":1,"radius":2.5,"note":"a \"quoted\" note"}}`), &f)
	d, err := f.Draft()
	if err != nil {
		t.Fatal(err)
	}
	b := annotation.AppendFeature(nil, annotation.Mark{ID: 9, CategoryID: d.CategoryID, Geometry: d.Geometry, Note: d.Note, Version: 1, Review: "pending"})
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	if !strings.Contains(string(b), `"coordinates":[26833.53,15424.94]`) || !strings.Contains(string(b), `"radius":2.5`) ||
		back["properties"].(map[string]any)["note"] != `a "quoted" note` {
		t.Fatalf("encoded %s", b)
	}
}
