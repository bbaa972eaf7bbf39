package annotation_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

// sharedAnnotations holds real annotation files of other tools. They are
// read from there as seeds, never copied into the repository (their README
// asks for that); the committed corpus in testdata/fuzz adds small
// hand-written seeds and every input a fuzzer ever crashed on.
const sharedAnnotations = "../../../shared/testdata/annotations/"

// addSamples seeds f with every file of the shared folders named, through
// add (which picks the fuzz arguments for a file).
func addSamples(f *testing.F, add func(name string, b []byte), dirs ...string) {
	f.Helper()
	for _, d := range dirs {
		files, err := filepath.Glob(filepath.Join(sharedAnnotations, d, "*"))
		if err != nil || len(files) == 0 {
			f.Fatalf("no seed files in %s%s: %v", sharedAnnotations, d, err)
		}
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			add(filepath.Base(p), b)
		}
	}
}

// fuzzSlide is a slide larger than any coordinate the real samples use,
// so their marks pass validation and reach the round-trip checks.
var fuzzSlide = annotation.Slide{ID: 1, ProjectID: 1, Width: 200_000, Height: 200_000}

const fuzzMaxVertices = 20_000 // the service's default

// FuzzFeature decodes a client's GeoJSON Feature as POST and PATCH
// /api/v1/annotations do, and checks a feature that passes validation
// survives storage and comes back from the API as the same mark.
func FuzzFeature(f *testing.F) {
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":[10.5,20.25]},"properties":{"category_id":1,"radius":3}}`))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[100,0],[100,100],[0,100],[0,0]],[[10,10],[20,10],[20,20],[10,10]]]},"properties":{"category_id":2,"shape":"polygon","note":"necrosis"}}`))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,1],[2.001,3]]},"properties":{"category_id":3}}`))
	addSamples(f, func(_ string, b []byte) { f.Add(b) }, "qupath_geojson")
	f.Fuzz(func(t *testing.T, data []byte) {
		var ft annotation.Feature
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields() // as httpapi.DecodeJSON
		if dec.Decode(&ft) != nil {
			return
		}
		old := annotation.Draft{CategoryID: 9, Geometry: annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{{X: 1000, Y: 1000}}}}}
		if d, err := ft.Apply(old); err == nil { // PATCH
			checkDraft(t, d)
		}
		if d, err := ft.Draft(); err == nil { // POST
			checkDraft(t, d)
		}
	})
}

// FuzzImport reads a file through each import format and checks what it
// yields: every item and skip names an item of the file, and every mark
// that passes validation survives storage and the API.
func FuzzImport(f *testing.F) {
	formats := []string{annotation.FormatPatholabelling, annotation.FormatQuPath, annotation.FormatASAP}
	f.Add(uint8(0), []byte(`[{"x":100,"y":200.5,"style":"red"},{"x":"1e3","y":4,"style":"green"}]`))
	addSamples(f, func(_ string, b []byte) { f.Add(uint8(1), b) }, "qupath_geojson", "cytomine", "sectra", "histomicsui")
	addSamples(f, func(_ string, b []byte) { f.Add(uint8(2), b) }, "asap", "sedeen")
	f.Fuzz(func(t *testing.T, format uint8, data []byte) {
		items, skips, err := annotation.ParseImport(formats[int(format)%len(formats)], data)
		if err != nil {
			if len(items)+len(skips) > 0 {
				t.Fatalf("a refused file still yields %d items and %d skips", len(items), len(skips))
			}
			return
		}
		for _, s := range skips {
			if s.Index < 0 || s.Reason == "" {
				t.Fatalf("skip %+v names no item or gives no reason", s)
			}
		}
		cats := map[int64]annotation.Category{1: {ID: 1, Name: "Tumor", Color: "#ff0000"}}
		drafts, _, _ := annotation.Resolve(items, cats, 1, 7, fuzzSlide, fuzzMaxVertices)
		for _, d := range drafts {
			checkDraft(t, d)
		}
	})
}

// checkDraft validates d against fuzzSlide; a valid mark must come back
// unchanged from its stored encodings and from the GeoJSON the API
// writes, and simplifying it for a zoomed-out view must not fail.
func checkDraft(t *testing.T, d annotation.Draft) {
	t.Helper()
	g := d.Geometry
	if g.Validate(fuzzSlide.Width, fuzzSlide.Height, fuzzMaxVertices) != nil {
		return
	}
	if got, err := annotation.DecodeGeometry(g.Kind, g.BBox(), annotation.EncodeRings(g)); err != nil || !reflect.DeepEqual(got, g) {
		t.Fatalf("stored geometry round trip: %+v %v, want %+v", got, err, g)
	}
	st := annotation.State{CategoryID: d.CategoryID, Geometry: g, Note: d.Note, Review: annotation.ReviewPending, AuthorID: 7}
	if got, err := annotation.DecodeState(annotation.EncodeState(st)); err != nil || !reflect.DeepEqual(got, st) {
		t.Fatalf("history state round trip: %+v %v, want %+v", got, err, st)
	}
	m := annotation.Mark{ID: 5, SlideID: 1, CategoryID: max(d.CategoryID, 1), AuthorID: 7, Geometry: g, Note: d.Note, Version: 1, Review: annotation.ReviewPending}
	out := annotation.AppendFeature(nil, m)
	var back annotation.Feature
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatalf("the API writes a Feature it cannot read back: %v\n%s", err, out)
	}
	if got, err := back.Draft(); err != nil || !reflect.DeepEqual(got.Geometry, g) || got.Note != d.Note {
		t.Fatalf("GeoJSON round trip: %+v %v, want %+v\n%s", got, err, d, out)
	}
	for _, tol := range []int64{1, 1000, 1_000_000} {
		if s := g.Simplify(tol); !json.Valid(annotation.AppendGeometry(nil, s)) {
			t.Fatalf("simplified geometry is not JSON: %s", annotation.AppendGeometry(nil, s))
		}
	}
}

// FuzzSuggestionFile: any file either fails with an error (never a
// panic) or gives suggestions that each pass the checks a post makes.
func FuzzSuggestionFile(f *testing.F) {
	cats := map[int64]annotation.Category{1: {ID: 1, Name: "Tumor", Color: "#c80000"}, 2: {ID: 2, Name: "Stroma", Color: "#00c800"}}
	f.Add(uint8(0), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]},"properties":{"scores":{"1":0.6,"2":0.4}}}]}`))
	f.Add(uint8(1), []byte(`[{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]},"properties":{"classification":{"name":"Tumor"},"measurements":{"Probability":0.7,"Stroma: Probability":0.2}}}]`))
	f.Add(uint8(1), []byte("{\"type\": \"FeatureCollection\",\n \"features\": [\n {\"type\": \"Feature\",, }]}"))
	addSamples(f, func(_ string, b []byte) { f.Add(uint8(1), b) }, "qupath_geojson")
	f.Fuzz(func(t *testing.T, format uint8, b []byte) {
		name := [...]string{"geojson", "qupath"}[format%2]
		ds, err := annotation.SuggestionFile(name, b, fuzzSlide, cats, 1, 10000)
		if err != nil {
			return
		}
		for i, d := range ds {
			if _, err := annotation.CheckSuggestion(d, fuzzSlide, cats, 10000); err != nil {
				t.Fatalf("suggestion %d passed the file but not the check: %v", i, err)
			}
		}
	})
}
