package mysql_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/annotationtest"
	"github.com/patholabel/patholabel/services/annotation/mysql"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func mustStore(tb testing.TB) (*mysql.Store, *annotationtest.World) {
	tb.Helper()
	db, _ := testenv.MustDB(tb)
	return mysql.New(db, annotation.DefaultConfig(), time.Now), annotationtest.MustWorld(tb, db)
}

// mustSlide reads a slide as the routes' access rule does before a write.
func mustSlide(tb testing.TB, s *mysql.Store, id int64) annotation.Slide {
	tb.Helper()
	sl, err := s.Slide(context.Background(), id)
	if err != nil {
		tb.Fatalf("read slide %d: %v", id, err)
	}
	return sl
}

// feature parses a GeoJSON Feature literal.
func feature(tb testing.TB, s string) annotation.Feature {
	tb.Helper()
	var f annotation.Feature
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		tb.Fatalf("parse %s: %v", s, err)
	}
	return f
}

func draft(tb testing.TB, s string) annotation.Draft {
	tb.Helper()
	d, err := feature(tb, s).Draft()
	if err != nil {
		tb.Fatalf("draft %s: %v", s, err)
	}
	return d
}

func point(x, y float64, cat int64) annotation.Draft {
	p, _ := annotation.PtOf(x, y)
	return annotation.Draft{CategoryID: cat, Geometry: annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{p}}, Radius: 5000}}
}

