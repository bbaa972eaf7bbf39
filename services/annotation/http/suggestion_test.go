package http_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	annotationhttp "github.com/patholabel/patholabel/services/annotation/http"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// suggestions is an in-memory annotation.Suggestions holding one slide
// and one suggestion on it (id 9); it records the slides the use cases
// were handed, which are the ones the routes' rules read.
type suggestions struct {
	annotation.Suggestions
	slide      annotation.Slide
	slideReads int
	handed     []annotation.Slide
}

var dot = annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{{X: 10, Y: 20}}}, Radius: 5}

func (s *suggestions) Slide(_ context.Context, id int64) (annotation.Slide, error) {
	s.slideReads++
	if id != s.slide.ID {
		return annotation.Slide{}, platform.Errorf(platform.ENOTFOUND, "no such slide %d", id)
	}
	return s.slide, nil
}

func (s *suggestions) SlideOfSuggestion(_ context.Context, id int64) (annotation.Slide, error) {
	s.slideReads++
	if id != 9 {
		return annotation.Slide{}, platform.Errorf(platform.ENOTFOUND, "no such suggestion %d", id)
	}
	return s.slide, nil
}

func (s *suggestions) PostSuggestions(_ context.Context, _ *access.Principal, sl annotation.Slide, _ annotation.Model, drafts []annotation.SuggestionDraft) ([]int64, error) {
	s.handed = append(s.handed, sl)
	return make([]int64, len(drafts)), nil
}

func (s *suggestions) AcceptSuggestion(_ context.Context, p *access.Principal, sl annotation.Slide, id int64, _ annotation.AcceptEdit) (*annotation.Accepted, error) {
	s.handed = append(s.handed, sl)
	return &annotation.Accepted{Mark: annotation.Mark{ID: 100, SlideID: sl.ID, AuthorID: p.UserID, Geometry: dot, Version: 1}}, nil
}

func (s *suggestions) RejectSuggestion(_ context.Context, _ *access.Principal, sl annotation.Slide, id int64) (annotation.Suggestion, error) {
	s.handed = append(s.handed, sl)
	return annotation.Suggestion{ID: id, SlideID: sl.ID, State: annotation.SuggestionRejected, Geometry: dot}, nil
}

// The suggestion routes authorise once, in their rules: a role that may
// not post or decide is refused there (403; 404 outside the project; 401
// anonymous) and the use case is never called, so the store no longer
// checks roles; an allowed caller's use case gets the slide the rule read,
// read once.
func TestSuggestionRoutesAuthoriseOnce(t *testing.T) {
	const post = `{"slide_id":7,"model":{"name":"unet","version":"2"},"features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[10,20]},"properties":{"scores":{"4":0.9}}}]}`
	routes := []struct {
		method, path, body string
		ok                 int
		allowed            []string // project roles let through; admins always are
	}{
		{"POST", "/api/v1/annotations/suggestions", post, http.StatusCreated, annotation.SuggestionPosters},
		{"POST", "/api/v1/annotations/suggestions/9/accept", "", http.StatusCreated, annotation.Writers},
		{"POST", "/api/v1/annotations/suggestions/9/reject", "", http.StatusOK, annotation.Writers},
	}
	roles := []string{access.ProjectManager, access.ProjectReviewer, access.ProjectAnnotator, access.ProjectViewer, access.ProjectModel}
	for _, rt := range routes {
		for _, role := range append(roles, "outsider", "anonymous") {
			var p *access.Principal
			want := http.StatusForbidden
			switch role {
			case "outsider":
				p, want = testenv.Member(3, ""), http.StatusNotFound
			case "anonymous":
				want = http.StatusUnauthorized
			default:
				p = testenv.Member(3, role)
				for _, a := range rt.allowed {
					if a == role {
						want = rt.ok
					}
				}
			}
			uc := &suggestions{slide: annotation.Slide{ID: 7, ProjectID: 3, Width: 1000, Height: 800}}
			e := testenv.MustEngine(t, "annotation", func(e *gin.Engine) {
				annotationhttp.RegisterSuggestions(e, annotationhttp.Deps{
					Config: annotation.DefaultConfig(), Events: &events{}, Authn: access.Fixed{P: p}, Audit: &testenv.Audits{}, Log: testenv.Logger(),
				}, uc)
			})
			w := testenv.CallJSON(e, rt.method, rt.path, rt.body)
			if w.Code != want {
				t.Errorf("%s %s as %s: %d %s, want %d", rt.method, rt.path, role, w.Code, w.Body, want)
			}
			called := len(uc.handed) > 0
			if called != (want == rt.ok) {
				t.Errorf("%s %s as %s: use case called %v, want %v", rt.method, rt.path, role, called, want == rt.ok)
			}
			if called && (uc.handed[0] != uc.slide || uc.slideReads != 1) {
				t.Errorf("%s %s as %s: use case got slide %+v after %d reads, want the rule's, read once", rt.method, rt.path, role, uc.handed[0], uc.slideReads)
			}
		}
	}
}
