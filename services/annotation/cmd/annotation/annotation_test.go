package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/annotationtest"
	patholabelv1 "github.com/patholabel/patholabel/services/platform/gen/patholabel/v1"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func pointsBody(w *annotationtest.World, n int) map[string]any {
	feats := make([]map[string]any, n)
	for i := range feats {
		feats[i] = map[string]any{"type": "Feature",
			"geometry":   map[string]any{"type": "Point", "coordinates": []float64{float64(100 + i), 200.5}},
			"properties": map[string]any{"category_id": w.Categories["tumor"], "radius": 4}}
	}
	return map[string]any{"slide_id": w.Slide, "features": feats}
}

// createOne makes a mark as user and returns its id.
func createOne(tb testing.TB, c client, w *annotationtest.World) int64 {
	tb.Helper()
	r := c.do("POST", "/api/v1/annotations", pointsBody(w, 1))
	if r.status != http.StatusCreated {
		tb.Fatalf("create as %s: %d %s", c.user.Name, r.status, r.body)
	}
	f := r.json(tb)["features"].([]any)[0].(map[string]any)
	return int64(f["id"].(float64))
}

func versionOf(tb testing.TB, c client, id int64) string {
	tb.Helper()
	r := c.do("GET", fmt.Sprintf("/api/v1/annotations/%d", id), nil)
	return strings.Trim(r.header.Get("ETag"), `"`)
}

func TestConcurrentEditsConflict(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	rev := client{t, base, w.Users["reviewer"]}
	id := createOne(t, ann, w)
	path := fmt.Sprintf("/api/v1/annotations/%d", id)
	if r := rev.do("PATCH", path, `{"type":"Feature","properties":{"note":"x"}}`); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "If-Match") {
		t.Fatalf("patch without If-Match: %d %s", r.status, r.body)
	}
	// Both read version 1; the reviewer saves first.
	if r := rev.do("PATCH", path, `{"type":"Feature","properties":{"note":"reviewer was here"}}`, "If-Match", `"1"`); r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("first save: %d %s", r.status, r.body)
	}
	r := ann.do("PATCH", path, `{"type":"Feature","geometry":{"type":"Point","coordinates":[5,5]}}`, "If-Match", "1")
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: %d %s, want 409", r.status, r.body)
	}
	cur := r.json(t)["current"].(map[string]any)["features"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if cur["version"].(float64) != 2 || cur["note"] != "reviewer was here" {
		t.Fatalf("409 carries %v, want the reviewer's version 2", cur)
	}
	// A batch with one stale mark writes nothing.
	other := createOne(t, ann, w)
	batch := map[string]any{"slide_id": w.Slide,
		"update": []map[string]any{{"id": other, "version": 1, "feature": map[string]any{"type": "Feature", "properties": map[string]any{"note": "batch"}}}},
		"delete": []map[string]int64{{"id": id, "version": 1}}}
	if r := ann.do("POST", "/api/v1/annotations/batch", batch); r.status != http.StatusConflict {
		t.Fatalf("stale batch: %d %s", r.status, r.body)
	}
	if v := versionOf(t, ann, other); v != "1" {
		t.Fatalf("stale batch changed mark %d to version %s", other, v)
	}
	if r := ann.do("DELETE", path, nil, "If-Match", "1"); r.status != http.StatusConflict {
		t.Fatalf("stale delete: %d", r.status)
	}
	if r := ann.do("DELETE", path, nil, "If-Match", "2"); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
}

