package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
)

// TestStainNormalizedPatches: with Reinhard's normalisation to the
// statistics of a reference H&E tile (tiatoolbox's target image), every
// patch file has the target's lαβ statistics, and the manifest and the
// card carry the parameters.
func TestStainNormalizedPatches(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join(exporttest.Slides(t), "..", "images", "tiatoolbox-target_image.png"))
	if err != nil {
		t.Fatal(err)
	}
	mean, std, ok := export.ReinhardStats(rgbOf(decodePNG(t, ref)))
	if !ok {
		t.Fatal("no pixels in the reference")
	}
	env := MustMain(t)
	m := env.mustMarks(t)
	norm, _ := json.Marshal(export.StainNormalization{Method: export.StainReinhard, TargetMean: mean, TargetStd: std})
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d],"formats":["patches"],"patch_sizes":[256],"stain_normalization":%s}`,
		env.World.Project, m.he, norm))
	if e.Status != export.StatusDone {
		t.Fatalf("status %s: %s", e.Status, e.Error)
	}
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if n := man.Params.StainNormalization; n == nil || n.TargetMean != mean || n.TargetStd != std {
		t.Errorf("manifest params: %+v", n)
	}
	files := env.checkManifest(t, e, man)
	checked := 0
	for _, r := range indexRows(t, files) {
		if r["padded"] == "true" {
			continue
		}
		// Pixels pushed past 0 or 255 are clipped, so the statistics come
		// close to the target's, not onto them: the means within 0.02, and
		// every statistic nearer the target than the raw patch's.
		pm, ps, _ := export.ReinhardStats(rgbOf(decodePNG(t, files[r["path"]])))
		var x, y int
		fmt.Sscan(r["x"], &x)
		fmt.Sscan(r["y"], &y)
		rm, rs, _ := export.ReinhardStats(reference(t, exporttest.SVS, x-128, y-128, 256))
		for c := range 3 {
			if math.Abs(pm[c]-mean[c]) > 0.02 || math.Abs(pm[c]-mean[c]) > math.Abs(rm[c]-mean[c]) ||
				math.Abs(ps[c]-std[c]) > math.Abs(rs[c]-std[c]) {
				t.Errorf("%s channel %d: mean %.4f std %.4f (raw %.4f %.4f), target %.4f %.4f", r["path"], c, pm[c], ps[c],
					rm[c], rs[c], mean[c], std[c])
			}
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("%d patches checked", checked)
	}
	if !strings.Contains(string(files[export.ReadmePath]), "stain-normalised (Reinhard") {
		t.Error("README.md does not state the normalisation")
	}
	// A patch of the same place without normalisation differs.
	raw := reference(t, exporttest.SVS, int(m.dot[0])-128, int(m.dot[1])-128, 256)
	for p, b := range files {
		if strings.HasSuffix(p, fmt.Sprintf("_%d_%d.png", m.dot[0], m.dot[1])) && string(rgbOf(decodePNG(t, b))) == string(raw) {
			t.Errorf("%s is the slide's raw pixels", p)
		}
	}
}
