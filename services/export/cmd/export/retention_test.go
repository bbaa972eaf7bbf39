package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
	"github.com/patholabel/patholabel/services/export/worker"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestRetentionKeepsPinnedExports: a sweep past the retention removes the
// files of finished unpinned exports and marks them expired; a pinned one
// stays whole whatever its age, and an expired one cannot be pinned.
func TestRetentionKeepsPinnedExports(t *testing.T) {
	env := MustMain(t)
	env.mustMarks(t)
	w := env.World
	body := fmt.Sprintf(`{"project_id":%d,"name":"  glioma v3 ","formats":["geojson","csv","coco"]}`, w.Project)
	kept, gone := env.mustExport(t, body), env.mustExport(t, body)
	if kept.Status != export.StatusDone || kept.Name != "glioma v3" || kept.Pinned {
		t.Fatalf("export %+v", kept)
	}
	var e export.Export
	if st := env.call(t, testenv.Manager, "PUT", fmt.Sprintf("/api/v1/exports/%d/pin", kept.ID), "", &e); st != http.StatusOK || !e.Pinned {
		t.Fatalf("pin = %d %+v", st, e)
	}
	if st := env.call(t, testenv.Annotator, "PUT", fmt.Sprintf("/api/v1/exports/%d/pin", gone.ID), "", nil); st != http.StatusForbidden {
		t.Errorf("an annotator pinned: %d", st)
	}
	man, err := export.ParseManifest(kept.Manifest)
	if err != nil || man.Params.Name != "glioma v3" {
		t.Fatalf("manifest params %+v, %v", man.Params, err)
	}
	keptFiles, goneFiles := env.count(kept.Prefix), env.count(gone.Prefix)
	r := &worker.Retention{Store: mysql.New(w.DB, time.Now), Keep: time.Hour, Log: testenv.Logger(),
		Objects: minio.New(env.S3, env.S3, env.Main.S3.SlidesBucket, env.Main.S3.ExportsBucket)}
	r.Now = time.Now // nothing is an hour old yet
	if n, err := r.Sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep within the retention expired %d: %v", n, err)
	}
	r.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if n, err := r.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep expired %d, want 1: %v", n, err)
	}
	if n := env.count(gone.Prefix); n != 0 || goneFiles == 0 {
		t.Errorf("the unpinned export keeps %d of its %d files", n, goneFiles)
	}
	if n := env.count(kept.Prefix); n != keptFiles {
		t.Errorf("the pinned export has %d files, had %d", n, keptFiles)
	}
	if st := env.call(t, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d", gone.ID), "", &e); st != http.StatusOK || e.Status != export.StatusExpired {
		t.Errorf("expired export: %d %s", st, e.Status)
	}
	if st := env.call(t, testenv.Manager, "PUT", fmt.Sprintf("/api/v1/exports/%d/pin", gone.ID), "", nil); st != http.StatusConflict {
		t.Errorf("pinning an expired export = %d, want 409", st)
	}
	if st := env.call(t, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d/files", gone.ID), "", nil); st != http.StatusConflict {
		t.Errorf("links of an expired export = %d, want 409", st)
	}
	// Unpinned, the kept one goes at the next sweep.
	if st := env.call(t, testenv.Manager, "DELETE", fmt.Sprintf("/api/v1/exports/%d/pin", kept.ID), "", &e); st != http.StatusOK || e.Pinned {
		t.Fatalf("unpin = %d %+v", st, e)
	}
	if n, err := r.Sweep(context.Background()); err != nil || n != 1 || env.count(kept.Prefix) != 0 {
		t.Errorf("sweep after unpinning expired %d (%v), %d files left", n, err, env.count(kept.Prefix))
	}
	checkAudited(t, env, kept.ID, map[string]int{"export.create": 1, "export.pin": 1, "export.unpin": 1})
}