func TestCreateFindUpdateDelete(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	ann := w.Users["annotator"].Principal
	tumor := w.Categories["tumor"]
	poly := draft(t, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1000,1000],[3000,1000],[3000,2500],[1000,1000]],[[2000,1200],[2800,1200],[2800,1500],[2000,1200]]]},"properties":{"category_id":`+itoa(tumor)+`,"note":"hole"}}`)
	out, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{point(10.5, 20.25, tumor), point(50_000, 40_000, tumor), poly}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Marks) != 3 || out.Marks[0].Version != 1 || len(out.Changes) != 1 || len(out.Changes[0].IDs) != 3 {
		t.Fatalf("created %+v", out)
	}
	for _, tc := range []struct {
		name string
		box  annotation.BBox
		want int
	}{
		{"around first point", box(0, 0, 100, 100), 1},
		{"radius reaches in", box(15, 0, 100, 100), 1},
		{"far away", box(90_000, 70_000, 99_000, 79_000), 0},
		{"inside polygon hole box", box(2100, 1300, 2200, 1400), 1},
		{"whole slide", annotation.BBox{}, 3},
	} {
		marks, truncated, err := s.Find(ctx, annotation.Filter{SlideID: w.Slide, BBox: tc.box, Limit: 100})
		if err != nil || len(marks) != tc.want || truncated {
			t.Errorf("%s: got %d marks (truncated %v, err %v), want %d", tc.name, len(marks), truncated, err, tc.want)
		}
	}
	got, err := s.Mark(ctx, out.Marks[2].ID)
	if err != nil || got.Note != "hole" || len(got.Geometry.Rings) != 2 || got.Geometry.Rings[1][1] != (annotation.Pt{X: 2_800_000, Y: 1_200_000}) {
		t.Fatalf("read polygon back: %+v %v", got, err)
	}

	edit := annotation.Edit{ID: got.ID, Version: 1, Feature: feature(t, `{"type":"Feature","properties":{"category_id":`+itoa(w.Categories["stroma"])+`}}`)}
	res, err := s.Apply(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Edit{edit}, nil)
	if err != nil || res.Updated[0].Version != 2 || res.Updated[0].CategoryID != w.Categories["stroma"] || len(res.Updated[0].Geometry.Rings) != 2 {
		t.Fatalf("update: %+v %v", res, err)
	}
	// A second client still holding version 1 is refused and shown version 2.
	_, err = s.Apply(ctx, w.Users["reviewer"].Principal, mustSlide(t, s, w.Slide), []annotation.Edit{edit}, nil)
	var ce *annotation.ConflictError
	if !errors.As(err, &ce) || platform.ErrorCode(err) != platform.ECONFLICT || ce.Current[0].Version != 2 {
		t.Fatalf("stale update: %v, want conflict carrying version 2", err)
	}
	if _, err := s.Apply(ctx, ann, mustSlide(t, s, w.Slide), nil, []annotation.Ref{{ID: got.ID, Version: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mark(ctx, got.ID); platform.ErrorCode(err) != platform.ENOTFOUND {
		t.Fatalf("deleted mark read: %v, want not_found", err)
	}
}

func box(x0, y0, x1, y1 float64) annotation.BBox {
	a, _ := annotation.PtOf(x0, y0)
	b, _ := annotation.PtOf(x1, y1)
	return annotation.BBox{MinX: a.X, MinY: a.Y, MaxX: b.X, MaxY: b.Y}
}

func itoa(n int64) string { return annotation.FormatUnits(n * annotation.Scale) }

// TestPermissions checks the rule the store keeps inside its transaction:
// whose marks a caller may change. Who may create, review or set a status
// at all is the routes' access rules' (annotation.CheckWrite, the
// endpoint-by-role test in cmd/annotation).
func TestPermissions(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor := w.Categories["tumor"]
	mine, err := s.Create(ctx, w.Users["annotator"].Principal, mustSlide(t, s, w.Slide), []annotation.Draft{point(1, 1, tumor)}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := mine.Marks[0].ID
	for _, tc := range []struct {
		user, want string
	}{
		{"viewer", platform.EFORBIDDEN},
		{"outsider", platform.ENOTFOUND},
		{"annotator2", platform.EFORBIDDEN},
		{"reviewer", ""},
		{"manager", ""},
		{"admin", ""},
	} {
		m, _ := s.Mark(ctx, id)
		edit := annotation.Edit{ID: id, Version: m.Version, Feature: feature(t, `{"type":"Feature","properties":{"note":"`+tc.user+`"}}`)}
		_, err := s.Apply(ctx, w.Users[tc.user].Principal, mustSlide(t, s, w.Slide), []annotation.Edit{edit}, nil)
		if platform.ErrorCode(err) != tc.want {
			t.Errorf("%s edits the annotator's mark: %v, want %q", tc.user, err, tc.want)
		}
	}
}

func TestValidationWritesNothing(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	ann := w.Users["annotator"].Principal
	tumor := w.Categories["tumor"]
	other := w.MustProject(t, "other")
	foreign := w.MustCategory(t, other, 1, "alien", "#123456", false)
	special := w.MustCategory(t, w.Project, 5, "special", "#abcdef", false)
	if _, err := w.DB.Exec(`INSERT INTO category_assignments (category_id, user_id) VALUES (?, ?)`, special, w.Users["annotator2"].ID); err != nil {
		t.Fatal(err)
	}
	sq := func(coords string) annotation.Draft {
		return draft(t, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":`+coords+`},"properties":{"category_id":`+itoa(tumor)+`}}`)
	}
	for _, tc := range []struct {
		name string
		bad  annotation.Draft
		want string
	}{
		{"unknown category", point(1, 1, 999_999), "category 999999 does not exist"},
		{"foreign category", point(1, 1, foreign), "does not exist in project"},
		{"archived category", point(1, 1, w.Categories["retired"]), "archived"},
		{"category assigned to another annotator", point(1, 1, special), "not assigned"},
		{"outside the slide", point(100_001, 5, tumor), "outside the slide"},
		{"negative", point(-1, 5, tumor), "outside the slide"},
		{"bow tie", sq(`[[[0,0],[10,10],[10,0],[0,10],[0,0]]]`), "intersects itself"},
		{"collinear", sq(`[[[0,0],[5,5],[10,10],[0,0]]]`), "degenerate"},
		{"two corners", sq(`[[[0,0],[5,5],[0,0],[0,0]]]`), "degenerate"},
		{"not closed", sq(`[[[0,0],[10,0],[10,10],[0,10]]]`), "not closed"},
		{"hole outside", sq(`[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[20,20],[30,20],[30,30],[20,20]]]`), "hole 1 lies outside"},
		{"hole crossing", sq(`[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[5,5],[15,5],[15,8],[5,5]]]`), "cross or touch"},
		{"spike", sq(`[[[0,0],[10,0],[5,0],[5,5],[0,0]]]`), "intersects itself"},
	} {
		_, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{point(7, 7, tumor), tc.bad}, "")
		if platform.ErrorCode(err) != platform.EINVALID || !strings.Contains(err.Error(), "feature 1") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want invalid naming feature 1 and %q", tc.name, err, tc.want)
		}
	}
	if marks, _, _ := s.Find(ctx, annotation.Filter{SlideID: w.Slide, Limit: 10}); len(marks) != 0 {
		t.Fatalf("%d marks written by failed batches", len(marks))
	}
	big := make([]annotation.Pt, 0, 30_001)
	for i := range 30_000 {
		big = append(big, annotation.Pt{X: int64(i) * 1000, Y: int64(i%2) * 1000})
	}
	line := annotation.Draft{CategoryID: tumor, Geometry: annotation.Geometry{Kind: annotation.KindPolyline, Rings: [][]annotation.Pt{big}}}
	if _, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{line}, ""); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Fatalf("too many vertices: %v", err)
	}
}

