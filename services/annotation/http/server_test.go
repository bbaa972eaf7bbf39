package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	annotationhttp "github.com/patholabel/patholabel/services/annotation/http"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// The handlers against annotation.Store: what they pass to the use cases
// and how they answer. The store itself is tested on MariaDB (mysql/), the
// whole service end to end (cmd/annotation).

// store is an in-memory annotation.Store holding one slide; calls the
// tests do not expect panic through the nil embedded interface (gin
// recovers them as 500s, which the tests then report).
type store struct {
	annotation.Store
	slide      annotation.Slide
	slideReads int
	created    []annotation.Draft
	createdOn  annotation.Slide
	applyErr   error
	imported   []annotation.Item
}

func (s *store) Slide(_ context.Context, id int64) (annotation.Slide, error) {
	s.slideReads++
	if id != s.slide.ID {
		return annotation.Slide{}, platform.Errorf(platform.ENOTFOUND, "no such slide %d", id)
	}
	return s.slide, nil
}

func (s *store) Create(_ context.Context, p *access.Principal, sl annotation.Slide, drafts []annotation.Draft, _ string) (*annotation.Created, error) {
	s.created, s.createdOn = drafts, sl
	marks := make([]annotation.Mark, len(drafts))
	for i, d := range drafts {
		marks[i] = annotation.Mark{ID: int64(100 + i), SlideID: sl.ID, CategoryID: d.CategoryID, AuthorID: p.UserID, Geometry: d.Geometry, Version: 1}
	}
	return &annotation.Created{Marks: marks, Body: annotation.FeatureCollection(marks, false),
		Changes: []annotation.Change{{SlideID: sl.ID, ProjectID: sl.ProjectID, AuthorID: p.UserID, Kind: annotation.ChangeCreated, IDs: []int64{100}}}}, nil
}

func (s *store) Apply(context.Context, *access.Principal, annotation.Slide, []annotation.Edit, []annotation.Ref) (*annotation.Result, error) {
	return nil, s.applyErr
}

func (s *store) Import(_ context.Context, _ *access.Principal, _ annotation.Slide, items []annotation.Item, _ int64) (*annotation.ImportReport, *annotation.Created, error) {
	s.imported = items
	return &annotation.ImportReport{Imported: len(items), IDs: []int64{}}, &annotation.Created{}, nil
}

// events records what the handlers announce.
type events struct {
	changes    []annotation.Change
	requestIDs []string
}

func (e *events) Publish(_ context.Context, changes []annotation.Change, requestID string) {
	e.changes = append(e.changes, changes...)
	e.requestIDs = append(e.requestIDs, requestID)
}

type fixture struct {
	store  *store
	events *events
	audits *testenv.Audits
	engine *gin.Engine
}

// mustServe serves the annotation API to callers signed in as p (nil:
// anonymous), with the standard middleware (request ids, errors).
func mustServe(tb testing.TB, p *access.Principal) *fixture {
	tb.Helper()
	f := &fixture{store: &store{slide: annotation.Slide{ID: 7, ProjectID: 3, Width: 1000, Height: 800}}, events: &events{}, audits: &testenv.Audits{}}
	f.engine = testenv.MustEngine(tb, "annotation", func(e *gin.Engine) {
		annotationhttp.Register(e, annotationhttp.Deps{
			Config: annotation.DefaultConfig(), Store: f.store, Events: f.events,
			Authn: access.Fixed{P: p}, Audit: f.audits, Log: testenv.Logger(),
		})
	})
	return f
}

func (f *fixture) do(method, path, body string, header ...string) *httptest.ResponseRecorder {
	return testenv.CallJSON(f.engine, method, path, body, header...)
}

func member(role string) *access.Principal { return testenv.Member(3, role) }

const onePoint = `{"slide_id":7,"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[10,20]},"properties":{"category_id":4}}]}`

// A create reads the slide once (in the route's rule), hands that slide
// and the decoded drafts to the store, answers its body and announces the
// change under the request id the middleware assigned.
func TestCreatePassesTheRulesSlide(t *testing.T) {
	f := mustServe(t, member(access.ProjectAnnotator))
	w := f.do("POST", "/api/v1/annotations", onePoint, "X-Request-Id", "client-chosen-but-fine")
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if f.store.slideReads != 1 {
		t.Errorf("the slide was read %d times, want once", f.store.slideReads)
	}
	if f.store.createdOn != f.store.slide || len(f.store.created) != 1 || f.store.created[0].CategoryID != 4 {
		t.Errorf("store got slide %+v drafts %+v", f.store.createdOn, f.store.created)
	}
	if !strings.Contains(w.Body.String(), `"id":100`) || w.Header().Get("Content-Type") != "application/geo+json" {
		t.Errorf("answer %s %q", w.Body, w.Header().Get("Content-Type"))
	}
	if len(f.events.changes) != 1 || f.events.requestIDs[0] != w.Header().Get("X-Request-Id") || f.events.requestIDs[0] == "" {
		t.Errorf("announced %+v with ids %q; answered id %q", f.events.changes, f.events.requestIDs, w.Header().Get("X-Request-Id"))
	}
}

