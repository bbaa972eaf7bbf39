package mysql_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/annotationtest"
	"github.com/patholabel/patholabel/services/annotation/mysql"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

var model3 = annotation.Model{Name: "pathofusion", Version: "v3"}

func suggestPoint(x, y float64, scores map[int64]float64) annotation.SuggestionDraft {
	p := point(x, y, 0)
	best, _ := annotation.MarginOf(scores)
	return annotation.SuggestionDraft{CategoryID: best, Scores: scores, Geometry: p.Geometry}
}

// mustModelUser adds a user holding the model role in the world's project.
func mustModelUser(tb testing.TB, w *annotationtest.World) *access.Principal {
	tb.Helper()
	u := w.MustUser(tb, "model", "none")
	if _, err := w.DB.Exec(`INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, 'model', ?)`, w.Project, u.ID, time.Now().UTC()); err != nil {
		tb.Fatal(err)
	}
	u.Principal.Projects[w.Project] = access.ProjectModel
	return u.Principal
}

func mustPost(tb testing.TB, s *mysql.Store, p *access.Principal, slide int64, drafts ...annotation.SuggestionDraft) []int64 {
	tb.Helper()
	ids, err := s.PostSuggestions(context.Background(), p, mustSlide(tb, s, slide), model3, drafts)
	if err != nil {
		tb.Fatalf("post suggestions: %v", err)
	}
	return ids
}

