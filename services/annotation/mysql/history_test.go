package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/mysql"
	"github.com/patholabel/patholabel/services/platform"
)

// clock is a test clock that moves only when told.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }
func (c *clock) tick() time.Time {
	c.t = c.t.Add(time.Minute)
	return c.t
}

func TestHistoryAndRestore(t *testing.T) {
	_, w := mustStore(t)
	c := &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	s := mysql.New(w.DB, annotation.DefaultConfig(), c.now)
	ctx := context.Background()
	ann, rev := w.Users["annotator"].Principal, w.Users["reviewer"].Principal
	tumor := w.Categories["tumor"]

	out, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{point(10, 10, tumor), point(20, 20, tumor)}, "")
	if err != nil {
		t.Fatal(err)
	}
	a, b := out.Marks[0].ID, out.Marks[1].ID
	morning := c.tick() // both marks exist, unchanged
	c.tick()
	edit := annotation.Edit{ID: a, Version: 1, Feature: feature(t, `{"type":"Feature","geometry":{"type":"Point","coordinates":[99,99]},"properties":{"radius":2}}`)}
	if _, err := s.Apply(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Edit{edit}, []annotation.Ref{{ID: b, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	c.tick()
	late, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{point(30, 30, tumor)}, "")
	if err != nil {
		t.Fatal(err)
	}

	events, err := s.History(ctx, annotation.HistoryFilter{AnnotationID: a, Limit: 10})
	if err != nil || len(events) != 2 || events[0].Action != annotation.ChangeUpdated || events[0].Before.Geometry.Rings[0][0].X != 10_000 ||
		events[0].After.Geometry.Rings[0][0].X != 99_000 || events[0].ActorID != ann.UserID {
		t.Fatalf("history of mark %d: %+v %v", a, events, err)
	}
	if events, _ := s.History(ctx, annotation.HistoryFilter{SlideID: w.Slide, Limit: 100}); len(events) != 5 {
		t.Fatalf("slide history has %d events, want 5 (3 created, 1 updated, 1 deleted)", len(events))
	}

	// A viewer may not restore; the reviewer restores the annotator's marks to the morning.
	if _, err := s.RestoreAuthor(ctx, w.Users["viewer"].Principal, mustSlide(t, s, w.Slide), ann.UserID, morning); platform.ErrorCode(err) != platform.EFORBIDDEN {
		t.Fatalf("viewer restores: %v", err)
	}
	c.tick()
	res, err := s.RestoreAuthor(ctx, rev, mustSlide(t, s, w.Slide), ann.UserID, morning)
	if err != nil || len(res.Updated) != 2 || len(res.Deleted) != 1 || res.Deleted[0] != late.Marks[0].ID {
		t.Fatalf("restore: %+v %v", res, err)
	}
	marks, _, _ := s.Find(ctx, annotation.Filter{SlideID: w.Slide, Limit: 10})
	got := map[int64]annotation.Mark{}
	for _, m := range marks {
		got[m.ID] = m
	}
	if len(got) != 2 || got[a].Geometry.Rings[0][0].X != 10_000 || got[a].Version != 3 || got[b].Version != 2 || got[b].AuthorID != ann.UserID {
		t.Fatalf("after restore: %+v", got)
	}
	// Restoring one mark to now-ish (after its edit) brings the edit back.
	c.tick()
	if res, err := s.RestoreMark(ctx, ann, a, morning.Add(90*time.Second)); err != nil || res.Updated[0].Geometry.Rings[0][0].X != 99_000 {
		t.Fatalf("restore one mark: %+v %v", res, err)
	}
	progress, err := s.Progress(ctx, mustSlide(t, s, w.Slide))
	if err != nil || len(progress) != 2 {
		t.Fatalf("progress: %+v %v", progress, err)
	}
}

func TestReviewAndStatus(t *testing.T) {
	s, w := mustStore(t)
	ctx := context.Background()
	ann := w.Users["annotator"].Principal
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	out, err := s.Create(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Draft{point(1, 1, tumor), point(2, 2, tumor), point(3, 3, stroma)}, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{out.Marks[0].ID, out.Marks[1].ID}
	if _, err := s.Review(ctx, w.Users["reviewer"].Principal, mustSlide(t, s, w.Slide), ids, "approved", ""); platform.ErrorCode(err) != platform.EINVALID {
		t.Fatalf("unknown decision: %v", err)
	}
	res, err := s.Review(ctx, w.Users["reviewer"].Principal, mustSlide(t, s, w.Slide), ids, annotation.ReviewRejected, "too loose")
	if err != nil || res.Updated[0].Review != annotation.ReviewRejected || res.Updated[0].Version != 2 {
		t.Fatalf("review: %+v %v", res, err)
	}
	ev, _ := s.History(ctx, annotation.HistoryFilter{AnnotationID: ids[0], Limit: 1})
	if ev[0].Action != annotation.ChangeReviewed || ev[0].Comment != "too loose" || ev[0].After.Review != annotation.ReviewRejected {
		t.Fatalf("review history: %+v", ev[0])
	}
	// An edit after a review sends the mark back to pending.
	edit := annotation.Edit{ID: ids[0], Version: 2, Feature: feature(t, `{"type":"Feature","properties":{"note":"fixed"}}`)}
	if r, err := s.Apply(ctx, ann, mustSlide(t, s, w.Slide), []annotation.Edit{edit}, nil); err != nil || r.Updated[0].Review != annotation.ReviewPending {
		t.Fatalf("edit after review: %+v %v", r, err)
	}

	if err := s.SetStatus(ctx, ann, mustSlide(t, s, w.Slide), "finished"); platform.ErrorCode(err) != platform.EINVALID {
		t.Fatalf("bad status: %v", err)
	}
	if err := s.SetStatus(ctx, ann, mustSlide(t, s, w.Slide), annotation.StatusDone); err != nil {
		t.Fatal(err)
	}
	progress, err := s.Progress(ctx, mustSlide(t, s, w.Slide))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]annotation.Progress{}
	for _, p := range progress {
		byName[p.Username] = p
	}
	if p := byName["annotator"]; p.Status != annotation.StatusDone || p.Counts[tumor] != 2 || p.Counts[stroma] != 1 || p.Total != 3 {
		t.Errorf("annotator progress %+v", p)
	}
	if p := byName["annotator2"]; p.Status != annotation.StatusNotStarted || p.Total != 0 {
		t.Errorf("annotator2 progress %+v", p)
	}
}