// The rule answers before the body is looked at for anonymous callers, and
// before the store is asked for roles that may not draw; a bad body fails
// before any slide is read.
func TestCreateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      *access.Principal
		body   string
		want   int
		reads  int
		expect string
	}{
		{"anonymous, bad body", nil, `{"slide_id":`, http.StatusUnauthorized, 0, "sign in"},
		{"viewer", member(access.ProjectViewer), onePoint, http.StatusForbidden, 1, "does not allow"},
		{"outsider", member(""), onePoint, http.StatusNotFound, 1, "no such project"},
		{"unknown field", member(access.ProjectAnnotator), `{"slide_id":7,"features":[],"colour":1}`, http.StatusBadRequest, 0, "colour"},
		{"no slide", member(access.ProjectAnnotator), `{"features":[]}`, http.StatusBadRequest, 0, "slide_id"},
		{"other slide", member(access.ProjectAnnotator), `{"slide_id":8,"features":[]}`, http.StatusNotFound, 1, "no such slide"},
		{"bad feature", member(access.ProjectAnnotator), `{"slide_id":7,"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]},"properties":{"category_id":4}}]}`, http.StatusBadRequest, 1, "feature 0"},
	} {
		f := mustServe(t, tc.p)
		w := f.do("POST", "/api/v1/annotations", tc.body)
		if w.Code != tc.want || !strings.Contains(w.Body.String(), tc.expect) {
			t.Errorf("%s: %d %s, want %d mentioning %q", tc.name, w.Code, w.Body, tc.want, tc.expect)
		}
		if f.store.slideReads != tc.reads || f.store.created != nil {
			t.Errorf("%s: %d slide reads, created %v; want %d reads and nothing created", tc.name, f.store.slideReads, f.store.created, tc.reads)
		}
	}
}

// A stale version comes back as 409 with the current marks attached, so
// the client can merge instead of overwriting.
func TestBatchConflictCarriesTheCurrentMarks(t *testing.T) {
	f := mustServe(t, member(access.ProjectReviewer))
	f.store.applyErr = &annotation.ConflictError{Current: []annotation.Mark{{ID: 42, SlideID: 7, Version: 3}}}
	w := f.do("POST", "/api/v1/annotations/batch", `{"slide_id":7,"delete":[{"id":42,"version":2}]}`)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `"code":"conflict"`) || !strings.Contains(w.Body.String(), `"id":42`) {
		t.Fatalf("stale batch: %d %s", w.Code, w.Body)
	}
	if len(f.events.changes) != 0 {
		t.Errorf("a refused batch announced %+v", f.events.changes)
	}
	if w := f.do("POST", "/api/v1/annotations/batch", `{"slide_id":7}`); w.Code != http.StatusBadRequest {
		t.Errorf("empty batch: %d %s", w.Code, w.Body)
	}
}

// An import parses the file in the handler, passes the items and the
// rule's slide to the store, and is traced in the audit log.
func TestImportIsAudited(t *testing.T) {
	f := mustServe(t, member(access.ProjectAnnotator))
	body := `<ASAP_Annotations><Annotations><Annotation Type="Dot" PartOfGroup="None"><Coordinates><Coordinate Order="0" X="10" Y="10"/></Coordinates></Annotation></Annotations></ASAP_Annotations>`
	w := f.do("POST", "/api/v1/annotations/import?slide_id=7&format=asap&category_id=4", body)
	if w.Code != http.StatusOK || len(f.store.imported) != 1 {
		t.Fatalf("import: %d %s, store got %d items", w.Code, w.Body, len(f.store.imported))
	}
	if len(f.audits.Events) != 1 || f.audits.Events[0].Action != "annotation.import" || f.audits.Events[0].ProjectID != 3 {
		t.Errorf("audited %+v", f.audits.Events)
	}
	if w := f.do("POST", "/api/v1/annotations/import?slide_id=7&format=word", body); w.Code != http.StatusBadRequest {
		t.Errorf("unknown format: %d %s", w.Code, w.Body)
	}
}

// A viewport query may not ask for more marks than the configured limit.
func TestListLimitIsBounded(t *testing.T) {
	f := mustServe(t, member(access.ProjectViewer))
	w := f.do("GET", "/api/v1/annotations?slide_id=7&limit=1000000", "")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "limit") {
		t.Fatalf("oversized limit: %d %s", w.Code, w.Body)
	}
}