func TestSuggestionsNextByMarginAndProgress(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	ids := mustPost(t, s, mustModelUser(t, w), w.Slide,
		suggestPoint(100, 100, map[int64]float64{tumor: 0.9, stroma: 0.1}),   // margin 0.8
		suggestPoint(200, 200, map[int64]float64{tumor: 0.45, stroma: 0.55}), // 0.1
		suggestPoint(300, 300, map[int64]float64{tumor: 0.5}),                // lone 0.5 against "none": 0
		suggestPoint(400, 400, map[int64]float64{stroma: 0.7, tumor: 0.2}),   // 0.5
	)
	if len(ids) != 4 || ids[1] != ids[0]+1 {
		t.Fatalf("ids %v", ids)
	}
	var order []int64
	for after := int64(0); ; {
		sg, err := s.NextSuggestion(ctx, w.Slide, "", after)
		if platform.ErrorCode(err) == platform.ENOTFOUND {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, sg.ID)
		after = sg.ID
	}
	if want := []int64{ids[2], ids[1], ids[3], ids[0]}; !equalIDs(order, want) {
		t.Fatalf("next order %v, want %v (smallest margin first)", order, want)
	}
	sg, err := s.Suggestion(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if sg.CategoryID != stroma || sg.Score != 0.55 || math.Abs(sg.Margin-0.1) > 1e-9 || sg.State != annotation.SuggestionUndecided || sg.Model != model3 {
		t.Fatalf("suggestion %+v", sg)
	}

	ann, sl := w.Users["annotator"].Principal, mustSlide(t, s, w.Slide)
	if _, err := s.RejectSuggestion(ctx, ann, sl, ids[2]); err != nil {
		t.Fatal(err)
	}
	next, err := s.NextSuggestion(ctx, w.Slide, annotation.ByUncertainty, 0)
	if err != nil || next.ID != ids[1] {
		t.Fatalf("after rejecting the most uncertain, next is %d (%v), want %d", next.ID, err, ids[1])
	}
	if _, err := s.AcceptSuggestion(ctx, ann, sl, ids[1], annotation.AcceptEdit{}); err != nil {
		t.Fatal(err)
	}
	pr, err := s.SuggestionProgress(ctx, w.Slide, annotation.Model{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (annotation.SuggestionProgress{Total: 4, Reviewed: 2, Undecided: 2, Accepted: 1, Rejected: 1}); pr != want {
		t.Fatalf("slide progress %+v, want %+v", pr, want)
	}
	other := w.MustSlide(t, w.Project, 1000, 1000)
	mustPost(t, s, w.Users["manager"].Principal, other, suggestPoint(10, 10, map[int64]float64{tumor: 1}))
	v4 := annotation.Model{Name: model3.Name, Version: "v4"}
	if _, err := s.PostSuggestions(ctx, w.Users["manager"].Principal, mustSlide(t, s, other), v4, []annotation.SuggestionDraft{suggestPoint(20, 20, map[int64]float64{tumor: 1})}); err != nil {
		t.Fatal(err)
	}
	pp, err := s.ProjectSuggestionProgress(ctx, w.Project, annotation.Model{})
	if err != nil {
		t.Fatal(err)
	}
	want := annotation.ProjectProgress{SuggestionProgress: annotation.SuggestionProgress{Total: 6, Reviewed: 2, Undecided: 4, Accepted: 1, Rejected: 1},
		Slides: []annotation.SlideProgress{{SlideID: w.Slide, SuggestionProgress: pr}, {SlideID: other,
			SuggestionProgress: annotation.SuggestionProgress{Total: 2, Undecided: 2}}},
		Models: []string{"pathofusion@v3", "pathofusion@v4"}}
	if fmt.Sprint(pp) != fmt.Sprint(want) {
		t.Fatalf("project progress %+v, want %+v", pp, want)
	}
	if pp, err = s.ProjectSuggestionProgress(ctx, w.Project, v4); err != nil || pp.Total != 1 || pp.Reviewed != 0 ||
		len(pp.Slides) != 1 || pp.Slides[0].SlideID != other {
		t.Fatalf("project progress of %s: %+v %v, want 0 of 1 on slide %d only", v4, pp, err, other)
	}
	if pr, err := s.SuggestionProgress(ctx, w.Slide, model3); err != nil || pr.Total != 4 {
		t.Fatalf("slide progress of %s: %+v %v", model3, pr, err)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAcceptMakesAMarkWithProvenance(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	ids := mustPost(t, s, mustModelUser(t, w), w.Slide,
		suggestPoint(1000, 1000, map[int64]float64{tumor: 0.6, stroma: 0.4}),
		suggestPoint(2000, 2000, map[int64]float64{tumor: 0.6, stroma: 0.4}))
	marks, _, _ := s.Find(ctx, annotation.Filter{SlideID: w.Slide, Limit: 100})
	if len(marks) != 0 {
		t.Fatalf("suggestions appear as marks before any accept: %d", len(marks))
	}
	ann, sl := w.Users["annotator"].Principal, mustSlide(t, s, w.Slide)
	out, err := s.AcceptSuggestion(ctx, ann, sl, ids[0], annotation.AcceptEdit{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Mark.AuthorID != ann.UserID || out.Mark.CategoryID != tumor || out.Suggestion.Decision.MarkID != out.Mark.ID || out.Suggestion.Decision.Edited {
		t.Fatalf("accepted %+v", out)
	}
	moved := point(2100, 2100, 0).Geometry
	edited, err := s.AcceptSuggestion(ctx, ann, sl, ids[1], annotation.AcceptEdit{CategoryID: stroma, Geometry: &moved})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Mark.CategoryID != stroma || edited.Mark.Geometry.BBox() != moved.BBox() {
		t.Fatalf("edited accept made %+v", edited.Mark)
	}
	sg, err := s.Suggestion(ctx, ids[1])
	if err != nil || sg.State != annotation.SuggestionAccepted || sg.Decision == nil || !sg.Decision.Edited ||
		sg.Decision.By != ann.UserID || sg.Decision.MarkID != edited.Mark.ID || sg.Score != 0.6 {
		t.Fatalf("decision record %+v %+v %v", sg, sg.Decision, err)
	}
	marks, _, _ = s.Find(ctx, annotation.Filter{SlideID: w.Slide, Limit: 100})
	if len(marks) != 2 {
		t.Fatalf("%d marks after two accepts", len(marks))
	}
	// The route's rule let the caller in to a slide; a suggestion of
	// another slide is not reached through it.
	fresh := mustPost(t, s, w.Users["manager"].Principal, w.Slide, suggestPoint(3000, 3000, map[int64]float64{tumor: 0.7}))[0]
	other := w.MustSlide(t, w.Project, 4000, 4000)
	for _, tc := range []struct {
		name string
		do   func() error
		code string
	}{
		{"accept twice", func() error { _, err := s.AcceptSuggestion(ctx, ann, sl, ids[0], annotation.AcceptEdit{}); return err }, platform.ECONFLICT},
		{"reject accepted", func() error { _, err := s.RejectSuggestion(ctx, ann, sl, ids[0]); return err }, platform.ECONFLICT},
		{"accept on another slide", func() error {
			_, err := s.AcceptSuggestion(ctx, ann, mustSlide(t, s, other), fresh, annotation.AcceptEdit{})
			return err
		}, platform.ENOTFOUND},
		{"reject on another slide", func() error { _, err := s.RejectSuggestion(ctx, ann, mustSlide(t, s, other), fresh); return err }, platform.ENOTFOUND},
		{"missing", func() error { _, err := s.RejectSuggestion(ctx, ann, sl, ids[1]+100); return err }, platform.ENOTFOUND},
	} {
		if code := platform.ErrorCode(tc.do()); code != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, code, tc.code)
		}
	}
	marks, _, _ = s.Find(ctx, annotation.Filter{SlideID: w.Slide, Limit: 100})
	if len(marks) != 2 {
		t.Fatalf("%d marks after refused decisions, want still 2", len(marks))
	}
	if sg, err := s.Suggestion(ctx, fresh); err != nil || sg.State != annotation.SuggestionUndecided {
		t.Fatalf("suggestion %d after decisions through another slide: %+v %v, want undecided", fresh, sg, err)
	}
}

// The store refuses what is wrong with the suggestions; who may post was
// the route's rule's to decide (http/suggestion_test.go).
func TestPostSuggestionsRefusals(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, sl := w.Categories["tumor"], mustSlide(t, s, w.Slide)
	good := suggestPoint(10, 10, map[int64]float64{tumor: 0.9})
	for _, tc := range []struct {
		name   string
		p      *access.Principal
		m      annotation.Model
		drafts []annotation.SuggestionDraft
		code   string
	}{
		{"no model version", w.Users["manager"].Principal, annotation.Model{Name: "x"}, []annotation.SuggestionDraft{good}, platform.EINVALID},
		{"archived category", w.Users["manager"].Principal, model3, []annotation.SuggestionDraft{good, suggestPoint(10, 10, map[int64]float64{w.Categories["retired"]: 0.9})}, platform.EINVALID},
		{"off the slide", w.Users["manager"].Principal, model3, []annotation.SuggestionDraft{suggestPoint(1e6, 10, map[int64]float64{tumor: 0.9})}, platform.EINVALID},
		{"none", w.Users["manager"].Principal, model3, nil, platform.EINVALID},
	} {
		_, err := s.PostSuggestions(ctx, tc.p, sl, tc.m, tc.drafts)
		if code := platform.ErrorCode(err); code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	var pe *platform.Error
	_, err := s.PostSuggestions(ctx, w.Users["manager"].Principal, sl, model3, []annotation.SuggestionDraft{good, suggestPoint(10, 10, map[int64]float64{99999: 0.5})})
	if !errors.As(err, &pe) || pe.Message != fmt.Sprintf("feature 1: category 99999 does not exist in project %d", w.Project) {
		t.Errorf("unknown category: %v, want it to name feature 1", err)
	}
	if pr, _ := s.SuggestionProgress(ctx, w.Slide, annotation.Model{}); pr.Total != 0 {
		t.Fatalf("refused posts stored %d suggestions", pr.Total)
	}
}

func TestFindSuggestionsAndModelMarks(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	mp := mustModelUser(t, w)
	ids := mustPost(t, s, mp, w.Slide,
		suggestPoint(100, 100, map[int64]float64{tumor: 0.9}),
		suggestPoint(5000, 5000, map[int64]float64{stroma: 0.9}))
	sl := mustSlide(t, s, w.Slide)
	if _, err := s.PostSuggestions(ctx, mp, sl, annotation.Model{Name: "pathofusion", Version: "v4"},
		[]annotation.SuggestionDraft{suggestPoint(120, 120, map[int64]float64{tumor: 0.8})}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RejectSuggestion(ctx, w.Users["annotator"].Principal, sl, ids[1]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    annotation.SuggestionFilter
		want int
	}{
		{"all", annotation.SuggestionFilter{}, 3},
		{"bbox", annotation.SuggestionFilter{BBox: box(0, 0, 1000, 1000)}, 2},
		{"undecided", annotation.SuggestionFilter{State: annotation.SuggestionUndecided}, 2},
		{"rejected", annotation.SuggestionFilter{State: annotation.SuggestionRejected}, 1},
		{"model v3", annotation.SuggestionFilter{Model: model3}, 2},
		{"limit", annotation.SuggestionFilter{Limit: 1}, 1},
	} {
		tc.f.SlideID = w.Slide
		if tc.f.Limit == 0 {
			tc.f.Limit = 100
		}
		got, truncated, err := s.FindSuggestions(ctx, tc.f)
		if err != nil || len(got) != tc.want || truncated != (tc.name == "limit") {
			t.Errorf("%s: %d suggestions (truncated %v, %v), want %d", tc.name, len(got), truncated, err, tc.want)
		}
	}
	marks, _, err := s.ModelMarks(ctx, annotation.Filter{SlideID: w.Slide, Limit: 100}, model3)
	if err != nil || len(marks) != 2 || marks[0].CategoryID != tumor || marks[1].CategoryID != stroma {
		t.Fatalf("model marks %+v %v", marks, err)
	}
	out, err := s.AcceptSuggestion(ctx, w.Users["annotator"].Principal, sl, ids[0], annotation.AcceptEdit{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, w.Users["annotator"].Principal, mustSlide(t, s, w.Slide), []annotation.Draft{point(50, 50, tumor)}, ""); err != nil {
		t.Fatal(err)
	}
	accepted, _, err := s.AcceptedMarks(ctx, annotation.Filter{SlideID: w.Slide, Limit: 100}, model3)
	if err != nil || len(accepted) != 1 || accepted[0].ID != out.Mark.ID {
		t.Fatalf("accepted set %+v %v, want only mark %d (not the hand-drawn one)", accepted, err, out.Mark.ID)
	}
	if other, _, _ := s.AcceptedMarks(ctx, annotation.Filter{SlideID: w.Slide, Limit: 100}, annotation.Model{Name: "pathofusion", Version: "v4"}); len(other) != 0 {
		t.Fatalf("v4's accepted set holds v3's accept: %+v", other)
	}
}

func TestNextByDisagreement(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	ids := mustPost(t, s, mustModelUser(t, w), w.Slide,
		suggestPoint(100, 100, map[int64]float64{tumor: 0.5, stroma: 0.5}),   // most uncertain; a tumor mark agrees
		suggestPoint(3000, 3000, map[int64]float64{tumor: 0.9, stroma: 0.1})) // certain, but a stroma mark is there
	if _, err := s.Create(ctx, w.Users["annotator"].Principal, mustSlide(t, s, w.Slide), []annotation.Draft{point(100, 100, tumor), point(3000, 3000, stroma)}, ""); err != nil {
		t.Fatal(err)
	}
	sg, err := s.NextSuggestion(ctx, w.Slide, annotation.ByDisagreement, 0)
	if err != nil || sg.ID != ids[1] {
		t.Fatalf("next by disagreement %d (%v), want %d", sg.ID, err, ids[1])
	}
	if _, err := s.NextSuggestion(ctx, w.Slide, "loudest", 0); platform.ErrorCode(err) != platform.EINVALID {
		t.Fatalf("unknown order: %v", err)
	}
}

// TestEditedAcceptIsRecordedAsEdited: an accept with another category or
// another shape is recorded as edited, the suggestion keeping what the
// model said (category, shape, score); sending the suggested shape back
// unchanged, or the suggested category, is no edit.
func TestEditedAcceptIsRecordedAsEdited(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	at := func(x float64) annotation.SuggestionDraft {
		return suggestPoint(x, 500, map[int64]float64{tumor: 0.7, stroma: 0.3})
	}
	ids := mustPost(t, s, mustModelUser(t, w), w.Slide, at(100), at(200), at(300), at(400))
	originals := make([]annotation.Suggestion, len(ids))
	for i, id := range ids {
		var err error
		if originals[i], err = s.Suggestion(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	moved := point(210, 510, 0).Geometry
	same := originals[2].Geometry
	ann := w.Users["annotator"].Principal
	for i, tc := range []struct {
		name     string
		edit     annotation.AcceptEdit
		edited   bool
		category int64
	}{
		{"another category", annotation.AcceptEdit{CategoryID: stroma}, true, stroma},
		{"another shape", annotation.AcceptEdit{Geometry: &moved}, true, tumor},
		{"the suggested shape and category sent back", annotation.AcceptEdit{CategoryID: tumor, Geometry: &same}, false, tumor},
		{"as suggested", annotation.AcceptEdit{}, false, tumor},
	} {
		out, err := s.AcceptSuggestion(ctx, ann, mustSlide(t, s, w.Slide), ids[i], tc.edit)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		sg, err := s.Suggestion(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if sg.Decision == nil || sg.Decision.Edited != tc.edited || out.Suggestion.Decision.Edited != tc.edited || sg.Decision.MarkID != out.Mark.ID {
			t.Errorf("%s: decision %+v, want edited %v", tc.name, sg.Decision, tc.edited)
		}
		if out.Mark.CategoryID != tc.category {
			t.Errorf("%s: the mark is of category %d, want %d", tc.name, out.Mark.CategoryID, tc.category)
		}
		o := originals[i]
		if sg.CategoryID != o.CategoryID || sg.Score != o.Score || fmt.Sprint(sg.Geometry) != fmt.Sprint(o.Geometry) || fmt.Sprint(sg.Scores) != fmt.Sprint(o.Scores) {
			t.Errorf("%s: the suggestion changed from %+v to %+v; the model's category, shape and scores must be kept", tc.name, o, sg)
		}
	}
	if b := moved.BBox(); func() annotation.BBox {
		m, err := s.Suggestion(ctx, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		return m.Geometry.BBox()
	}() == b {
		t.Fatal("the edited shape was written over the suggestion's")
	}
	var edited int
	if err := w.DB.QueryRow(`SELECT COUNT(*) FROM suggestions WHERE slide_id = ? AND edited`, w.Slide).Scan(&edited); err != nil || edited != 2 {
		t.Fatalf("%d rows say edited (%v), want 2", edited, err)
	}
}
