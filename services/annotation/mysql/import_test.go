package mysql_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

// testdata is the shared folder of real annotation files (never copied
// into the repository).
func testdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "testdata", "annotations", name))
	if err != nil {
		tb.Fatalf("read shared test data: %v", err)
	}
	return b
}

func TestImportRealFiles(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	ann := w.Users["annotator"].Principal
	small := w.MustSlide(t, w.Project, 2220, 2967) // CMU-1-Small-Region's size: every file lies outside it
	for _, tc := range []struct {
		format, file string
		marks        int
		kinds        string
	}{
		{"qupath", "qupath_geojson/qupath-point.json", 1, "point"},
		{"qupath", "qupath_geojson/qupath-multipoint.json", 3, "point,point,point"},
		{"qupath", "qupath_geojson/qupath-line.json", 1, "polyline"},
		{"qupath", "qupath_geojson/qupath-polyline.json", 1, "polyline"},
		{"qupath", "qupath_geojson/qupath-polygon.json", 1, "polygon"},
		{"qupath", "qupath_geojson/qupath-rectangle.json", 1, "polygon"},
		{"qupath", "qupath_geojson/qupath-ellipse.json", 1, "polygon"},
		{"qupath", "qupath_geojson/qupath-brush.json", 1, "polygon"},
		{"qupath", "qupath_geojson/qupath-wand.json", 1, "polygon"},
		{"asap", "asap/asap-dot.xml", 1, "point"},
		{"asap", "asap/asap-pointset.xml", 5, "point,point,point,point,point"},
		{"asap", "asap/asap-polygon.xml", 1, "polygon"},
	} {
		items, skips, err := annotation.ParseImport(tc.format, testdata(t, tc.file))
		if err != nil || len(skips) != 0 {
			t.Fatalf("%s: parse: %v %v", tc.file, err, skips)
		}
		rep, _, err := s.Import(ctx, ann, mustSlide(t, s, w.Slide), items, w.Categories["tumor"])
		if err != nil || rep.Imported != tc.marks || len(rep.Skipped) != 0 {
			t.Errorf("%s: imported %+v, err %v; want %d marks", tc.file, rep, err, tc.marks)
			continue
		}
		var kinds []string
		for _, id := range rep.IDs {
			m, _ := s.Mark(ctx, id)
			kinds = append(kinds, m.Geometry.Kind.String())
		}
		if strings.Join(kinds, ",") != tc.kinds {
			t.Errorf("%s: kinds %v, want %s", tc.file, kinds, tc.kinds)
		}
		// The same file on the small slide: reported as outside, nothing written.
		rep, _, err = s.Import(ctx, ann, mustSlide(t, s, small), items, w.Categories["tumor"])
		if err != nil || rep.Imported != 0 || len(rep.Skipped) != tc.marks || !strings.Contains(rep.Skipped[0].Reason, "outside the slide") {
			t.Errorf("%s on the small slide: %+v %v, want every mark reported outside", tc.file, rep, err)
		}
	}
	// Without a category for unclassified marks, they are reported, not dropped silently.
	items, _, _ := annotation.ParseImport("asap", testdata(t, "asap/asap-pointset.xml"))
	rep, _, err := s.Import(ctx, ann, mustSlide(t, s, w.Slide), items, 0)
	if err != nil || rep.Imported != 0 || len(rep.Skipped) != 5 || !strings.Contains(rep.Skipped[0].Reason, "no class") {
		t.Errorf("unclassified without category_id: %+v %v", rep, err)
	}
}

func TestImportClasses(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		format, body string
		imported     int
		unknown      map[string]int
	}{
		{"patholabelling", `[{"x":100,"y":200,"style":"yellow"},{"x":300,"y":400,"style":"red"},{"x":5,"y":5,"style":"mauve"},{"x":"7","y":"8","style":"blue"}]`, 3, map[string]int{"mauve": 1}},
		{"qupath", `{"type":"FeatureCollection","features":[
			{"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{"classification":{"name":"Tumor","colorRGB":-65536}}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[20,20]},"properties":{"classification":{"name":"Necrosis"}}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[30,30]},"properties":{"classification":{"name":"Necrosis"}}}]}`, 1, map[string]int{"Necrosis": 2}},
		{"asap", `<ASAP_Annotations><Annotations><Annotation Name="a" Type="Dot" PartOfGroup="Stroma" Color="#F4FA58"><Coordinates><Coordinate Order="0" X="1,5" Y="2" /></Coordinates></Annotation>
			<Annotation Name="b" Type="Dot" PartOfGroup="Fat"><Coordinates><Coordinate Order="0" X="3" Y="4" /></Coordinates></Annotation></Annotations></ASAP_Annotations>`, 1, map[string]int{"Fat": 1}},
	} {
		items, _, err := annotation.ParseImport(tc.format, []byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		rep, _, err := s.Import(ctx, w.Users["annotator"].Principal, mustSlide(t, s, w.Slide), items, 0)
		if err != nil || rep.Imported != tc.imported || len(rep.UnknownClasses) != len(tc.unknown) {
			t.Errorf("%s: %+v %v, want %d imported and unknown %v", tc.format, rep, err, tc.imported, tc.unknown)
			continue
		}
		for k, n := range tc.unknown {
			if rep.UnknownClasses[k] != n {
				t.Errorf("%s: unknown %v, want %v", tc.format, rep.UnknownClasses, tc.unknown)
			}
		}
	}
	if _, _, err := annotation.ParseImport("qupath", []byte(`{"type":"Topology"}`)); err == nil {
		t.Error("a non-GeoJSON file parsed as QuPath")
	}
}
