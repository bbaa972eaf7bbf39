package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	tilerhttp "github.com/patholabel/patholabel/services/tiler/http"
)

// The handlers against tiler.Store, tiler.Objects, tiler.Tiles and
// tiler.Waker: the upload's steps and compensation, and tile caching. The
// adapters are tested on MariaDB and MinIO (mysql/, minio/), ingest and
// the whole service end to end (cmd/tiler).

// store is an in-memory tiler.Store; unexpected calls panic through the
// nil embedded interface.
type store struct {
	tiler.Store
	created []*tiler.Slide
	fail    error
}

func (s *store) CreateSlide(_ context.Context, sl *tiler.Slide) error {
	if s.fail != nil {
		return s.fail
	}
	sl.ID, sl.Status = 41, tiler.StatusQueued
	s.created = append(s.created, sl)
	return nil
}

// objects is an in-memory tiler.Objects.
type objects struct {
	tiler.Objects
	files map[string][]byte
}

func (o *objects) PutStream(_ context.Context, key string, r io.Reader, maxBytes int64) (int64, string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return 0, "", err
	}
	if int64(len(b)) > maxBytes {
		return 0, "", platform.Errorf(platform.ETOOLARGE, "larger than %d bytes", maxBytes)
	}
	o.files[key] = b
	sum := sha256.Sum256(b)
	return int64(len(b)), hex.EncodeToString(sum[:]), nil
}

func (o *objects) Remove(_ context.Context, key string) error {
	delete(o.files, key)
	return nil
}

// tiles serves slide 41 of project 3 with one tile.
type tiles struct {
	tiler.Tiles
	reads int
}

func (t *tiles) Slide(_ context.Context, id int64) (*tiler.Slide, error) {
	if id != 41 {
		return nil, platform.Errorf(platform.ENOTFOUND, "no such slide %d", id)
	}
	return &tiler.Slide{ID: 41, ProjectID: 3, Status: tiler.StatusReady, TileFormat: "jpeg", TileSize: 254, Width: 1000, Height: 800}, nil
}

func (t *tiles) Tile(_ context.Context, _ tiler.PyramidRef, _, _, _ int, ifNoneMatch string) (tiler.Tile, error) {
	if ifNoneMatch == `"t1"` {
		return tiler.Tile{ETag: `"t1"`}, nil
	}
	t.reads++
	return tiler.Tile{Data: []byte("jpg"), ETag: `"t1"`}, nil
}

type waker struct{ ids []string }

func (w *waker) Wake(_ context.Context, _ string, _, _ int64, requestID string) error {
	w.ids = append(w.ids, requestID)
	return nil
}

type fixture struct {
	store   *store
	objects *objects
	tiles   *tiles
	waker   *waker
	audits  *testenv.Audits
	engine  *gin.Engine
}

func mustServe(tb testing.TB, p *access.Principal) *fixture {
	tb.Helper()
	f := &fixture{store: &store{}, objects: &objects{files: map[string][]byte{}}, tiles: &tiles{}, waker: &waker{}, audits: &testenv.Audits{}}
	cfg := tiler.DefaultConfig()
	cfg.MaxUploadBytes = 100
	f.engine = testenv.MustEngine(tb, "tiler", func(e *gin.Engine) {
		tilerhttp.Register(e, tilerhttp.Deps{
			Config: cfg, Store: f.store, Objects: f.objects, Tiles: f.tiles, Waker: f.waker,
			Authn: access.Fixed{P: p}, Audit: f.audits, Log: testenv.Logger(),
		})
	})
	return f
}

func (f *fixture) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.engine.ServeHTTP(w, req)
	return w
}

