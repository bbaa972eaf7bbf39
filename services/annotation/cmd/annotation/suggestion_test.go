package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation/annotationtest"
)

// mustModel adds a user holding the model role in the world's project.
func mustModel(tb testing.TB, w *annotationtest.World) *annotationtest.User {
	tb.Helper()
	u := w.MustUser(tb, "model", "none")
	if _, err := w.DB.Exec(`INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, 'model', ?)`, w.Project, u.ID, time.Now().UTC()); err != nil {
		tb.Fatal(err)
	}
	return u
}

// suggestionsBody is n point suggestions along a row; suggestion i scores
// tumor i/n (against stroma 1-i/n), so the one nearest n/2 is the most
// uncertain.
func suggestionsBody(w *annotationtest.World, n int) map[string]any {
	feats := make([]map[string]any, n)
	tumor, stroma := fmt.Sprint(w.Categories["tumor"]), fmt.Sprint(w.Categories["stroma"])
	for i := range feats {
		p := float64(i) / float64(n)
		feats[i] = map[string]any{"type": "Feature",
			"geometry":   map[string]any{"type": "Point", "coordinates": []float64{float64(1000 + 10*i), 500}},
			"properties": map[string]any{"radius": 4, "scores": map[string]float64{tumor: p, stroma: 1 - p}}}
	}
	return map[string]any{"slide_id": w.Slide, "model": map[string]string{"name": "pathofusion", "version": "v3"}, "features": feats}
}

func idsOf(tb testing.TB, r reply) []int64 {
	tb.Helper()
	var ids []int64
	for _, v := range r.json(tb)["ids"].([]any) {
		ids = append(ids, int64(v.(float64)))
	}
	return ids
}

