package mysql

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/geometry"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestSnapshotCarriesProvenance: a mark made by accepting a suggestion
// names the model version and score; one drawn by hand names none; and
// undecided or rejected suggestions are not marks at all.
func TestSnapshotCarriesProvenance(t *testing.T) {
	db, _ := testenv.MustDB(t)
	w := exporttest.New(t, db, nil, "", "")
	cat := w.MustCategory(t, 1, "tumor", "#ff0000")
	sl := w.MustSlide(t, exporttest.SlideSpec{Width: 1000, Height: 1000})
	hand := w.MustMark(t, sl, cat, exporttest.Point(10, 10, 2), review.Pending)
	accepted := w.MustMark(t, sl, cat, exporttest.Point(20, 20, 2), review.Pending)
	var project int64
	if err := db.QueryRow(`SELECT project_id FROM slides WHERE id = ?`, sl).Scan(&project); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, row := range []struct {
		state int
		mark  any
	}{{1, accepted}, {0, nil}, {2, nil}} {
		if _, err := db.Exec(`INSERT INTO suggestions (id, slide_id, project_id, model_name, model_version, category_id, scores, score, margin,
			kind, minx, miny, maxx, maxy, posted_by, created_at, state, mark_id) VALUES (?, ?, ?, 'pathofusion', 'v3', ?, '{}', 0.75, 0.5, 1, 0, 0, 4000, 4000, 1, ?, ?, ?)`,
			100+i, sl, project, cat, now, row.state, row.mark); err != nil {
			t.Fatal(err)
		}
	}
	p := export.Params{ProjectID: w.Project, Formats: []string{"geojson"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	snap, err := New(db, time.Now).Snapshot(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Marks) != 2 {
		t.Fatalf("%d marks, want 2 (suggestions are not marks)", len(snap.Marks))
	}
	for _, m := range snap.Marks {
		switch {
		case m.ID == hand && m.Source != nil:
			t.Errorf("a hand-drawn mark has a source %+v", m.Source)
		case m.ID == accepted && (m.Source == nil || *m.Source != export.Source{Suggestion: 100, Model: "pathofusion", Version: "v3", Score: 0.75}):
			t.Errorf("the accepted mark's source is %+v", m.Source)
		}
	}
	var files []string
	for _, b := range export.GeoJSON(snap) {
		files = append(files, string(b))
	}
	if len(files) != 1 || strings.Count(files[0], `"source":{"suggestion":100,"model":"pathofusion","version":"v3","score":0.75}`) != 1 {
		t.Fatalf("GeoJSON export %v; want the accepted mark's source once", files)
	}
}

// TestHardNegativesAndEditedProvenance: with hard_negatives, a rejected
// suggestion is in the export as a mark of the class
// "hard_negative:<category>" (numbered after the project's highest class
// id), authored by who rejected it; an edited accept says edited; and
// every format names the provenance: CSV and COCO attributes per mark,
// GeoJSON in the source. Without the option no rejected suggestion shows.
func TestHardNegativesAndEditedProvenance(t *testing.T) {
	db, _ := testenv.MustDB(t)
	w := exporttest.New(t, db, nil, "", "")
	tumor := w.MustCategory(t, 1, "tumor", "#ff0000")
	w.MustCategory(t, 4, "stroma", "#00ff00")
	sl := w.MustSlide(t, exporttest.SlideSpec{Width: 1000, Height: 1000})
	edited := w.MustMark(t, sl, tumor, exporttest.Point(20, 20, 2), review.Pending)
	var project, reviewer int64
	if err := db.QueryRow(`SELECT project_id FROM slides WHERE id = ?`, sl).Scan(&project); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT author_id FROM annotations WHERE id = ?`, edited).Scan(&reviewer); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	// 200: accepted with an edit; 201: rejected, a square (id equal to no mark's
	// on purpose close to the mark's, so COCO must renumber it); 202: undecided.
	square := geometry.EncodeRings(geometry.Geometry{Kind: geometry.KindPolygon,
		Rings: [][]geometry.Pt{{{X: 0, Y: 0}, {X: 10000, Y: 0}, {X: 10000, Y: 10000}, {X: 0, Y: 10000}, {X: 0, Y: 0}}}})
	for _, row := range []struct {
		id, state int
		mark      any
		edited    bool
		kind      geometry.Kind
	}{{200, 1, edited, true, geometry.KindPoint}, {201, 2, nil, false, geometry.KindPolygon}, {202, 0, nil, false, geometry.KindPoint}} {
		var rings []byte
		if row.kind == geometry.KindPolygon {
			rings = square
		}
		var decided any
		if row.state != 0 {
			decided = reviewer
		}
		if _, err := db.Exec(`INSERT INTO suggestions (id, slide_id, project_id, model_name, model_version, category_id, scores, score, margin,
			kind, minx, miny, maxx, maxy, rings, posted_by, created_at, state, mark_id, edited, decided_by, decided_at)
			VALUES (?, ?, ?, 'pathofusion', 'v3', ?, '{}', 0.625, 0.5, ?, 0, 0, 10000, 10000, ?, 1, ?, ?, ?, ?, ?, ?)`,
			row.id, sl, project, tumor, row.kind, rings, now, row.state, row.mark, row.edited, decided, now); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := func(negatives bool) *export.Snapshot {
		p := export.Params{ProjectID: w.Project, Formats: []string{"geojson", "csv", "coco"}, HardNegatives: negatives}
		if err := p.Normalize(); err != nil {
			t.Fatal(err)
		}
		snap, err := New(db, time.Now).Snapshot(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	if snap := snapshot(false); len(snap.Marks) != 1 || len(snap.Categories) != 2 {
		t.Fatalf("without hard_negatives: %d marks, %d categories; want 1 and 2", len(snap.Marks), len(snap.Categories))
	}
	snap := snapshot(true)
	if len(snap.Marks) != 2 || len(snap.Categories) != 4 {
		t.Fatalf("with hard_negatives: %d marks, %d categories; want 2 (the mark, the rejected suggestion) and 4", len(snap.Marks), len(snap.Categories))
	}
	var neg *export.Category
	for i, c := range snap.Categories {
		if c.HardNegativeOf == tumor {
			neg = &snap.Categories[i]
		}
	}
	if want := (export.Category{ID: -tumor, ClassID: 5, Name: "hard_negative:tumor", Color: "#ff0000", HardNegativeOf: tumor}); neg == nil || *neg != want {
		t.Fatalf("hard-negative class %+v, want %+v (class id 4+1)", neg, want)
	}
	got, want := snap.Marks[1], export.Source{Suggestion: 201, Model: "pathofusion", Version: "v3", Score: 0.625, Rejected: true}
	if got.ID != 201 || got.CategoryID != -tumor || got.AuthorID != reviewer || got.Shape != "polygon" || got.Source == nil || *got.Source != want {
		t.Fatalf("hard negative %+v (source %+v)", got, got.Source)
	}
	if s := snap.Marks[0].Source; s == nil || !s.Edited || snap.Marks[0].Provenance() != export.ProvenanceModelEdited {
		t.Fatalf("the edited accept's source is %+v", s)
	}

	csv := string(export.CSV(snap))
	for _, want := range []string{",provenance,model,model_version,score\n", ",model_edited,pathofusion,v3,0.625\n",
		",-" + strconv.FormatInt(tumor, 10) + ",5,hard_negative:tumor,", ",hard_negative,pathofusion,v3,0.625\n"} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
	var coco struct {
		Categories []struct {
			ID   int
			Name string
		}
		Annotations []struct {
			ID         int64
			Attributes map[string]any
		}
	}
	if err := json.Unmarshal(export.COCO(snap, "test"), &coco); err != nil {
		t.Fatal(err)
	}
	if len(coco.Annotations) != 1 || coco.Annotations[0].ID != edited+201 ||
		fmt.Sprint(coco.Annotations[0].Attributes) != "map[model:pathofusion model_version:v3 provenance:hard_negative score:0.625 suggestion_id:201]" {
		t.Errorf("COCO annotations %+v; want the rejected square only (the edited accept is a point), id %d", coco.Annotations, edited+201)
	}
	if !slices.ContainsFunc(coco.Categories, func(c struct {
		ID   int
		Name string
	}) bool {
		return c.ID == 5 && c.Name == "hard_negative:tumor"
	}) {
		t.Errorf("COCO categories %+v lack hard_negative:tumor as 5", coco.Categories)
	}
	var files []string
	for _, b := range export.GeoJSON(snap) {
		files = append(files, string(b))
	}
	if len(files) != 1 || !strings.Contains(files[0], `"source":{"suggestion":200,"model":"pathofusion","version":"v3","score":0.625,"edited":true}`) ||
		!strings.Contains(files[0], `"classification":{"name":"hard_negative:tumor","color":[255,0,0]}`) ||
		!strings.Contains(files[0], `"source":{"suggestion":201,"model":"pathofusion","version":"v3","score":0.625,"rejected":true}`) {
		t.Errorf("GeoJSON %v; want the edited source and the hard negative", files)
	}
}
