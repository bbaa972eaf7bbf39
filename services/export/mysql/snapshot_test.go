package mysql

import (
	"context"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestSnapshotIgnoresMarksSavedWhileReading writes, deletes and reviews
// marks on another connection after the snapshot's first read: none of it
// may show, on a slide already read or one not yet read.
func TestSnapshotIgnoresMarksSavedWhileReading(t *testing.T) {
	db, _ := testenv.MustDB(t)
	w := exporttest.New(t, db, nil, "", "")
	cat := w.MustCategory(t, 1, "tumor", "#ff0000")
	a := w.MustSlide(t, exporttest.SlideSpec{Width: 1000, Height: 1000})
	b := w.MustSlide(t, exporttest.SlideSpec{Width: 1000, Height: 1000})
	kept := w.MustMark(t, a, cat, exporttest.Point(10, 10, 2), annotation.ReviewPending)
	gone := w.MustMark(t, b, cat, exporttest.Point(20, 20, 2), annotation.ReviewPending)
	s := New(db, time.Now)
	p := export.Params{ProjectID: w.Project, Formats: []string{"csv"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	s.afterSlides = func() {
		w.MustMark(t, a, cat, exporttest.Point(30, 30, 2), annotation.ReviewPending)
		w.MustMark(t, b, cat, exporttest.Point(40, 40, 2), annotation.ReviewPending)
		if _, err := db.Exec(`DELETE FROM annotations WHERE id = ?`, gone); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE annotations SET review = 1 WHERE id = ?`, kept); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := s.Snapshot(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Marks) != 2 || snap.Marks[0].ID != kept || snap.Marks[1].ID != gone || snap.Marks[0].Review != annotation.ReviewPending {
		t.Fatalf("snapshot marks %+v; want exactly the two marks as they were when it began", snap.Marks)
	}
	s.afterSlides = nil
	after, err := s.Snapshot(context.Background(), p)
	if err != nil || len(after.Marks) != 3 {
		t.Fatalf("a later snapshot has %d marks (%v), want 3", len(after.Marks), err)
	}
	if export.Hash(snap.Canonical()) == export.Hash(after.Canonical()) {
		t.Fatal("different marks, same snapshot hash")
	}
}