func TestSuggestionsLoopOverHTTP(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	model := client{t, base, mustModel(t, w)}
	ann := client{t, base, w.Users["annotator"]}
	r := model.do("POST", "/api/v1/annotations/suggestions", suggestionsBody(w, 1000))
	if r.status != http.StatusCreated {
		t.Fatalf("post 1000 suggestions: %d %s", r.status, r.body)
	}
	ids := idsOf(t, r)
	if len(ids) != 1000 {
		t.Fatalf("%d ids for 1000 suggestions", len(ids))
	}
	if r := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d", w.Slide), nil); len(r.json(t)["features"].([]any)) != 0 {
		t.Fatalf("suggestions show as marks before any accept: %s", r.body)
	}

	// The most uncertain first: tumor 0.5 against stroma 0.5 is suggestion 500.
	next := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/next?slide_id=%d", w.Slide), nil).json(t)
	if int64(next["id"].(float64)) != ids[500] {
		t.Fatalf("next is %v, want %d", next["id"], ids[500])
	}
	after := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/next?slide_id=%d&after=%d", w.Slide, ids[500]), nil).json(t)
	if id := int64(after["id"].(float64)); id != ids[499] && id != ids[501] {
		t.Fatalf("next after 500 is %d, want 499 or 501", id)
	}

	accept := ann.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/%d/accept", ids[500]), nil)
	if accept.status != http.StatusCreated {
		t.Fatalf("accept: %d %s", accept.status, accept.body)
	}
	mark := accept.json(t)
	edited := ann.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/%d/accept", ids[10]),
		map[string]any{"category_id": w.Categories["lymphocyte"], "geometry": map[string]any{"type": "Point", "coordinates": []float64{1105, 505}}, "radius": 6})
	if edited.status != http.StatusCreated || int64(edited.json(t)["properties"].(map[string]any)["category_id"].(float64)) != w.Categories["lymphocyte"] {
		t.Fatalf("edited accept: %d %s", edited.status, edited.body)
	}
	if r := ann.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/%d/reject", ids[900]), nil); r.status != http.StatusOK || r.json(t)["properties"].(map[string]any)["state"] != "rejected" {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	{
		again := client{t, base, w.Users["reviewer"]}.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/%d/reject", ids[500]), nil)
		if again.status != http.StatusConflict || !strings.Contains(string(again.body), "already accepted") {
			t.Fatalf("rejecting an accepted suggestion: %d %s", again.status, again.body)
		}
	}

	// The decision record and the marks.
	got := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/%d", ids[500]), nil).json(t)["properties"].(map[string]any)
	dec := got["decision"].(map[string]any)
	if got["state"] != "accepted" || int64(dec["by"].(float64)) != w.Users["annotator"].ID || dec["mark_id"].(float64) != mark["id"].(float64) || got["score"].(float64) != 0.5 {
		t.Fatalf("decision record %v", got)
	}
	marks := ann.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d", w.Slide), nil).json(t)["features"].([]any)
	if len(marks) != 2 {
		t.Fatalf("%d marks after two accepts and a reject, want 2", len(marks))
	}

	list := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions?slide_id=%d&state=undecided&bbox=1000,0,1095,1000", w.Slide), nil).json(t)
	if n := len(list["features"].([]any)); n != 10 {
		t.Fatalf("undecided in the box: %d, want 10 (1000..1090)", n)
	}
	pr := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?slide_id=%d", w.Slide), nil).json(t)["progress"].(map[string]any)
	if pr["reviewed"].(float64) != 3 || pr["total"].(float64) != 1000 || pr["accepted"].(float64) != 2 {
		t.Fatalf("slide progress %v, want 3 of 1000", pr)
	}
	// The project's progress: the contract the viewer reads.
	pp := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?project_id=%d", w.Project), nil)
	var proj struct {
		Reviewed, Total, Accepted, Rejected int64
		Slides                              []struct {
			SlideID         int64 `json:"slide_id"`
			Reviewed, Total int64
		}
	}
	if err := json.Unmarshal(pp.body, &proj); pp.status != http.StatusOK || err != nil || proj.Reviewed != 3 || proj.Total != 1000 ||
		proj.Accepted != 2 || proj.Rejected != 1 || len(proj.Slides) != 1 || proj.Slides[0].SlideID != w.Slide || proj.Slides[0].Reviewed != 3 || proj.Slides[0].Total != 1000 {
		t.Fatalf("project progress %d %s", pp.status, pp.body)
	}
	if pp := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?project_id=%d&model=pathofusion@v4", w.Project), nil); pp.status != http.StatusOK ||
		!strings.Contains(string(pp.body), `"total":0`) || !strings.Contains(string(pp.body), `"slides":[]`) {
		t.Fatalf("project progress of a model with no suggestions: %d %s", pp.status, pp.body)
	}
	if pp := ann.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?project_id=%d&model=pathofusion", w.Project), nil); pp.status != http.StatusBadRequest {
		t.Fatalf("progress of a model without a version: %d %s", pp.status, pp.body)
	}

	// Agreement of the model version with the annotator: 2 of the model's
	// 1000 points are the annotator's (one as suggested, one moved and
	// recategorised), so recall with the model as reference is tiny.
	ag := ann.do("GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=model:pathofusion@v3&b=%d", w.Slide, w.Users["annotator"].ID), nil)
	if ag.status != http.StatusOK || ag.json(t)["a"] != "model:pathofusion@v3" {
		t.Fatalf("agreement with a model: %d %s", ag.status, ag.body)
	}
	if !strings.Contains(string(ag.body), `"agreement"`) {
		t.Fatalf("agreement body %s", ag.body)
	}
	// The accepted set is exactly the annotator's marks here: every point
	// matches (2 of 2, one per category it was accepted as).
	acc := ann.do("GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=accepted:pathofusion@v3&b=%d", w.Slide, w.Users["annotator"].ID), nil)
	if acc.status != http.StatusOK || acc.json(t)["a"] != "accepted:pathofusion@v3" {
		t.Fatalf("agreement of the accepted set: %d %s", acc.status, acc.body)
	}
	if m := acc.json(t)["agreement"].(map[string]any)["matched_points"]; m != float64(2) {
		t.Fatalf("accepted set against its annotator matched %v points, want 2: %s", m, acc.body)
	}
	// Over the project (one slide with marks here): the same figures pooled,
	// and the slide's own beside them.
	pa := ann.do("GET", fmt.Sprintf("/api/v1/annotations/agreement?project_id=%d&a=accepted:pathofusion@v3&b=%d", w.Project, w.Users["annotator"].ID), nil)
	if pa.status != http.StatusOK || pa.json(t)["project_id"] != float64(w.Project) {
		t.Fatalf("project agreement of the accepted set: %d %s", pa.status, pa.body)
	}
	pooled := pa.json(t)["agreement"].(map[string]any)
	if pooled["matched_points"] != float64(2) || pooled["kappa"] != acc.json(t)["agreement"].(map[string]any)["kappa"] {
		t.Fatalf("project agreement %s, want the slide's %s", pa.body, acc.body)
	}
	if sl := pooled["slides"].([]any); len(sl) != 1 || sl[0].(map[string]any)["slide_id"] != float64(w.Slide) {
		t.Fatalf("project agreement's slides %v, want slide %d only", sl, w.Slide)
	}
	if bad := ann.do("GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=model:noversion&b=1", w.Slide), nil); bad.status != http.StatusBadRequest {
		t.Fatalf("a model without a version: %d %s", bad.status, bad.body)
	}
}

