package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/export"
	exporthttp "github.com/patholabel/patholabel/services/export/http"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// The handlers against export.Exports, export.Files and export.Waker:
// what they pass on and how they answer. The store and the files are
// tested on MariaDB and MinIO (mysql/, minio/), the service end to end
// (cmd/export).

// exports is an in-memory export.Exports holding export 9 of project 3;
// unexpected calls panic through the nil embedded interface.
type exports struct {
	export.Exports
	created *export.Params
	by      int64
	e       export.Export
}

func (s *exports) Create(_ context.Context, p export.Params, by int64) (*export.Export, error) {
	s.created, s.by = &p, by
	return &export.Export{ID: 9, ProjectID: p.ProjectID, Status: export.StatusQueued, Params: p}, nil
}

func (s *exports) ProjectOf(_ context.Context, id int64) (int64, error) {
	if id != s.e.ID {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such export %d", id)
	}
	return s.e.ProjectID, nil
}

func (s *exports) Get(context.Context, int64) (*export.Export, error) {
	e := s.e
	e.Manifest = nil
	return &e, nil
}

func (s *exports) WithManifest(_ context.Context, e *export.Export) error {
	e.Manifest = s.e.Manifest
	return nil
}

// files signs links as "signed:<prefix>/<path>".
type files struct{}

func (files) Bucket() string { return "exports" }
func (files) PresignGet(_ context.Context, prefix, path string, _ time.Duration) (string, error) {
	return "signed:" + prefix + "/" + path, nil
}
func (files) Opener(string) export.Opener { return nil }

// waker records the wake-ups.
type waker struct{ ids []string }

func (w *waker) Wake(_ context.Context, _ *export.Export, requestID string) error {
	w.ids = append(w.ids, requestID)
	return nil
}

type fixture struct {
	store  *exports
	waker  *waker
	audits *testenv.Audits
	engine *gin.Engine
}

func mustServe(tb testing.TB, p *access.Principal) *fixture {
	tb.Helper()
	manifest, _ := json.Marshal(export.Manifest{ExportID: 9, Files: []export.File{{Path: "a.json", Size: 1}, {Path: "b.json", Size: 2}}})
	f := &fixture{
		store: &exports{e: export.Export{ID: 9, ProjectID: 3, Status: export.StatusDone, Prefix: "p/9", Manifest: manifest}},
		waker: &waker{}, audits: &testenv.Audits{},
	}
	f.engine = testenv.MustEngine(tb, "export", func(e *gin.Engine) {
		exporthttp.Register(e, exporthttp.Deps{
			Store: f.store, Objects: files{}, Waker: f.waker, Authn: access.Fixed{P: p},
			LinkTTL: time.Hour, Audit: f.audits, Log: testenv.Logger(),
		})
	})
	return f
}

func (f *fixture) do(method, path, body string, header ...string) *httptest.ResponseRecorder {
	return testenv.CallJSON(f.engine, method, path, body, header...)
}

func member(role string) *access.Principal { return testenv.Member(3, role) }

// A create hands the store the normalised params and the caller, wakes
// the workers under the request id the middleware assigned (not an
// overlong one the client sent) and is audited.
func TestCreate(t *testing.T) {
	f := mustServe(t, member(access.ProjectManager))
	w := f.do("POST", "/api/v1/exports", `{"project_id":3,"formats":["geojson"]}`, "X-Request-Id", strings.Repeat("x", 300))
	if w.Code != http.StatusAccepted {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if f.store.created == nil || f.store.created.ProjectID != 3 || f.store.by != 5 || f.store.created.Review == "" {
		t.Errorf("store got %+v by %d, want normalised params of project 3 by user 5", f.store.created, f.store.by)
	}
	assigned := w.Header().Get("X-Request-Id")
	if len(f.waker.ids) != 1 || f.waker.ids[0] != assigned || len(assigned) >= 300 {
		t.Errorf("woke with %q, answered %q", f.waker.ids, assigned)
	}
	if len(f.audits.Events) != 1 || f.audits.Events[0].Action != "export.create" || f.audits.Events[0].ProjectID != 3 {
		t.Errorf("audited %+v", f.audits.Events)
	}
	if !strings.Contains(w.Body.String(), `"bucket":"exports"`) {
		t.Errorf("answer lacks the bucket: %s", w.Body)
	}
}

// Only managers of the export's project export; a bad body is refused
// before the store is asked, an anonymous caller before the body is read.
func TestCreateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *access.Principal
		body string
		want int
	}{
		{"anonymous", nil, `{"project_id":`, http.StatusUnauthorized},
		{"annotator", member(access.ProjectAnnotator), `{"project_id":3,"formats":["geojson"]}`, http.StatusForbidden},
		{"outsider", member(""), `{"project_id":3,"formats":["geojson"]}`, http.StatusNotFound},
		{"unknown format", member(access.ProjectManager), `{"project_id":3,"formats":["word"]}`, http.StatusBadRequest},
		{"unknown field", member(access.ProjectManager), `{"project_id":3,"formats":["geojson"],"x":1}`, http.StatusBadRequest},
	} {
		f := mustServe(t, tc.p)
		if w := f.do("POST", "/api/v1/exports", tc.body); w.Code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, w.Code, w.Body, tc.want)
		}
		if f.store.created != nil || len(f.waker.ids) != 0 {
			t.Errorf("%s: created %+v, woke %q", tc.name, f.store.created, f.waker.ids)
		}
	}
}

// The files page signs each listed file under the export's prefix,
// manifest.json first; with no audit trail there are no links.
func TestFilesAreSignedAndTraced(t *testing.T) {
	f := mustServe(t, member(access.ProjectManager))
	w := f.do("GET", "/api/v1/exports/9/files?limit=2", "")
	if w.Code != http.StatusOK {
		t.Fatalf("files: %d %s", w.Code, w.Body)
	}
	var page struct {
		Total int `json:"total"`
		Files []struct {
			Path string `json:"path"`
			URL  string `json:"url"`
		} `json:"files"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.Files) != 2 || page.Files[0].Path != export.ManifestPath || page.Files[1].URL != "signed:p/9/a.json" {
		t.Errorf("page %+v", page)
	}
	if len(f.audits.Events) != 1 || f.audits.Events[0].Action != "export.links" {
		t.Errorf("audited %+v", f.audits.Events)
	}
	f.audits.Fail = errors.New("audit table gone")
	if w := f.do("GET", "/api/v1/exports/9/files", ""); w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "signed:") {
		t.Errorf("links without a trace: %d %s", w.Code, w.Body)
	}
	if w := f.do("GET", "/api/v1/exports/8/files", ""); w.Code != http.StatusNotFound {
		t.Errorf("another export: %d %s", w.Code, w.Body)
	}
	if w := f.do("GET", "/api/v1/exports/9?include=everything", ""); w.Code != http.StatusBadRequest {
		t.Errorf("unknown include: %d %s", w.Code, w.Body)
	}
}
