package main

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/geometry"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// A one-slide export reports progress while that slide is cut, not 5 %
// until the slide is done: a long single-slide export looked stuck.
func TestSingleSlideExportReportsProgressWithinTheSlide(t *testing.T) {
	env := MustMain(t)
	w := env.World
	tumor := w.MustCategory(t, 1, "tumor", "#ff0000")
	he := w.MustSlide(t, exporttest.SlideSpec{File: exporttest.SVS, Width: 2220, Height: 2967, MPP: 0.499})
	w.MustMark(t, he, tumor, exporttest.Polygon(geometry.KindRectangle, exporttest.Box(50, 50, 2150, 2900)), review.Accepted)
	var e export.Export
	body := fmt.Sprintf(`{"project_id":%d,"formats":["patches"],"patch_sizes":[64],"stride":40}`, w.Project)
	if st := env.call(t, testenv.Manager, "POST", "/api/v1/exports", body, &e); st != http.StatusAccepted {
		t.Fatalf("POST /api/v1/exports = %d", st)
	}
	seen := map[int]bool{}
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var now export.Export
		env.call(t, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d", e.ID), "", &now)
		seen[now.Progress] = true
		if now.Finished() {
			if now.Status != export.StatusDone {
				t.Fatalf("export %s: %s", now.Status, now.Error)
			}
			break
		}
	}
	within := 0
	for p := range seen {
		if p > 5 && p < 90 {
			within++
		}
	}
	if within < 2 {
		t.Fatalf("progress values seen %v: want at least two between 5 and 90 while the one slide is cut", seen)
	}
}