func TestSuggestionValidationNamesTheFeature(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	mgr := client{t, base, w.Users["manager"]}
	tumor := fmt.Sprint(w.Categories["tumor"])
	for _, tc := range []struct {
		name, feature, want string
	}{
		{"no scores", `{"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{}}`, "feature 1: properties.scores must hold"},
		{"bad probability", `{"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{"scores":{"` + tumor + `":1.5}}}`, "feature 1: properties.scores[\\\"" + tumor + "\\\"] must be a probability"},
		{"bad key", `{"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{"scores":{"tumor":0.5}}}`, "feature 1: properties.scores: key \\\"tumor\\\" is not a category id"},
		{"no geometry", `{"type":"Feature","properties":{"scores":{"` + tumor + `":0.5}}}`, "feature 1: geometry is required"},
		{"bad polygon", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]},"properties":{"scores":{"` + tumor + `":0.5}}}`, "feature 1: ring 0: needs at least 4 positions"},
		{"off the slide", `{"type":"Feature","geometry":{"type":"Point","coordinates":[-5,10]},"properties":{"scores":{"` + tumor + `":0.5}}}`, "feature 1:"},
	} {
		good := `{"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{"scores":{"` + tumor + `":0.5}}}`
		body := fmt.Sprintf(`{"slide_id":%d,"model":{"name":"m","version":"1"},"features":[%s,%s]}`, w.Slide, good, tc.feature)
		r := mgr.do("POST", "/api/v1/annotations/suggestions", body)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s: %d %s, want 400 containing %s", tc.name, r.status, r.body, tc.want)
		}
	}
	r := mgr.do("POST", "/api/v1/annotations/suggestions", fmt.Sprintf(`{"slide_id":%d,"model":{"name":"m"},"features":[]}`, w.Slide))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "model.version") {
		t.Errorf("no version: %d %s", r.status, r.body)
	}
	if pr := mgr.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?slide_id=%d", w.Slide), nil).json(t)["progress"].(map[string]any); pr["total"].(float64) != 0 {
		t.Fatalf("refused posts stored suggestions: %v", pr)
	}
}