// uploadRequest is a browser's form: the fields, then the file.
func uploadRequest(tb testing.TB, project, name, content string) *http.Request {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("project_id", project)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/slides", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func member(role string) *access.Principal { return testenv.Member(3, role) }

// An upload stores the file, records the slide with its size, checksum
// and name, wakes the workers under the assigned request id and is traced.
func TestUpload(t *testing.T) {
	f := mustServe(t, member(access.ProjectAnnotator))
	w := f.do(uploadRequest(t, "3", `C:\scans\case 1.svs`, "slide bytes"))
	if w.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	if len(f.store.created) != 1 {
		t.Fatalf("store got %d slides", len(f.store.created))
	}
	sl := f.store.created[0]
	sum := sha256.Sum256([]byte("slide bytes"))
	if sl.ProjectID != 3 || sl.Name != "case 1.svs" || sl.Bytes != 11 || sl.SHA256 != hex.EncodeToString(sum[:]) || *sl.CreatedBy != 5 {
		t.Errorf("slide %+v", sl)
	}
	if string(f.objects.files[sl.SourceKey]) != "slide bytes" {
		t.Errorf("stored %q at %q", f.objects.files[sl.SourceKey], sl.SourceKey)
	}
	if len(f.waker.ids) != 1 || f.waker.ids[0] != w.Header().Get("X-Request-Id") {
		t.Errorf("woke with %q, answered %q", f.waker.ids, w.Header().Get("X-Request-Id"))
	}
	if len(f.audits.Events) != 1 || f.audits.Events[0].Action != "slide.upload" {
		t.Errorf("audited %+v", f.audits.Events)
	}
}

// A refused or failed upload leaves no file behind, and nothing is queued.
func TestUploadLeavesNothingBehind(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       *access.Principal
		project string
		content string
		fail    error
		want    int
	}{
		{"viewer", member(access.ProjectViewer), "3", "bytes", nil, http.StatusForbidden},
		{"outsider", member(""), "3", "bytes", nil, http.StatusNotFound},
		{"empty file", member(access.ProjectManager), "3", "", nil, http.StatusBadRequest},
		{"too large", member(access.ProjectManager), "3", strings.Repeat("x", 101), nil, http.StatusRequestEntityTooLarge},
		{"row not written", member(access.ProjectManager), "3", "bytes", errors.New("database gone"), http.StatusInternalServerError},
	} {
		f := mustServe(t, tc.p)
		f.store.fail = tc.fail
		if w := f.do(uploadRequest(t, tc.project, "a.svs", tc.content)); w.Code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, w.Code, w.Body, tc.want)
		}
		if len(f.objects.files) != 0 || len(f.waker.ids) != 0 || len(f.store.created) != 0 {
			t.Errorf("%s left files %d, wake-ups %q, slides %d", tc.name, len(f.objects.files), f.waker.ids, len(f.store.created))
		}
	}
}

// A tile the browser holds (its ETag) is answered 304 without reading it;
// any member may read tiles, outsiders learn nothing.
func TestTileRevalidation(t *testing.T) {
	f := mustServe(t, member(access.ProjectViewer))
	w := f.do(httptest.NewRequest("GET", "/tiles/41_files/10/0_0.jpeg", nil))
	if w.Code != http.StatusOK || w.Body.String() != "jpg" || w.Header().Get("ETag") != `"t1"` || !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") {
		t.Fatalf("tile: %d %q %v", w.Code, w.Body, w.Header())
	}
	req := httptest.NewRequest("GET", "/tiles/41_files/10/0_0.jpeg", nil)
	req.Header.Set("If-None-Match", `"t1"`)
	if w := f.do(req); w.Code != http.StatusNotModified || f.tiles.reads != 1 {
		t.Errorf("revalidate: %d after %d reads, want 304 after 1", w.Code, f.tiles.reads)
	}
	if w := f.do(httptest.NewRequest("GET", "/tiles/41_files/10/0_0.png", nil)); w.Code != http.StatusNotFound {
		t.Errorf("wrong format: %d", w.Code)
	}
	if w := mustServe(t, member("")).do(httptest.NewRequest("GET", "/tiles/41_files/10/0_0.jpeg", nil)); w.Code != http.StatusNotFound {
		t.Errorf("outsider: %d", w.Code)
	}
	if w := f.do(httptest.NewRequest("GET", "/tiles/41.dzi", nil)); w.Code != http.StatusOK || len(f.audits.Events) != 1 || f.audits.Events[0].Action != "slide.view" {
		t.Errorf("descriptor: %d, audited %+v", w.Code, f.audits.Events)
	}
}
