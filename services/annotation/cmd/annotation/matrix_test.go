package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation/annotationtest"
)

// request is one call of an endpoint; setup may create what it needs
// (as the annotator) before each role's call.
type request struct {
	method, path string
	body         any
	header       []string
}

// TestEndpointByRole walks every endpoint with every role: admin, manager,
// reviewer, annotator (the marks' author), a second annotator, viewer,
// a signed-in outsider and an anonymous caller.
func TestEndpointByRole(t *testing.T) {
	_, base, w := MustWorld(t, nil)
	author := client{t, base, w.Users["annotator"]}
	s := w.Slide
	fresh := func() int64 { return createOne(t, author, w) }
	members := []int{200, 200, 200, 200, 200, 200, 404, 401}
	for _, tc := range []struct {
		name string
		req  func() request
		want []int // admin, manager, reviewer, annotator, annotator2, viewer, outsider, anonymous
	}{
		{"list", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&bbox=0,0,500,500", s), nil, nil}
		}, members},
		{"create", func() request { return request{"POST", "/api/v1/annotations", pointsBody(w, 1), nil} }, []int{201, 201, 201, 201, 201, 403, 404, 401}},
		{"get", func() request { return request{"GET", fmt.Sprintf("/api/v1/annotations/%d", fresh()), nil, nil} }, members},
		{"patch others'", func() request {
			return request{"PATCH", fmt.Sprintf("/api/v1/annotations/%d", fresh()), `{"type":"Feature","properties":{"note":"n"}}`, []string{"If-Match", "1"}}
		}, []int{200, 200, 200, 200, 403, 403, 404, 401}},
		{"delete others'", func() request {
			return request{"DELETE", fmt.Sprintf("/api/v1/annotations/%d", fresh()), nil, []string{"If-Match", "1"}}
		}, []int{204, 204, 204, 204, 403, 403, 404, 401}},
		{"batch", func() request {
			return request{"POST", "/api/v1/annotations/batch", map[string]any{"slide_id": s, "delete": []map[string]int64{{"id": fresh(), "version": 1}}}, nil}
		}, []int{200, 200, 200, 200, 403, 403, 404, 401}},
		{"history", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/history?slide_id=%d", s), nil, nil}
		}, members},
		{"mark history", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/history?annotation_id=%d", fresh()), nil, nil}
		}, members},
		{"restore others'", func() request {
			fresh()
			return request{"POST", "/api/v1/annotations/restore", map[string]any{"slide_id": s, "author_id": w.Users["annotator"].ID, "at": time.Now().UTC()}, nil}
		}, []int{200, 200, 200, 200, 403, 403, 404, 401}},
		{"status", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/status?slide_id=%d", s), nil, nil}
		}, members},
		{"set own status", func() request {
			return request{"PUT", "/api/v1/annotations/status", map[string]any{"slide_id": s, "status": "done"}, nil}
		}, []int{200, 200, 200, 200, 200, 403, 404, 401}},
		{"review", func() request {
			return request{"POST", "/api/v1/annotations/review", map[string]any{"slide_id": s, "ids": []int64{fresh()}, "decision": "accepted"}, nil}
		}, []int{200, 200, 200, 403, 403, 403, 404, 401}},
		{"agreement", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/agreement?slide_id=%d&a=%d&b=%d", s, w.Users["annotator"].ID, w.Users["annotator2"].ID), nil, nil}
		}, members},
		{"project agreement", func() request {
			return request{"GET", fmt.Sprintf("/api/v1/annotations/agreement?project_id=%d&a=%d&b=%d", w.Project, w.Users["annotator"].ID, w.Users["annotator2"].ID), nil, nil}
		}, members},
		{"import", func() request {
			body := `<ASAP_Annotations><Annotations><Annotation Type="Dot" PartOfGroup="None"><Coordinates><Coordinate Order="0" X="10" Y="10"/></Coordinates></Annotation></Annotations></ASAP_Annotations>`
			return request{"POST", fmt.Sprintf("/api/v1/annotations/import?slide_id=%d&format=asap&category_id=%d", s, w.Categories["tumor"]), body, nil}
		}, []int{200, 200, 200, 200, 200, 403, 404, 401}},
		{"openapi", func() request { return request{"GET", "/api/v1/annotations/openapi.json", nil, nil} }, []int{200, 200, 200, 200, 200, 200, 200, 200}},
	} {
		for i, role := range append(append([]string(nil), annotationtest.Roles...), "anonymous") {
			r := tc.req()
			c := client{t, base, w.Users[role]}
			got := c.do(r.method, r.path, r.body, r.header...)
			if got.status != tc.want[i] {
				t.Errorf("%s as %s: %d %s, want %d", tc.name, role, got.status, got.body, tc.want[i])
			}
		}
	}
}
