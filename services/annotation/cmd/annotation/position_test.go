package main

import (
	"fmt"
	"net/http"
	"testing"
)

// RFC 7946 positions may carry a third element; HistomicsTK and
// large_image write [x, y, 0]. They are accepted with z dropped, over the
// API and in imports, and a QuPath feature's name becomes the mark's note.
func TestPositionsWithZAndQuPathNames(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	tumor := w.Categories["tumor"]
	r := ann.do("POST", "/api/v1/annotations", fmt.Sprintf(`{"slide_id":%d,"features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[10,20,0]},"properties":{"category_id":%d}},
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0,0],[50,0,0],[50,50,0],[0,0,0]]]},"properties":{"category_id":%d}}]}`,
		w.Slide, tumor, tumor))
	if r.status != http.StatusCreated {
		t.Fatalf("create with [x, y, z]: %d %s", r.status, r.body)
	}
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[100,100,0],[140,100,0],[140,140,0],[100,100,0]]]},"properties":{"name":"nucleus 17"}},
		{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[300,300,0],[310,310,0]]},"properties":{"name":"mitoses"}}]}`
	r = ann.do("POST", fmt.Sprintf("/api/v1/annotations/import?slide_id=%d&format=qupath&category_id=%d", w.Slide, tumor), file)
	if rep := r.json(t); r.status != http.StatusOK || rep["imported"].(float64) != 3 || len(rep["skipped"].([]any)) != 0 {
		t.Fatalf("import with [x, y, z]: %d %s, want 3 marks imported", r.status, r.body)
	}
	got := map[string]int{}
	for _, f := range ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d", w.Slide), nil).json(t)["features"].([]any) {
		f := f.(map[string]any)
		note, _ := f["properties"].(map[string]any)["note"].(string)
		got[note]++
		if g := f["geometry"].(map[string]any); g["type"] == "Point" && note == "" && fmt.Sprint(g["coordinates"]) != "[10 20]" {
			t.Errorf("point sent as [10, 20, 0] reads back as %v, want [10 20]", g["coordinates"])
		}
	}
	if got["nucleus 17"] != 1 || got["mitoses"] != 2 || got[""] != 2 {
		t.Fatalf("notes of the marks = %v, want the QuPath names (nucleus 17 once, mitoses twice) and 2 without", got)
	}
}
