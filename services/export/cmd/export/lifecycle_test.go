package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
	"github.com/patholabel/patholabel/services/export/worker"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/geometry"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// sameFiles compares two exports' manifests: the same paths with the same
// hashes, and the same snapshot.
func sameFiles(t *testing.T, a, b *export.Export) {
	t.Helper()
	ma, err := export.ParseManifest(a.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := export.ParseManifest(b.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if ma.SnapshotSHA256 != mb.SnapshotSHA256 || len(ma.Files) != len(mb.Files) {
		t.Fatalf("snapshots %s / %s, %d / %d files", ma.SnapshotSHA256, mb.SnapshotSHA256, len(ma.Files), len(mb.Files))
	}
	for i := range ma.Files {
		if ma.Files[i] != mb.Files[i] {
			t.Errorf("file %d differs: %+v / %+v", i, ma.Files[i], mb.Files[i])
		}
	}
}

func TestRerunWritesIdenticalFiles(t *testing.T) {
	env := MustMain(t)
	env.mustMarks(t)
	body := allFormats(env.World.Project, `,"patch_format":"jpeg","sampling":"random","samples":5,"seed":7,"mask_tile_size":128`)
	a, b := env.mustExport(t, body), env.mustExport(t, body)
	if a.Status != export.StatusDone || b.Status != export.StatusDone || a.Prefix == b.Prefix {
		t.Fatalf("statuses %s %s, prefixes %s %s", a.Status, b.Status, a.Prefix, b.Prefix)
	}
	sameFiles(t, a, b)
}

func TestStrictExportFailsOnUnreadableSlide(t *testing.T) {
	env := MustMain(t)
	env.mustMarks(t)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"formats":["patches"],"patch_sizes":[64],"strict":true}`, env.World.Project))
	if e.Status != export.StatusFailed || !strings.Contains(e.Error, "missing from storage") || e.Attempts != 1 {
		t.Fatalf("status %s after %d attempts, error %q; want failed at once naming the missing file", e.Status, e.Attempts, e.Error)
	}
}

func TestDamagedSlideIsReported(t *testing.T) {
	env := MustMain(t)
	cat := env.World.MustCategory(t, 1, "tumor", "#ff0000")
	// A real file of the wrong kind: the testdata README is no slide.
	bad := env.World.MustSlide(t, exporttest.SlideSpec{File: "../README.md", Width: 500, Height: 500})
	env.World.MustMark(t, bad, cat, exporttest.Point(100, 100, 5), review.Pending)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"formats":["patches","csv"],"patch_sizes":[64]}`, env.World.Project))
	m, err := export.ParseManifest(e.Manifest)
	if err != nil || e.Status != export.StatusDone || len(m.Errors) != 1 || !strings.Contains(m.Errors[0].Error, "open slide") {
		t.Fatalf("status %s, manifest errors %+v (%v)", e.Status, m.Errors, err)
	}
}

func TestCancelQueuedExport(t *testing.T) {
	env := MustMainWorkers(t, 0)
	var e export.Export
	if st := env.call(t, testenv.Manager, "POST", "/api/v1/exports", fmt.Sprintf(`{"project_id":%d,"formats":["csv"]}`, env.World.Project), &e); st != http.StatusAccepted || e.Status != export.StatusQueued {
		t.Fatalf("POST = %d %+v", st, e)
	}
	path := fmt.Sprintf("/api/v1/exports/%d", e.ID)
	if st := env.call(t, testenv.Manager, "POST", path+"/cancel", "", &e); st != http.StatusOK || e.Status != export.StatusCancelled || e.FinishedAt == nil {
		t.Fatalf("cancel = %d %+v", st, e)
	}
	for _, c := range []struct{ method, path string }{{"POST", path + "/cancel"}, {"GET", path + "/files"}, {"GET", path + "/zip"}} {
		if st := env.call(t, testenv.Manager, c.method, c.path, "", nil); st != http.StatusConflict {
			t.Errorf("%s %s = %d, want 409", c.method, c.path, st)
		}
	}
	var list struct{ Exports []export.Export }
	if st := env.call(t, testenv.Reviewer, "GET", fmt.Sprintf("/api/v1/exports?project_id=%d", env.World.Project), "", nil); st != http.StatusForbidden {
		t.Errorf("list as reviewer = %d, want 403", st)
	}
	if st := env.call(t, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports?project_id=%d", env.World.Project), "", &list); st != http.StatusOK || len(list.Exports) != 1 {
		t.Errorf("list = %d %+v", st, list)
	}
}