func TestImportSuggestionsOverHTTP(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	model := client{t, base, mustModel(t, w)}
	tumor := fmt.Sprint(w.Categories["tumor"])
	geo := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"x1","geometry":{"type":"Point","coordinates":[10,10]},"properties":{"scores":{"` + tumor + `":0.7}}}]}`
	r := model.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/import?slide_id=%d&format=geojson&model=unet@2", w.Slide), geo)
	if r.status != http.StatusOK || r.json(t)["imported"].(float64) != 1 {
		t.Fatalf("geojson import: %d %s", r.status, r.body)
	}
	qp := `{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[100,100],[200,100],[200,200],[100,100]]]},"properties":{"objectType":"annotation","classification":{"name":"Stroma","colorRGB":-256},"measurements":[{"name":"Probability","value":0.8}]}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[50,50]},"properties":{"classification":{"name":"Necrosis"}}}]}`
	r = model.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/import?slide_id=%d&format=qupath&model=unet@2", w.Slide), qp)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `feature 1 (line 3): unknown class \"Necrosis\"`) {
		t.Fatalf("qupath import with an unknown class: %d %s, want 400 naming feature 1", r.status, r.body)
	}
	if list := model.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions?slide_id=%d&model=unet@2", w.Slide), nil).json(t)["features"].([]any); len(list) != 1 {
		t.Fatalf("a refused file left %d suggestions, want only the first import's 1", len(list))
	}
	qp = strings.Replace(qp, "Necrosis", "Tumor", 1)
	r = model.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/import?slide_id=%d&format=qupath&model=unet@2", w.Slide), qp)
	if r.status != http.StatusOK || r.json(t)["imported"].(float64) != 2 {
		t.Fatalf("qupath import: %d %s", r.status, r.body)
	}
	list := model.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions?slide_id=%d&model=unet@2", w.Slide), nil).json(t)["features"].([]any)
	props := list[1].(map[string]any)["properties"].(map[string]any)
	if len(list) != 3 || int64(props["category_id"].(float64)) != w.Categories["stroma"] || props["score"].(float64) != 0.8 {
		t.Fatalf("imported suggestions %v", list)
	}
	if r := model.do("POST", fmt.Sprintf("/api/v1/annotations/suggestions/import?slide_id=%d&format=asap&model=unet@2", w.Slide), "<x/>"); r.status != http.StatusBadRequest {
		t.Fatalf("asap is not a suggestions format: %d %s", r.status, r.body)
	}
}

// TestImportRealQuPathFile imports a real QuPath export (an unclassified
// polygon, wsidicom's test data) onto a slide it fits, as the default
// category; and refuses it on one it does not fit, storing nothing.
func TestImportRealQuPathFile(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	model := client{t, base, mustModel(t, w)}
	b, err := os.ReadFile("../../../../../shared/testdata/annotations/qupath_geojson/qupath-polygon.json")
	if err != nil {
		t.Fatal(err)
	}
	big, small := w.MustSlide(t, w.Project, 30000, 20000), w.MustSlide(t, w.Project, 20000, 20000)
	path := "/api/v1/annotations/suggestions/import?slide_id=%d&format=qupath&model=qupath@0.5&category_id=%d"
	if r := model.do("POST", fmt.Sprintf(path, small, w.Categories["tumor"]), string(b)); r.status != http.StatusBadRequest ||
		!strings.Contains(string(r.body), "feature 0 (line 2): ") || !strings.Contains(string(r.body), "outside the slide") {
		t.Fatalf("a file off the slide: %d %s", r.status, r.body)
	}
	r := model.do("POST", fmt.Sprintf(path, big, w.Categories["tumor"]), string(b))
	if r.status != http.StatusOK || r.json(t)["imported"].(float64) != 1 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	list := model.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions?slide_id=%d", big), nil).json(t)["features"].([]any)
	f := list[0].(map[string]any)
	ring := f["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)
	if len(list) != 1 || f["properties"].(map[string]any)["shape"] != "polygon" || fmt.Sprint(ring[0]) != "[26353 15345]" {
		t.Fatalf("imported %v", list)
	}
	if pr := model.do("GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?slide_id=%d", small), nil).json(t)["progress"].(map[string]any); pr["total"].(float64) != 0 {
		t.Fatalf("the refused import stored %v", pr)
	}
}

