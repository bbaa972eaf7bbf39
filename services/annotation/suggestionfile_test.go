package annotation_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

// qupathTestdata holds real QuPath GeoJSON exports (wsidicom's test data,
// see /work/shared/testdata/README.md), coordinates about 26,000-27,000.
const qupathTestdata = "../../../shared/testdata/annotations/qupath_geojson/"

var fileCats = map[int64]annotation.Category{
	1: {ID: 1, Name: "Tumor", Color: "#c80000"},
	2: {ID: 2, Name: "Stroma", Color: "#00c800"},
	3: {ID: 3, Name: "Old", Color: "#0000c8", Archived: true},
}

var bigSlide = annotation.Slide{ID: 7, ProjectID: 1, Width: 30000, Height: 30000}

func TestSuggestionFileReadsRealQuPathExports(t *testing.T) {
	for _, tc := range []struct {
		file  string
		n     int
		shape annotation.Kind
	}{
		{"qupath-point.json", 1, annotation.KindPoint},
		{"qupath-multipoint.json", 3, annotation.KindPoint},
		{"qupath-polygon.json", 1, annotation.KindPolygon},
		{"qupath-rectangle.json", 1, annotation.KindPolygon},
		{"qupath-polyline.json", 1, annotation.KindPolyline},
	} {
		b, err := os.ReadFile(qupathTestdata + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		// Unclassified (these files name no class): refused without a default …
		if _, err := annotation.SuggestionFile("qupath", b, bigSlide, fileCats, 0, 10000); err == nil || !strings.Contains(err.Error(), "feature 0 (line "+line(b)+"): no class") {
			t.Errorf("%s without a default category: %v", tc.file, err)
		}
		// … and of the default category, scored 1, with one.
		ds, err := annotation.SuggestionFile("qupath", b, bigSlide, fileCats, 2, 10000)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if len(ds) != tc.n || ds[0].CategoryID != 2 || ds[0].Scores[2] != 1 || ds[0].Geometry.Kind != tc.shape {
			t.Errorf("%s: %d drafts, first %+v; want %d of category 2 (score 1), %v", tc.file, len(ds), ds[0], tc.n, tc.shape)
		}
		// On a slide too small for them, the file is refused as a whole.
		small := annotation.Slide{ID: 8, ProjectID: 1, Width: 1000, Height: 1000}
		if _, err := annotation.SuggestionFile("qupath", b, small, fileCats, 2, 10000); err == nil || !strings.HasPrefix(err.Error(), "feature 0 (line "+line(b)+"): ") {
			t.Errorf("%s on a 1000-pixel slide: %v, want feature 0 refused", tc.file, err)
		}
	}
}

func TestSuggestionFileScoresAndErrors(t *testing.T) {
	qp := `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 10]},
   "properties": {"classification": {"name": "tumor", "color": [200, 0, 0]}, "measurements": {"Probability": 0.7, "Stroma: Probability": 0.2, "Area µm^2": 12}}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [20, 20]},
   "properties": {"classification": {"name": "#00c800"}, "measurements": [{"name": "Class probability", "value": 0.55}, {"name": "Nucleus: Hematoxylin OD mean", "value": null}]}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [30, 30]}, "properties": {"classification": {"name": "Stroma"}}}
]}`
	ds, err := annotation.SuggestionFile("qupath", []byte(qp), bigSlide, fileCats, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].CategoryID != 1 || ds[0].Scores[1] != 0.7 || ds[0].Scores[2] != 0.2 || len(ds[0].Scores) != 2 ||
		ds[1].CategoryID != 2 || ds[1].Scores[2] != 0.55 || len(ds[1].Scores) != 1 || ds[2].Scores[2] != 1 {
		t.Fatalf("drafts %+v", ds)
	}
	geo := "[\n" + `{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]},"properties":{"scores":{"1":0.6,"2":0.4}}}` + ",\n" +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[6,6]},"properties":{"scores":{"1":0.6,"2":0.4},"category_id":2}}` + "\n]"
	if ds, err := annotation.SuggestionFile("geojson", []byte(geo), bigSlide, fileCats, 0, 10000); err != nil || len(ds) != 2 || ds[0].CategoryID != 1 || ds[1].CategoryID != 2 {
		t.Fatalf("geojson list: %+v %v", ds, err)
	}
	for _, tc := range []struct{ name, format, file, want string }{
		{"syntax", "geojson", "{\"type\": \"FeatureCollection\",\n \"features\": [\n {\"type\": \"Feature\",, }]}", "not GeoJSON: line 3, column 21: invalid character ','"},
		{"truncated", "qupath", "{\"type\": \"FeatureCollection\",\n \"features\": [", "not GeoJSON: the file ends early (line 2)"},
		{"not geojson", "qupath", `{"type": "Polygon", "coordinates": []}`, `GeoJSON type "Polygon" is neither`},
		{"empty", "geojson", `{"type": "FeatureCollection", "features": []}`, "the file holds no features"},
		{"format", "asap", `<x/>`, "format must be geojson or qupath"},
		{"bad probability", "geojson", "{\"type\": \"FeatureCollection\", \"features\": [\n" +
			`{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]},"properties":{"scores":{"1":0.6}}},` + "\n\n" +
			`{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]},"properties":{"scores":{"1":1.6}}}]}`,
			`feature 1 (line 4): properties.scores["1"] must be a probability`},
		{"unknown class", "qupath", qp[:strings.LastIndex(qp, "Stroma")] + `Necrosis"}}}]}`, `feature 2 (line 6): unknown class "Necrosis"`},
		{"archived class", "qupath", strings.Replace(qp, `"name": "tumor"`, `"name": "old"`, 1), `feature 0 (line 2): unknown class "old"`},
		{"unknown class in a measurement", "qupath", strings.Replace(qp, "Stroma: Probability", "Fat: Probability", 1), `feature 0 (line 2): measurement "Fat: Probability": unknown class "Fat"`},
		{"percent", "qupath", strings.Replace(qp, `"Probability": 0.7`, `"Probability": 70`, 1), `feature 0 (line 2): measurement "Probability" must be a probability from 0 to 1, not 70`},
		{"archived score", "geojson", `{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]},"properties":{"scores":{"3":0.6}}}`, "feature 0 (line 1): category 3 (Old) is archived"},
	} {
		_, err := annotation.SuggestionFile(tc.format, []byte(tc.file), bigSlide, fileCats, 0, 10000)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// line is the line a file's one Feature starts on (some of the files
// start with a blank line).
func line(b []byte) string {
	return strconv.Itoa(1 + strings.Count(string(b[:strings.IndexByte(string(b), '{')]), "\n"))
}
