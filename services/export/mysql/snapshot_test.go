package mysql

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/review"
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
	kept := w.MustMark(t, a, cat, exporttest.Point(10, 10, 2), review.Pending)
	gone := w.MustMark(t, b, cat, exporttest.Point(20, 20, 2), review.Pending)
	s := New(db, time.Now)
	p := export.Params{ProjectID: w.Project, Formats: []string{"csv"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	s.afterSlides = func() {
		w.MustMark(t, a, cat, exporttest.Point(30, 30, 2), review.Pending)
		w.MustMark(t, b, cat, exporttest.Point(40, 40, 2), review.Pending)
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
	if len(snap.Marks) != 2 || snap.Marks[0].ID != kept || snap.Marks[1].ID != gone || snap.Marks[0].Review != review.Pending {
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

// TestSnapshotLargerThanAPacketRoundTrips stores a snapshot bigger than one
// chunk and (on a server with the default max_allowed_packet, which one
// row would have to fit in) bigger than a packet, then reads it back
// through Claim, as the next attempt of the job does.
func TestSnapshotLargerThanAPacketRoundTrips(t *testing.T) {
	db, _ := testenv.MustDB(t)
	w := exporttest.New(t, db, nil, "", "")
	s := New(db, time.Now)
	ctx := context.Background()
	p := export.Params{ProjectID: w.Project, Formats: []string{"csv"}}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	e, err := s.Create(ctx, p, w.Author)
	if err != nil {
		t.Fatal(err)
	}
	job, err := s.Claim(ctx, "worker-a", time.Minute, 3)
	if err != nil || job == nil || job.ID != e.ID || job.Snapshot != nil {
		t.Fatalf("claim: %+v, %v; want export %d without a snapshot", job, err, e.ID)
	}
	var packet int
	if err := db.QueryRow(`SELECT @@max_allowed_packet`).Scan(&packet); err != nil {
		t.Fatal(err)
	}
	gz := make([]byte, min(packet, 64<<20)+chunkSize+12345)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(gz) // random: incompressible, like gzip output
	if err := s.SaveSnapshot(ctx, job, gz, "hash", 1); err != nil {
		t.Fatal(err)
	}
	var rows, biggest int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(LENGTH(data)) FROM export_chunks WHERE export_id = ? AND kind = ?`, e.ID, kindSnapshot).
		Scan(&rows, &biggest); err != nil {
		t.Fatal(err)
	}
	if want := (len(gz) + chunkSize - 1) / chunkSize; rows != want || biggest > chunkSize {
		t.Fatalf("%d rows of at most %d bytes; want %d of at most %d", rows, biggest, want, chunkSize)
	}
	// A second save (a raced attempt) must not replace the first snapshot.
	if err := s.SaveSnapshot(ctx, job, []byte("other"), "other", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, job); err != nil {
		t.Fatal(err)
	}
	again, err := s.Claim(ctx, "worker-b", time.Minute, 3)
	if err != nil || again == nil || again.ID != e.ID {
		t.Fatalf("claim again: %+v, %v", again, err)
	}
	if !bytes.Equal(again.Snapshot, gz) {
		t.Fatalf("snapshot read back has %d bytes, differing from the %d saved", len(again.Snapshot), len(gz))
	}
	if got, err := s.Get(ctx, e.ID); err != nil || got.SnapshotSHA256 != "hash" || got.Marks != 1 {
		t.Fatalf("export after saving: %+v, %v", got, err)
	}
}