func TestIdempotentCreate(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	ann := w.Users["annotator"].Principal
	drafts := []annotation.Draft{point(1, 1, w.Categories["tumor"]), point(2, 2, w.Categories["tumor"])}
	first, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), drafts, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), drafts, "key-1")
	if err != nil || !again.Replayed || string(again.Body) != string(first.Body) || len(again.Changes) != 0 {
		t.Fatalf("retry: replayed %v err %v", again.Replayed, err)
	}
	if _, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), drafts[:1], "key-1"); platform.ErrorCode(err) != platform.ECONFLICT {
		t.Fatalf("key reused for another request: %v, want conflict", err)
	}
	if marks, _, _ := s.Find(ctx, annotation.Filter{SlideID: w.Slide, Limit: 10}); len(marks) != 2 {
		t.Fatalf("%d marks after a retried create, want 2", len(marks))
	}
}

func TestGridCounts(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	drafts := []annotation.Draft{point(10, 10, tumor), point(1000, 1000, tumor), point(1030, 10, stroma), point(5000, 5000, tumor)}
	out, err := s.Create(ctx, w.Users["annotator"].Principal, mustSlide(t, s, w.Slide), drafts, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, w.Users["annotator"].Principal, mustSlide(t, s, w.Slide), nil, []annotation.Ref{{ID: out.Marks[3].ID, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	cells, err := s.Grid(ctx, annotation.Filter{SlideID: w.Slide}, 2048)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[3]int64]int64{}
	for _, c := range cells {
		got[[3]int64{c.Col, c.Row, c.CategoryID}] = c.Count
	}
	want := map[[3]int64]int64{{0, 0, tumor}: 2, {0, 0, stroma}: 1}
	if len(got) != len(want) || got[[3]int64{0, 0, tumor}] != 2 || got[[3]int64{0, 0, stroma}] != 1 {
		t.Fatalf("grid counts %v, want %v", got, want)
	}
}

// TestCreateClipsAtTheSlideEdge: a freehand loop that runs off the slide is
// kept, cut along the edge, on create and on edit; only a mark wholly off
// the slide is refused.
func TestCreateClipsAtTheSlideEdge(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	ann := w.Users["annotator"].Principal
	tumor := w.Categories["tumor"]
	sl, err := s.Slide(ctx, w.Slide)
	if err != nil {
		t.Fatal(err)
	}
	W, H := float64(sl.Width), float64(sl.Height)
	loop := func(x0, x1 float64) annotation.Draft {
		return draft(t, fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%g,100],[%g,100],[%g,300],[%g,300],[%g,100]]]},"properties":{"category_id":%d,"shape":"freehand"}}`, x0, x1, x1, x0, x0, tumor))
	}
	out, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{loop(W-200, W+150)}, "")
	if err != nil {
		t.Fatalf("a loop over the right edge was refused: %v", err)
	}
	m, err := s.Mark(ctx, out.Marks[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	b := m.Geometry.BBox()
	if annotation.Pixels(b.MaxX) != W || annotation.Pixels(b.MinX) != W-200 || m.Geometry.Kind != annotation.KindFreehand {
		t.Fatalf("stored %v (%v), want cut at x=%g", m.Geometry.Rings, m.Geometry.Kind, W)
	}
	// Moved further off by an edit: cut again, not refused.
	res, err := s.Apply(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Edit{{ID: m.ID, Version: m.Version, Feature: feature(t, fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[100,%g],[300,%g],[300,%g],[100,%g],[100,%g]]]},"properties":{}}`, H-50, H-50, H+50, H+50, H-50))}}, nil)
	if err != nil {
		t.Fatalf("an edit over the bottom edge was refused: %v", err)
	}
	if got := annotation.Pixels(res.Updated[0].Geometry.BBox().MaxY); got != H {
		t.Fatalf("edited mark reaches y=%g, want %g", got, H)
	}
	if _, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{loop(W+100, W+300)}, ""); platform.ErrorCode(err) != platform.EINVALID || !strings.Contains(err.Error(), "outside the slide") {
		t.Fatalf("a loop wholly off the slide: %v, want invalid, outside the slide", err)
	}
}
