package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestCLIImportsAndExportsMarks: `patholabel annotations import` sends a
// real QuPath file with a personal access token and prints the report;
// `annotations export` writes the slide's marks back as GeoJSON.
func TestCLIImportsAndExportsMarks(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	bin := testenv.BuildCLI(t)
	token := access.NewSecret("")
	now := time.Now().UTC()
	if _, err := w.DB.Exec(`INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at, expires_at) VALUES (?, 'cli', ?, 0, ?, ?)`,
		w.Users["annotator"].ID, access.HashSecret(token), now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) { return testenv.RunCLI(t, bin, base, token, args...) }
	file := filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "annotations", "qupath_geojson", "qupath-multipoint.json")
	code, out, errOut := run("annotations", "import", "--slide", fmt.Sprint(w.Slide), "--format", "qupath",
		"--category", fmt.Sprint(w.Categories["stroma"]), file)
	var rep struct {
		Imported int     `json:"imported"`
		IDs      []int64 `json:"ids"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Imported != 3 || len(rep.IDs) != 3 {
		t.Fatalf("annotations import: exit %d\n%s%s", code, out, errOut)
	}
	dst := filepath.Join(t.TempDir(), "marks.geojson")
	if code, out, errOut := run("annotations", "export", "--slide", fmt.Sprint(w.Slide), "-o", dst); code != 0 {
		t.Fatalf("annotations export: exit %d\n%s%s", code, out, errOut)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID any `json:"id"`
		} `json:"features"`
	}
	b, _ := os.ReadFile(dst)
	if json.Unmarshal(b, &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("exported %s", b)
	}
	if code, _, errOut := run("annotations", "import", "--slide", fmt.Sprint(w.Slide), "--format", "shapefile", file); code != 1 ||
		!bytes.Contains([]byte(errOut), []byte("400")) {
		t.Errorf("an unknown format: exit %d %s", code, errOut)
	}
}

// TestCLIImportsSuggestions: `patholabel suggestions import` sends a real
// QuPath export with a model token; the polygon's features become
// suggestions of the given category. A file with a feature the slide
// cannot hold fails whole, naming the feature, and stores nothing.
func TestCLIImportsSuggestions(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	bin := testenv.BuildCLI(t)
	token := access.NewSecret("")
	now := time.Now().UTC()
	if _, err := w.DB.Exec(`INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at, expires_at) VALUES (?, 'cli', ?, 0, ?, ?)`,
		mustModel(t, w).ID, access.HashSecret(token), now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) { return testenv.RunCLI(t, bin, base, token, args...) }
	dir := filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "annotations", "qupath_geojson")
	code, out, errOut := run("suggestions", "import", "--slide", fmt.Sprint(w.Slide), "--format", "qupath", "--model", "qupath@0.5",
		"--category", fmt.Sprint(w.Categories["stroma"]), filepath.Join(dir, "qupath-multipoint.json"))
	var rep struct {
		Imported int     `json:"imported"`
		IDs      []int64 `json:"ids"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Imported != 3 || len(rep.IDs) != 3 {
		t.Fatalf("suggestions import: exit %d\n%s%s", code, out, errOut)
	}
	small := w.MustSlide(t, w.Project, 26000, 20000) // the points (x about 26,800) are off it
	code, out, errOut = run("suggestions", "import", "--slide", fmt.Sprint(small), "--format", "qupath", "--model", "qupath@0.5",
		"--category", fmt.Sprint(w.Categories["stroma"]), filepath.Join(dir, "qupath-multipoint.json"))
	if code != 1 || !bytes.Contains([]byte(errOut), []byte("feature 0 (line 1)")) {
		t.Fatalf("a file the slide cannot hold: exit %d\n%s%s", code, out, errOut)
	}
	var n int
	if err := w.DB.QueryRow(`SELECT COUNT(*) FROM suggestions WHERE slide_id = ?`, small).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the refused file stored %d suggestions (%v)", n, err)
	}
	if code, _, errOut := run("suggestions", "import", "--slide", fmt.Sprint(w.Slide), "--format", "qupath", filepath.Join(dir, "qupath-point.json")); code != 2 ||
		!bytes.Contains([]byte(errOut), []byte("--model")) {
		t.Errorf("without --model: exit %d %s", code, errOut)
	}
}
