package main

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestImportOverHTTP(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	file, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "..", "shared", "testdata", "annotations", "qupath_geojson", "qupath-multipoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := ann.do("POST", fmt.Sprintf("/api/v1/annotations/import?slide_id=%d&format=qupath&category_id=%d", w.Slide, w.Categories["stroma"]), string(file))
	rep := r.json(t)
	if r.status != http.StatusOK || rep["imported"].(float64) != 3 || len(rep["ids"].([]any)) != 3 || len(rep["skipped"].([]any)) != 0 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	small := w.MustSlide(t, w.Project, 2220, 2967)
	r = ann.do("POST", fmt.Sprintf("/api/v1/annotations/import?slide_id=%d&format=qupath&category_id=%d", small, w.Categories["stroma"]), string(file))
	rep = r.json(t)
	skipped := rep["skipped"].([]any)
	if r.status != http.StatusOK || rep["imported"].(float64) != 0 || len(skipped) != 3 ||
		skipped[0].(map[string]any)["reason"] != "position (26833.53, 15424.94) is outside the slide (0..2220, 0..2967)" {
		t.Fatalf("import on a small slide: %d %s", r.status, r.body)
	}
	if r := ann.do("POST", fmt.Sprintf("/api/v1/annotations/import?slide_id=%d&format=shapefile", w.Slide), "x"); r.status != http.StatusBadRequest {
		t.Fatalf("unknown format: %d", r.status)
	}
	// Both imports are in the audit log, with who, from where and what.
	var n int
	err = w.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'annotation.import' AND actor_id = ? AND client_ip = '127.0.0.1'
		AND project_id = ? AND JSON_EXTRACT(detail, '$.format') = 'qupath'`, w.Users["annotator"].ID, w.Project).Scan(&n)
	if err != nil || n != 2 {
		t.Errorf("audit log has %d imports (%v), want 2", n, err)
	}
}

// The agreement endpoint on the case worked out by hand in
// annotation/agreement_test.go, stored and read back through the API.
func TestAgreementOverHTTP(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	tumor, stroma := w.Categories["tumor"], w.Categories["stroma"]
	pt := func(cat int64, x, y float64) map[string]any {
		return map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{x, y}}, "properties": map[string]any{"category_id": cat}}
	}
	sq := func(cat int64, x0, x1 float64) map[string]any {
		return map[string]any{"type": "Feature", "properties": map[string]any{"category_id": cat, "shape": "rectangle"},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{x0, 0}, {x1, 0}, {x1, 100}, {x0, 100}, {x0, 0}}}}}
	}
	a := []map[string]any{pt(tumor, 100, 100), pt(tumor, 200, 200), pt(tumor, 300, 300), pt(stroma, 1000, 1000), pt(stroma, 2000, 2000), sq(tumor, 0, 100)}
	b := []map[string]any{pt(tumor, 105, 100), pt(tumor, 200, 215), pt(stroma, 303, 304), pt(stroma, 1000, 1003), pt(stroma, 2000, 2008), pt(tumor, 5000, 5000), sq(tumor, 50, 150)}
	for user, feats := range map[string][]map[string]any{"annotator": a, "annotator2": b} {
		if r := (client{t, base, w.Users[user]}).do("POST", "/api/v1/annotations", map[string]any{"slide_id": w.Slide, "features": feats}); r.status != http.StatusCreated {
			t.Fatalf("create as %s: %d %s", user, r.status, r.body)
		}
	}
	r := (client{t, base, w.Users["viewer"]}).do("GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=%d&b=%d&distance=10", w.Slide, w.Users["annotator"].ID, w.Users["annotator2"].ID), nil)
	got := r.json(t)["agreement"].(map[string]any)
	if r.status != http.StatusOK || math.Abs(got["kappa"].(float64)-0.5) > 1e-9 || got["matched_points"].(float64) != 4 {
		t.Fatalf("agreement: %d %s", r.status, r.body)
	}
	for _, c := range got["categories"].([]any) {
		c := c.(map[string]any)
		if int64(c["category_id"].(float64)) == tumor && (math.Abs(c["f1"].(float64)-1.0/3) > 1e-9 || math.Abs(c["iou"].(float64)-1.0/3) > 1e-9 || c["dice"].(float64) != 0.5) {
			t.Errorf("tumor: %v", c)
		}
		if int64(c["category_id"].(float64)) == stroma && (c["recall"].(float64) != 1 || math.Abs(c["f1"].(float64)-0.8) > 1e-9) {
			t.Errorf("stroma: %v", c)
		}
	}
	// A distance that makes every point a candidate of every other is
	// refused before any mark is read: it cost a viewer's single GET 75 s.
	viewer := client{t, base, w.Users["viewer"]}
	ann, ann2 := w.Users["annotator"].ID, w.Users["annotator2"].ID
	for _, c := range []struct {
		b        int64
		distance string
		want     string
	}{
		{ann2, "1000000", "at most 500 pixels"},
		{ann2, "500.5", "at most 500 pixels"},
		{ann, "10", "two different annotators"},
	} {
		r := viewer.do("GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=%d&b=%d&distance=%s", w.Slide, ann, c.b, c.distance), nil)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), c.want) {
			t.Errorf("agreement b=%d distance=%s: %d %s, want 400 saying %q", c.b, c.distance, r.status, r.body, c.want)
		}
	}
	if r := viewer.do("GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=%d&b=%d&distance=500", w.Slide, ann, ann2), nil); r.status != http.StatusOK {
		t.Errorf("agreement at the largest distance: %d %s", r.status, r.body)
	}
}

func TestHistoryRestoreReviewOverHTTP(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	rev := client{t, base, w.Users["reviewer"]}
	id := createOne(t, ann, w)
	time.Sleep(5 * time.Millisecond)
	before := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	path := fmt.Sprintf("/api/v1/annotations/%d", id)
	if r := ann.do("PATCH", path, `{"type":"Feature","geometry":{"type":"Point","coordinates":[7,8]}}`, "If-Match", "1"); r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	h := ann.do("GET", fmt.Sprintf("/api/v1/annotations/history?annotation_id=%d", id), nil).json(t)
	events := h["events"].([]any)
	last := events[0].(map[string]any)
	if len(events) != 2 || last["action"] != "updated" || last["actor_id"].(float64) != float64(w.Users["annotator"].ID) ||
		last["before"].(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)[0].(float64) != 100 ||
		last["after"].(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)[0].(float64) != 7 {
		t.Fatalf("history: %v", h)
	}
	r := rev.do("POST", "/api/v1/annotations/restore", map[string]any{"slide_id": w.Slide, "annotation_id": id, "at": before})
	if r.status != http.StatusOK {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	got := ann.do("GET", path, nil).json(t)
	if got["geometry"].(map[string]any)["coordinates"].([]any)[0].(float64) != 100 || got["properties"].(map[string]any)["version"].(float64) != 3 {
		t.Fatalf("after restore: %v", got)
	}
	r = rev.do("POST", "/api/v1/annotations/review", map[string]any{"slide_id": w.Slide, "ids": []int64{id}, "decision": "accepted", "comment": "good"})
	if r.status != http.StatusOK {
		t.Fatalf("review: %d %s", r.status, r.body)
	}
	accepted := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d", w.Slide), nil).json(t)["features"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if accepted["review"] != "accepted" {
		t.Fatalf("review state %v", accepted)
	}
	if r := ann.do("PUT", "/api/v1/annotations/status", map[string]any{"slide_id": w.Slide, "status": "done"}); r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"done"`) {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
}