func TestOnlyManagersExport(t *testing.T) {
	env := MustMainWorkers(t, 0)
	body := fmt.Sprintf(`{"project_id":%d,"formats":["csv"]}`, env.World.Project)
	want := map[string]int{testenv.Anonymous: 401, testenv.Viewer: 403, testenv.Outsider: 404, testenv.Annotator: 403,
		testenv.Reviewer: 403, testenv.Manager: 202, testenv.Admin: 202}
	var e export.Export
	for who, st := range want {
		if got := env.call(t, who, "POST", "/api/v1/exports", body, &e); got != st {
			t.Errorf("POST as %s = %d, want %d", who, got, st)
		}
	}
	for _, bad := range []string{`{"project_id":1}`, `{"formats":["csv"]}`, `{"project_id":1,"formats":["tiff"]}`, `{"project_id":1,"formats":["csv"],"x":1}`} {
		if got := env.call(t, testenv.Admin, "POST", "/api/v1/exports", bad, nil); got != http.StatusBadRequest {
			t.Errorf("POST %s = %d, want 400", bad, got)
		}
	}
	// A manager's read-only token reads exports but cannot start one.
	secret := access.NewSecret("plt_")
	if _, err := env.World.DB.Exec(`INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at) VALUES (?, 'ml', ?, 1, ?)`,
		env.World.Fixture.Users[testenv.Manager], access.HashSecret(secret), time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, path string
		want         int
	}{{"GET", fmt.Sprintf("/api/v1/exports/%d", e.ID), 200}, {"POST", "/api/v1/exports", 403}} {
		req, _ := http.NewRequest(c.method, env.Base+c.path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("read-only token %s %s = %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
	}
}

// TestCrashedExportRestartsWithItsSnapshot kills an attempt after it took
// its snapshot and left stray files and a manifest behind; marks then
// change. The next attempt must rebuild from the stored snapshot (the new
// mark stays out), remove the leftovers, and write exactly the files of an
// uninterrupted export.
func TestCrashedExportRestartsWithItsSnapshot(t *testing.T) {
	env := MustMainWorkers(t, 0)
	m := env.mustMarks(t)
	body := allFormats(env.World.Project, "")
	ctx := context.Background()
	store := mysql.New(env.World.DB, time.Now)
	objects := minio.New(env.S3, nil, env.Main.S3.SlidesBucket, env.Main.S3.ExportsBucket)
	cfg := env.Main.Export
	cfg.Workers, cfg.Lease = 1, 3*time.Second
	pool := worker.New(cfg, store, objects, nil, "", testenv.Logger(), worker.NewMetrics(httpapi.NewRegistry(), nil))

	var ref, crashed export.Export
	env.call(t, testenv.Manager, "POST", "/api/v1/exports", body, &ref)
	env.call(t, testenv.Manager, "POST", "/api/v1/exports", body, &crashed)
	job, err := store.Claim(ctx, "doomed", time.Second, cfg.MaxAttempts)
	if err != nil || job.ID != ref.ID {
		t.Fatalf("claim %+v %v", job, err)
	}
	if err := pool.Build(ctx, job, func(int) {}); err != nil { // the reference, built in full
		t.Fatal(err)
	}
	job, err = store.Claim(ctx, "doomed", time.Second, cfg.MaxAttempts)
	if err != nil || job.ID != crashed.ID {
		t.Fatalf("claim %+v %v", job, err)
	}
	snap, err := store.Snapshot(ctx, job.Params)
	if err != nil {
		t.Fatal(err)
	}
	c := snap.Canonical()
	if err := store.SaveSnapshot(ctx, job, export.Compress(c), export.Hash(c), len(snap.Marks)); err != nil {
		t.Fatal(err)
	}
	sink := objects.Sink(crashed.Prefix)
	for _, p := range []string{"patches/64/tumor/stray.png", export.ManifestPath} {
		if _, err := sink.Put(ctx, p, []byte("half-written")); err != nil {
			t.Fatal(err)
		}
	}
	env.World.MustMark(t, m.he, m.tumor, exporttest.Point(333, 444, 5), review.Accepted) // after the snapshot
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { pool.Run(runCtx); close(done) }() // claims the job once the doomed lease runs out
	defer func() { stop(); <-done }()
	got := env.wait(t, crashed.ID)
	r := env.wait(t, ref.ID)
	if got.Status != export.StatusDone || got.Attempts != 2 || got.Marks != 7 {
		t.Fatalf("restarted export: status %s, %d attempts, %d marks; want done, 2, 7", got.Status, got.Attempts, got.Marks)
	}
	sameFiles(t, r, got)
	for o := range env.S3.ListObjects(ctx, env.Main.S3.ExportsBucket, miniogo.ListObjectsOptions{Prefix: got.Prefix, Recursive: true}) {
		if strings.Contains(o.Key, "stray") {
			t.Errorf("leftover %s still stored", o.Key)
		}
	}
}

func TestDownloadLinksAndTargetMPP(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"slide_ids":[%d],"formats":["patches"],"patch_sizes":[64],"target_mpp":0.998}`,
		env.World.Project, m.he))
	if e.Status != export.StatusDone {
		t.Fatalf("status %s: %s", e.Status, e.Error)
	}
	var links struct {
		Prefix string
		Files  []struct {
			Path, URL, SHA256 string
			Size              int64
		}
	}
	if st := env.call(t, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d/files", e.ID), "", &links); st != http.StatusOK || links.Prefix != e.Prefix {
		t.Fatalf("files = %d %+v", st, links)
	}
	var patch []byte
	for _, f := range links.Files {
		if !strings.HasSuffix(f.Path, fmt.Sprintf("_%d_%d.png", m.dot[0], m.dot[1])) {
			continue
		}
		resp, err := http.Get(f.URL) // presigned: no credentials of ours
		if err != nil {
			t.Fatal(err)
		}
		patch, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || int64(len(patch)) != f.Size {
			t.Fatalf("GET %s = %d, %d bytes; want 200 and %d", f.URL, resp.StatusCode, len(patch), f.Size)
		}
	}
	im := decodePNG(t, patch)
	// 64 px at 0.998 µm per pixel cover 128 level-0 pixels at 0.499.
	want := resized(t, exporttest.SVS, int(m.dot[0])-64, int(m.dot[1])-64, 128, 0.5)
	if im.Bounds().Dx() != 64 || !bytes.Equal(rgbOf(im), want) {
		t.Errorf("patch at target mpp: %v, differs from vips crop+resize: %v", im.Bounds(), !bytes.Equal(rgbOf(im), want))
	}
}

// resized is libvips' own crop then resize of the original file.
func resized(t *testing.T, file string, x, y, size int, scale float64) []byte {
	t.Helper()
	dir := t.TempDir()
	crop, out := filepath.Join(dir, "crop.v"), filepath.Join(dir, "out.png")
	for _, args := range [][]string{
		{"extract_area", exporttest.Slides(t) + file, crop, fmt.Sprint(x), fmt.Sprint(y), fmt.Sprint(size), fmt.Sprint(size)},
		{"extract_band", crop, crop + ".rgb.v", "0", "--n", "3"},
		{"resize", crop + ".rgb.v", out, fmt.Sprint(scale)},
	} {
		if b, err := exec.Command("vips", args...).CombinedOutput(); err != nil {
			t.Fatalf("vips %v: %v: %s", args, err, b)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return rgbOf(decodePNG(t, b))
}

// TestCancelRunningExportRemovesItsFiles cancels an export of ten thousand
// patches while it runs: the worker stops at its next heartbeat and
// removes what it wrote.
func TestCancelRunningExportRemovesItsFiles(t *testing.T) {
	env := MustMain(t)
	w := env.World
	cat := w.MustCategory(t, 1, "tumor", "#ff0000")
	sl := w.MustSlide(t, exporttest.SlideSpec{File: exporttest.SVS, Width: 2220, Height: 2967})
	w.MustMark(t, sl, cat, exporttest.Polygon(geometry.KindRectangle, exporttest.Box(100, 100, 1100, 1100)), review.Pending)
	var e export.Export
	body := fmt.Sprintf(`{"project_id":%d,"formats":["patches"],"patch_sizes":[8],"stride":10}`, w.Project)
	if st := env.call(t, testenv.Manager, "POST", "/api/v1/exports", body, &e); st != http.StatusAccepted {
		t.Fatalf("POST = %d", st)
	}
	path := fmt.Sprintf("/api/v1/exports/%d", e.ID)
	for deadline := time.Now().Add(30 * time.Second); e.Status != export.StatusRunning || e.Marks == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) || e.Finished() {
			t.Fatalf("export never seen running with its snapshot: %+v", e)
		}
		env.call(t, testenv.Manager, "GET", path, "", &e)
	}
	time.Sleep(300 * time.Millisecond) // let it write some patches
	if n := env.count(e.Prefix); n == 0 {
		t.Fatal("nothing written before the cancel: the test would prove nothing")
	} else {
		t.Logf("%d objects written before the cancel", n)
	}
	if st := env.call(t, testenv.Manager, "POST", path+"/cancel", "", &e); st != http.StatusOK || e.Status != export.StatusCancelled {
		t.Fatalf("cancel = %d %+v", st, e)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		n := env.count(e.Prefix)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d objects still stored under %s after the cancel", n, e.Prefix)
		}
	}
	if env.wait(t, e.ID).Status != export.StatusCancelled {
		t.Fatal("a cancelled export changed status")
	}
}

// count is the number of objects stored under prefix.
func (env *Env) count(prefix string) int {
	n := 0
	for range env.S3.ListObjects(context.Background(), env.Main.S3.ExportsBucket, miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		n++
	}
	return n
}