func TestValidationOverHTTP(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	good := fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,1]},"properties":{"category_id":%d}}`, w.Categories["tumor"])
	for _, tc := range []struct{ name, feature, want string }{
		{"no geometry", `{"type":"Feature","properties":{"category_id":1}}`, "feature 1: geometry is required"},
		{"not a feature", `{"type":"Point","coordinates":[1,1]}`, "unknown field"},
		{"string coordinates", `{"type":"Feature","geometry":{"type":"Point","coordinates":["1","2"]},"properties":{"category_id":1}}`, "Point coordinates must be [x, y]"},
		{"4d position", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3,4]},"properties":{"category_id":1}}`, "a position is [x, y] or [x, y, z], got 4 numbers"},
		{"huge radius", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"category_id":1,"radius":1e22}}`, "feature 1: radius 1e+22 is not between 0 and 10000"},
		{"huge number", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1e999,2]},"properties":{"category_id":1}}`, "feature 1"},
		{"unsupported type", `{"type":"Feature","geometry":{"type":"GeometryCollection","coordinates":[]},"properties":{"category_id":1}}`, "not supported"},
		{"no category", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,1]},"properties":{}}`, "category_id is required"},
		{"bad shape", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,1]},"properties":{"category_id":1,"shape":"ellipse"}}`, "does not fit"},
		{"outside", fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,90000]},"properties":{"category_id":%d}}`, w.Categories["tumor"]), "outside the slide"},
	} {
		r := ann.do("POST", "/api/v1/annotations", fmt.Sprintf(`{"slide_id":%d,"features":[%s,%s]}`, w.Slide, good, tc.feature))
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.name, r.status, r.body, tc.want)
		}
	}
	if r := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d", w.Slide), nil); !strings.Contains(string(r.body), `"features":[]`) {
		t.Fatalf("failed requests wrote marks: %s", r.body)
	}
	for _, q := range []string{"bbox=1,2,3", "bbox=5,5,1,1", "lod=fancy", "limit=0", "lod=grid&cell=1000"} {
		if r := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&%s", w.Slide, q), nil); r.status != http.StatusBadRequest {
			t.Errorf("GET with %s: %d, want 400", q, r.status)
		}
	}
}

func TestQueryLevelOfDetailAndIdempotency(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	body := pointsBody(w, 2000)
	first := ann.do("POST", "/api/v1/annotations", body, "Idempotency-Key", "batch-7")
	again := ann.do("POST", "/api/v1/annotations", body, "Idempotency-Key", "batch-7")
	if first.status != 201 || again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" || string(first.body) != string(again.body) {
		t.Fatalf("retry: %d %d replayed=%q", first.status, again.status, again.header.Get("Idempotent-Replayed"))
	}
	r := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&bbox=0,0,600,600&limit=100", w.Slide), nil)
	fc := r.json(t)
	if len(fc["features"].([]any)) != 100 || fc["truncated"] != true {
		t.Fatalf("limited viewport: %d features, truncated %v", len(fc["features"].([]any)), fc["truncated"])
	}
	ring := make([][]float64, 0, 401)
	for i := range 400 {
		a := 2 * math.Pi * float64(i) / 400
		ring = append(ring, []float64{5000 + 1000*math.Cos(a), 5000 + 1000*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	poly := map[string]any{"slide_id": w.Slide, "features": []map[string]any{{"type": "Feature",
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}}, "properties": map[string]any{"category_id": w.Categories["stroma"], "shape": "ellipse"}}}}
	if r := ann.do("POST", "/api/v1/annotations", poly); r.status != http.StatusCreated {
		t.Fatalf("create ellipse: %d %s", r.status, r.body)
	}
	simple := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&bbox=3000,3000,7000,7000&lod=simplify&tolerance=20", w.Slide), nil).json(t)
	coords := simple["features"].([]any)[0].(map[string]any)["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)
	if len(coords) >= 401 || len(coords) < 8 {
		t.Fatalf("simplified ellipse has %d positions, want fewer than 401", len(coords))
	}
	grid := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&lod=grid&cell=4096", w.Slide), nil).json(t)
	cells := grid["features"].([]any)
	if len(cells) != 2 || cells[0].(map[string]any)["properties"].(map[string]any)["count"].(float64) != 2000 {
		t.Fatalf("grid: %v", grid)
	}
}

func TestEventsAfterCommit(t *testing.T) {
	m, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	id := createOne(t, ann, w)
	ann.do("DELETE", fmt.Sprintf("/api/v1/annotations/%d", id), nil, "If-Match", "1")
	rdb := redis.New(m.Redis)
	defer rdb.Close()
	msgs, err := rdb.XRange(context.Background(), m.Redis.Prefix+annotation.EventStream, "-", "+").Result()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("stream holds %d messages (%v), want 2", len(msgs), err)
	}
	kinds := []patholabelv1.AnnotationChangeKind{patholabelv1.AnnotationChangeKind_ANNOTATION_CHANGE_KIND_CREATED, patholabelv1.AnnotationChangeKind_ANNOTATION_CHANGE_KIND_DELETED}
	for i, msg := range msgs {
		var env patholabelv1.Envelope
		if err := proto.Unmarshal([]byte(msg.Values["envelope"].(string)), &env); err != nil {
			t.Fatal(err)
		}
		ev := env.GetAnnotationsChanged()
		if ev == nil || ev.Kind != kinds[i] || ev.SlideId != w.Slide || ev.ProjectId != w.Project || ev.AuthorId != w.Users["annotator"].ID ||
			len(ev.AnnotationIds) != 1 || ev.AnnotationIds[0] != id || env.Producer != "annotation" || env.Id == "" || env.RequestId == "" {
			t.Fatalf("event %d: %v", i, &env)
		}
	}
}

// A Redis outage loses events (they are hints) but never a write.
func TestRedisDownDoesNotFailWrites(t *testing.T) {
	_, base, w := MustWorld(t, func(m *Main) { m.Redis.Addr = "127.0.0.1:1" })
	ann := client{t, base, w.Users["annotator"]}
	start := time.Now()
	id := createOne(t, ann, w)
	if r := ann.do("GET", fmt.Sprintf("/api/v1/annotations/%d", id), nil); r.status != http.StatusOK {
		t.Fatalf("read back: %d", r.status)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("write with Redis down took %v", took)
	}
}
