package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// An object store that goes down under a running export and comes back
// some seconds later must not fail the export, however many tries the
// outage takes: nothing is wrong with it. With one attempt allowed, the
// old rule (every failure counts) failed it for good at the first error;
// and a slide whose download met the outage was dropped as unreadable.
func TestObjectStoreOutageMidExportHeals(t *testing.T) {
	store := testenv.MustMinIO(t)
	env := mustMain(t, 0, store.Endpoint()) // the API only: the job waits for the worker below
	m := env.mustMarks(t)
	var e export.Export
	if st := env.call(t, testenv.Manager, "POST", "/api/v1/exports", allFormats(env.World.Project, ""), &e); st != http.StatusAccepted {
		t.Fatalf("POST /api/v1/exports = %d", st)
	}
	store.Stop()
	worker := Main{Base: env.Main.Base, Redis: env.Main.Redis, S3: env.Main.S3, Export: env.Main.Export, Log: env.Main.Log}
	worker.Export.Workers, worker.Export.MaxAttempts = 1, 1
	testenv.MustServe(t, &worker)
	down := time.Now()
	for time.Since(down) < 12*time.Second {
		var now export.Export
		env.call(t, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d", e.ID), "", &now)
		if now.Status == export.StatusFailed || now.Status == export.StatusDone {
			t.Fatalf("export %s during the outage: %s", now.Status, now.Error)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var outages int
	if err := env.World.DB.QueryRow(`SELECT outages FROM exports WHERE id = ?`, e.ID).Scan(&outages); err != nil || outages == 0 {
		t.Fatalf("the export met no outage (%v): the test proves nothing", err)
	}
	store.Start()
	got := env.wait(t, e.ID)
	if got.Status != export.StatusDone || got.Attempts != 1 {
		t.Fatalf("export after a 12 s outage: %s after %d attempts (%s), want done after 1", got.Status, got.Attempts, got.Error)
	}
	man, err := export.ParseManifest(got.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	// Only the slide whose file never existed is reported; the others were read whole.
	if len(man.Errors) != 1 || man.Errors[0].SlideID != m.missing {
		t.Errorf("slide errors after the outage %+v, want only the missing slide %d", man.Errors, m.missing)
	}
	env.checkManifest(t, got, man)
}
