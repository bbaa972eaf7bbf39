package mysql_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/mysql"
)

// The tiler's side of the job engine on real MariaDB: a claimed job knows
// its slide, the slide follows the job through a permanent failure, and a
// retry queues it again with its attempts reset; a slide can be retried
// only once it failed, and only in a project that exists.
func TestSlideFollowsItsJob(t *testing.T) {
	db, _ := testenv.MustDB(t)
	f := testenv.MustPrincipals(t, db)
	ctx := context.Background()
	s := mysql.New(db, time.Now)

	if err := s.CreateSlide(ctx, &tiler.Slide{ProjectID: 1 << 40, Name: "x", SourceKey: "k"}); platform.ErrorCode(err) != platform.EINVALID {
		t.Fatalf("a slide in no project: %v, want invalid", err)
	}
	admin := f.Users[testenv.Admin]
	sl := &tiler.Slide{ProjectID: f.Project, CaseID: "c1", Stain: "HE", Name: "s.svs", SourceKey: "sources/a/source",
		TileSize: 254, TileOverlap: 1, TileFormat: "jpeg", CreatedBy: &admin}
	if err := s.CreateSlide(ctx, sl); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetrySlide(ctx, sl.ID); platform.ErrorCode(err) != platform.ECONFLICT {
		t.Fatalf("retrying a queued slide: %v, want conflict", err)
	}

	job, err := s.Claim(ctx, "w1", time.Minute, 3)
	if err != nil || job == nil {
		t.Fatalf("claim: %v, %v", job, err)
	}
	if job.Kind != tiler.KindSlide || job.Target.ID != sl.ID || job.Target.Table != "slides" || job.Attempts != 1 {
		t.Fatalf("claimed %+v", job)
	}
	if got, _ := s.Slide(ctx, sl.ID); got.Status != tiler.StatusProcessing {
		t.Fatalf("claimed slide is %s, want processing", got.Status)
	}
	if err := s.Queue().Fail(ctx, &job.Lease, "not a slide", true, 3, 0); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Slide(ctx, sl.ID)
	if got.Status != tiler.StatusFailed || !strings.Contains(got.Error, "not a slide") {
		t.Fatalf("after a permanent failure the slide is %s (%q)", got.Status, got.Error)
	}

	got, err = s.RetrySlide(ctx, sl.ID)
	if err != nil || got.Status != tiler.StatusQueued || got.Error != "" {
		t.Fatalf("retry: %+v, %v", got, err)
	}
	job, err = s.Claim(ctx, "w2", time.Minute, 3)
	if err != nil || job == nil || job.Attempts != 1 {
		t.Fatalf("claim after the retry: %+v, %v; want attempt 1", job, err)
	}
	if n, err := s.Pending(ctx); err != nil || n != 1 {
		t.Fatalf("pending %d, %v; want 1", n, err)
	}
}
