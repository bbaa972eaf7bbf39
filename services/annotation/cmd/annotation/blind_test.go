package main

import (
	"fmt"
	"net/http"
	"testing"
)

// TestBlindAnnotators: on a project whose annotators see only their own
// marks, every read an annotator can make (list, grid counts, one mark,
// progress, history, agreement) leaves out the other readers' marks, while
// reviewers and managers still see everyone's.
func TestBlindAnnotators(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	ann := client{t, base, w.Users["annotator"]}
	ann2 := client{t, base, w.Users["annotator2"]}
	rev := client{t, base, w.Users["reviewer"]}
	mine := createOne(t, ann, w)
	theirs := createOne(t, ann2, w)
	list := func(c client, query string) int {
		r := c.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d%s", w.Slide, query), nil)
		if r.status != http.StatusOK {
			t.Fatalf("list as %s: %d %s", c.user.Name, r.status, r.body)
		}
		return len(r.json(t)["features"].([]any))
	}
	gridTotal := func(c client) int {
		r := c.do("GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&lod=grid", w.Slide), nil)
		n := 0
		for _, f := range r.json(t)["features"].([]any) {
			n += int(f.(map[string]any)["properties"].(map[string]any)["count"].(float64))
		}
		return n
	}
	// Not blinded: annotators see each other's marks.
	if n := list(ann, ""); n != 2 {
		t.Fatalf("before blinding the annotator sees %d marks, want 2", n)
	}
	if _, err := w.DB.Exec(`UPDATE projects SET blind_annotators = TRUE WHERE id = ?`, w.Project); err != nil {
		t.Fatal(err)
	}
	if n := list(ann, ""); n != 1 {
		t.Fatalf("blinded annotator lists %d marks, want only their own", n)
	}
	if n := list(ann, fmt.Sprintf("&author_id=%d", w.Users["annotator2"].ID)); n != 1 {
		t.Fatalf("asking for another reader's marks gave %d, want only their own", n)
	}
	if n := gridTotal(ann); n != 1 {
		t.Fatalf("blinded annotator's grid counts %d marks, want 1", n)
	}
	if r := ann.do("GET", fmt.Sprintf("/api/v1/annotations/%d", theirs), nil); r.status != http.StatusNotFound {
		t.Fatalf("another reader's mark: %d, want 404", r.status)
	}
	if r := ann.do("GET", fmt.Sprintf("/api/v1/annotations/%d", mine), nil); r.status != http.StatusOK {
		t.Fatalf("own mark: %d", r.status)
	}
	st := ann.do("GET", fmt.Sprintf("/api/v1/annotations/status?slide_id=%d", w.Slide), nil).json(t)["annotators"].([]any)
	if len(st) != 1 || int64(st[0].(map[string]any)["user_id"].(float64)) != w.Users["annotator"].ID {
		t.Fatalf("blinded progress %v, want only the annotator's own", st)
	}
	events := ann.do("GET", fmt.Sprintf("/api/v1/annotations/history?slide_id=%d", w.Slide), nil).json(t)["events"].([]any)
	for _, e := range events {
		if int64(e.(map[string]any)["author_id"].(float64)) != w.Users["annotator"].ID {
			t.Fatalf("blinded history shows %v", e)
		}
	}
	if len(events) != 1 {
		t.Fatalf("blinded history has %d events, want 1", len(events))
	}
	agree := fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=%d&b=%d", w.Slide, w.Users["annotator"].ID, w.Users["annotator2"].ID)
	if r := ann.do("GET", agree, nil); r.status != http.StatusForbidden {
		t.Fatalf("blinded agreement: %d, want 403", r.status)
	}
	// Reviewers are not blinded.
	if n := list(rev, ""); n != 2 {
		t.Fatalf("reviewer sees %d marks, want 2", n)
	}
	if n := gridTotal(rev); n != 2 {
		t.Fatalf("reviewer's grid counts %d, want 2", n)
	}
	if r := rev.do("GET", agree, nil); r.status != http.StatusOK {
		t.Fatalf("reviewer's agreement: %d %s", r.status, r.body)
	}
	// Nor can a blinded annotator compare over the whole project.
	agreeProject := fmt.Sprintf("/api/v1/annotations/agreement?project_id=%d&a=%d&b=%d", w.Project, w.Users["annotator"].ID, w.Users["annotator2"].ID)
	if r := ann.do("GET", agreeProject, nil); r.status != http.StatusForbidden {
		t.Fatalf("blinded project agreement: %d %s, want 403", r.status, r.body)
	}
	if r := rev.do("GET", agreeProject, nil); r.status != http.StatusOK {
		t.Fatalf("reviewer's project agreement: %d %s", r.status, r.body)
	}
}
