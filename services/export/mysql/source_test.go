package mysql

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
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