// TestSuggestionEndpointsByRole walks the suggestion endpoints with every
// role, the model role last: it may post and read, never decide.
func TestSuggestionEndpointsByRole(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	users := map[string]*annotationtest.User{"model": mustModel(t, w)}
	for k, v := range w.Users {
		users[k] = v
	}
	roles := append(append([]string(nil), annotationtest.Roles...), "anonymous", "model")
	fresh := func() int64 {
		mgr := client{t, base, w.Users["manager"]}
		r := mgr.do("POST", "/api/v1/annotations/suggestions", suggestionsBody(w, 1))
		return idsOf(t, r)[0]
	}
	s := w.Slide
	members := []int{200, 200, 200, 200, 200, 200, 404, 401, 200}
	for _, tc := range []struct {
		name string
		req  func() request
		want []int // admin, manager, reviewer, annotator, annotator2, viewer, outsider, anonymous, model
	}{
		{"post", func() request { return request{"POST", "/api/v1/annotations/suggestions", suggestionsBody(w, 1), nil} }, []int{201, 201, 403, 403, 403, 403, 404, 401, 201}},
		{"list", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/suggestions?slide_id=%d", s), nil, nil}
		}, members},
		{"get", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/suggestions/%d", fresh()), nil, nil}
		}, members},
		{"next", func() request {
			fresh()
			return request{"GET", fmt.Sprintf("/api/v1/annotations/suggestions/next?slide_id=%d", s), nil, nil}
		}, members},
		{"progress", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/suggestions/progress?project_id=%d", w.Project), nil, nil}
		}, members},
		{"accept", func() request {
			return request{"POST", fmt.Sprintf("/api/v1/annotations/suggestions/%d/accept", fresh()), nil, nil}
		}, []int{201, 201, 201, 201, 201, 403, 404, 401, 403}},
		{"reject", func() request {
			return request{"POST", fmt.Sprintf("/api/v1/annotations/suggestions/%d/reject", fresh()), nil, nil}
		}, []int{200, 200, 200, 200, 200, 403, 404, 401, 403}},
		{"import", func() request {
			return request{"POST", fmt.Sprintf("/api/v1/annotations/suggestions/import?slide_id=%d&format=qupath&model=m@1&category_id=%d", s, w.Categories["tumor"]),
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[10,10]},"properties":{}}`, nil}
		}, []int{200, 200, 403, 403, 403, 403, 404, 401, 200}},
		{"create a mark", func() request { return request{"POST", "/api/v1/annotations", pointsBody(w, 1), nil} }, []int{201, 201, 201, 201, 201, 403, 404, 401, 403}},
	} {
		for i, role := range roles {
			r := tc.req()
			c := client{t, base, users[role]}
			got := c.do(r.method, r.path, r.body, r.header...)
			if got.status != tc.want[i] {
				t.Errorf("%s as %s: %d %s, want %d", tc.name, role, got.status, got.body, tc.want[i])
			}
		}
	}
}

func TestBlindedAnnotatorSeesNoScoresUntilDecided(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	if _, err := w.DB.Exec(`UPDATE projects SET blind_annotators = TRUE WHERE id = ?`, w.Project); err != nil {
		t.Fatal(err)
	}
	mgr := client{t, base, w.Users["manager"]}
	ids := idsOf(t, mgr.do("POST", "/api/v1/annotations/suggestions", suggestionsBody(w, 2)))
	ann := client{t, base, w.Users["annotator"]}
	path := fmt.Sprintf("/api/v1/annotations/suggestions/%d", ids[1])
	if p := ann.do("GET", path, nil).json(t)["properties"].(map[string]any); p["scores"] != nil || p["margin"] != nil {
		t.Fatalf("a blinded annotator sees undecided scores: %v", p)
	}
	rev := client{t, base, w.Users["reviewer"]}
	if p := rev.do("GET", path, nil).json(t)["properties"].(map[string]any); p["scores"] == nil {
		t.Fatalf("a reviewer sees no scores: %v", p)
	}
	ann.do("POST", path+"/reject", nil)
	if p := ann.do("GET", path, nil).json(t)["properties"].(map[string]any); p["scores"] == nil {
		t.Fatalf("scores stay hidden after the decision: %v", p)
	}
}
