package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// indexRows reads patches/index.csv as maps by column, checking the header.
func indexRows(t *testing.T, files map[string][]byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(string(files[export.PatchIndexPath]))).ReadAll()
	if err != nil {
		t.Fatalf("index.csv: %v", err)
	}
	if len(recs) < 2 || !slices.Equal(recs[0], export.PatchIndexColumns) {
		t.Fatalf("index.csv header %v, %d rows", recs[0], len(recs))
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, c := range recs[0] {
			row[c] = r[i]
		}
		out = append(out, row)
	}
	return out
}

// TestIndexCarriesProvenance: every patch row names its mark and the
// mark's version, who drew it, its review state, where it is at level 0
// and at what µm/px it was cut; the card explains every file and column,
// and the manifest names the software and each slide's resolution.
func TestIndexCarriesProvenance(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	w := env.World
	var dotID int64
	if err := w.DB.QueryRow(`SELECT id FROM annotations WHERE slide_id = ? AND minx = ?`, m.he, (m.dot[0]-12)*1000).Scan(&dotID); err != nil {
		t.Fatal(err)
	}
	// The dot was edited twice since it was drawn.
	if _, err := w.DB.Exec(`UPDATE annotations SET version = 3 WHERE id = ?`, dotID); err != nil {
		t.Fatal(err)
	}
	var annotator string
	if err := w.DB.QueryRow(`SELECT username FROM users WHERE id = ?`, w.Author).Scan(&annotator); err != nil {
		t.Fatal(err)
	}
	e := env.mustExport(t, allFormats(w.Project, ""))
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	rows := indexRows(t, files)
	found := 0
	for _, r := range rows {
		if _, ok := files[r["path"]]; !ok {
			t.Errorf("index row %s: no such file", r["path"])
		}
		if r["annotator"] != annotator || r["author_id"] != fmt.Sprint(w.Author) || r["mark_id"] == "" {
			t.Errorf("row %s: annotator %q (%s), want %q (%d)", r["path"], r["annotator"], r["author_id"], annotator, w.Author)
		}
		wantMPP := map[string]string{fmt.Sprint(m.he): "0.499", fmt.Sprint(m.ihc): "0.22818"}[r["slide_id"]]
		if r["mpp"] != wantMPP {
			t.Errorf("row %s: mpp %q, want the slide's %q", r["path"], r["mpp"], wantMPP)
		}
		if r["mark_id"] == fmt.Sprint(dotID) {
			found++
			if r["mark_version"] != "3" || r["review"] != "accepted" || r["x"] != fmt.Sprint(m.dot[0]) || r["y"] != fmt.Sprint(m.dot[1]) ||
				r["case_id"] != "case-7" || r["category"] != "tumor" || r["class_id"] != "1" {
				t.Errorf("the dot's row: %v", r)
			}
		} else if r["mark_version"] != "1" {
			t.Errorf("row %s: mark_version %q, want 1", r["path"], r["mark_version"])
		}
	}
	if found != 2 { // 64 and 256 px
		t.Errorf("%d rows for mark %d, want 2", found, dotID)
	}
	if man.Software != env.Main.Export.Software {
		t.Errorf("manifest software %q, want %q", man.Software, env.Main.Export.Software)
	}
	he := man.Resolution[fmt.Sprintf("case-7_HE_slide%d", m.he)]
	if he.SlideID != m.he || he.SlideMPP == nil || *he.SlideMPP != 0.499 || he.PatchMPP["256"] != 0.499 || he.OriginSize["64"] != 64 {
		t.Errorf("manifest resolution of the H&E slide: %+v", he)
	}
	readme := string(files[export.ReadmePath])
	for _, want := range append([]string{"`snapshot.json`", "`manifest.json`", "`classes.json`", "`csv/marks.csv`",
		"`coco/annotations.json`", "`pathofusion/patches_<size>.db`", "`masks/<slide>.png`", "level-0 resolution"},
		export.PatchIndexColumns...) {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md does not explain %s", want)
		}
	}
}

// TestTargetMagnificationCutsAtItsMPP: 10× is 1 µm/px; on the 0.499 µm/px
// SVS a 64 px patch covers round(64/0.499) = 128 level-0 pixels, so its
// exact µm/px is 0.998, recorded per patch and per slide.
func TestTargetMagnificationCutsAtItsMPP(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d],"formats":["patches","pathofusion"],"patch_sizes":[64],"target_magnification":10}`,
		env.World.Project, m.he))
	if e.Status != export.StatusDone || e.Params.TargetMPP == nil || *e.Params.TargetMPP != 1 {
		t.Fatalf("status %s (%s), params %+v", e.Status, e.Error, e.Params)
	}
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	for _, r := range indexRows(t, files) {
		if r["mpp"] != "0.998" || r["origin_size"] != "128" || r["size"] != "64" {
			t.Errorf("row %s: mpp %s origin %s size %s; want 0.998, 128, 64", r["path"], r["mpp"], r["origin_size"], r["size"])
		}
	}
	if r := man.Resolution[fmt.Sprintf("case-7_HE_slide%d", m.he)]; r.PatchMPP["64"] != 0.998 || r.OriginSize["64"] != 128 {
		t.Errorf("manifest resolution %+v", r)
	}
	if !strings.Contains(string(files[export.ReadmePath]), "`target_magnification` 10×") {
		t.Errorf("README.md does not state the magnification:\n%s", files[export.ReadmePath])
	}
}

// TestTargetMPPRefusesUncalibratedSlides: a slide with marks but no µm/px
// cannot be cut at a physical resolution; the request is refused with a
// 400 naming it, and goes through once the slide is left out.
func TestTargetMPPRefusesUncalibratedSlides(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	w := env.World
	var name string
	if err := w.DB.QueryRow(`SELECT name FROM slides WHERE id = ?`, m.missing).Scan(&name); err != nil {
		t.Fatal(err)
	}
	for _, res := range []string{`"target_mpp":0.5`, `"target_magnification":20`} {
		st, body := env.raw(t, "POST", "/api/v1/exports", fmt.Sprintf(`{"project_id":%d,"formats":["patches"],%s}`, w.Project, res))
		if st != http.StatusBadRequest || !strings.Contains(body, name) || !strings.Contains(body, fmt.Sprintf("id %d", m.missing)) ||
			!strings.Contains(body, `"invalid"`) {
			t.Errorf("%s: %d %s; want 400 naming slide %q", res, st, body, name)
		}
	}
	// The text formats need no calibration; nor does a request without the slide.
	if st, body := env.raw(t, "POST", "/api/v1/exports", fmt.Sprintf(`{"project_id":%d,"formats":["csv"],"target_mpp":0.5}`, w.Project)); st != http.StatusAccepted {
		t.Errorf("csv with target_mpp: %d %s", st, body)
	}
	if st, body := env.raw(t, "POST", "/api/v1/exports", fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d,%d],"formats":["patches"],"target_mpp":0.5}`,
		w.Project, m.he, m.ihc)); st != http.StatusAccepted {
		t.Errorf("calibrated slides only: %d %s", st, body)
	}
	if st, body := env.raw(t, "POST", "/api/v1/exports", fmt.Sprintf(`{"project_id":%d,"formats":["patches"],"target_mpp":0.5,"target_magnification":40}`,
		w.Project)); st != http.StatusBadRequest || !strings.Contains(body, "target_mpp") {
		t.Errorf("both resolutions: %d %s", st, body)
	}
}

// raw sends a request as the manager and returns the status and body.
func (env *Env) raw(tb testing.TB, method, path, body string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, env.Base+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	env.World.Fixture.MustSession(tb, testenv.Manager).Sign(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
