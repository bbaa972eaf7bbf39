package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler/minio"
)

// An object store stopped in the middle of an ingest and started again
// some seconds later (a restart, a failover) must not fail the slide: its
// source is intact, so the outage uses up no attempt, however many tries
// it takes. With one attempt allowed, the old rule (every failure counts)
// failed the slide for good at the first error.
func TestObjectStoreOutageMidIngestHeals(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	store := testenv.MustMinIO(t)
	e.main.S3.Endpoint = store.Endpoint()
	mustBucket(t, e.main.S3)
	_, base := e.serve(t, func(m *Main) { m.Tiler.MaxAttempts = 1 })

	id := uploadID(t, base, u.member, u.project, testdata+"slides/test3-DAPI-2-387.ndpi", nil)
	waitFor(t, base, u.member, id, "processing", 60*time.Second)
	store.Stop()
	down := time.Now()
	var sl map[string]any
	for time.Since(down) < 12*time.Second {
		_, b := call(t, "GET", fmt.Sprintf("%s/api/v1/slides/%d", base, id), u.member, nil)
		if strings.Contains(string(b), `"status":"failed"`) {
			t.Fatalf("slide failed during the outage: %s", b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var attempts, outages int
	if err := e.db.QueryRow(`SELECT attempts, outages FROM ingest_jobs WHERE target_id = ? AND kind = 'slide'`, id).Scan(&attempts, &outages); err != nil {
		t.Fatal(err)
	}
	if outages == 0 {
		t.Fatalf("the ingest met no outage (attempts %d): it ended before the store was stopped; the test proves nothing", attempts)
	}
	store.Start()
	t.Logf("store down %v; the ingest met %d outage(s) by then", time.Since(down).Round(time.Second), outages)
	if sl = waitFor(t, base, u.member, id, "ready", 150*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide after a 12 s object store outage = %v, want ready", sl)
	}
	if e.db.QueryRow(`SELECT attempts FROM ingest_jobs WHERE target_id = ? AND kind = 'slide'`, id).Scan(&attempts); attempts != 1 {
		t.Errorf("the ingest used %d attempts, want 1: outages must not count", attempts)
	}
	if resp, b := call(t, "GET", fmt.Sprintf("%s/tiles/%d_files/9/0_0.jpeg", base, id), u.member, nil); resp.StatusCode != 200 || !isJPEG(b) {
		t.Errorf("tile after the outage = %d", resp.StatusCode)
	}
}

// A failed slide can be queued again once its cause is gone (here: a pixel
// limit since raised), by a member who may upload, and only when failed.
func TestRetryFailedSlide(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.Workers = 0 })
	strict := e.main
	strict.Tiler.MaxPixels = 1000
	stop := startMain(t, strict)
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	sl := waitFor(t, base, u.member, id, "failed", 60*time.Second)
	if sl["status"] != "failed" || !strings.Contains(fmt.Sprint(sl["error"]), "limit") {
		t.Fatalf("slide over the pixel limit = %v, want failed naming the limit", sl)
	}
	stop()

	retry := fmt.Sprintf("%s/api/v1/slides/%d/retry", base, id)
	if resp, b := call(t, "POST", retry, u.viewer, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("retry by a viewer = %d %s, want 403", resp.StatusCode, b)
	}
	if resp, b := call(t, "POST", retry, u.outsider, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("retry by a member of another project = %d %s, want 404", resp.StatusCode, b)
	}
	if resp, b := call(t, "POST", retry, "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("retry signed out = %d %s, want 401", resp.StatusCode, b)
	}
	resp, b := call(t, "POST", retry, u.member, nil)
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(b), `"status":"queued"`) || !strings.Contains(string(b), `"error":""`) {
		t.Fatalf("retry by an annotator = %d %s, want 202 queued without the old error", resp.StatusCode, b)
	}
	if resp, b := call(t, "POST", retry, u.member, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("retry of a queued slide = %d %s, want 409", resp.StatusCode, b)
	}
	e.serve(t, nil) // a worker with the default limit
	if sl := waitFor(t, base, u.member, id, "ready", 60*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide after retry = %v, want ready", sl)
	}
	if resp, b := call(t, "POST", retry, u.member, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("retry of a ready slide = %d %s, want 409", resp.StatusCode, b)
	}
	var n int
	e.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'slide.retry' AND target_id = ?`, fmt.Sprint(id)).Scan(&n)
	if n != 1 {
		t.Errorf("%d slide.retry audit rows, want 1", n)
	}
}

// startMain boots m until the returned stop is called (or the test ends).
func startMain(tb testing.TB, m Main) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("run: %v", err)
		}
		m.Close()
	}
	tb.Cleanup(stop)
	return stop
}

func mustBucket(tb testing.TB, cfg objstore.Config) {
	tb.Helper()
	cl, err := objstore.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := objstore.EnsureBucket(ctx, cl, cfg.SlidesBucket, cfg.Region); err != nil {
		tb.Fatal(err)
	}
}

// An upload refused after its S3 multipart upload was opened (here: a
// project that does not exist, which only an admin gets that far with)
// leaves no incomplete multipart upload behind: nobody would know its id.
func TestRefusedUploadAbortsItsMultipart(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	res, err := e.db.Exec(`INSERT INTO users (username, system_role, created_at, updated_at) VALUES ('root', 'admin', ?, ?)`, now, now)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := res.LastInsertId()
	admin := access.NewSecret("")
	if _, err := e.db.Exec(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		access.HashSecret(admin), uid, csrfToken, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, base := e.serve(t, nil)
	resp, b := call(t, "POST", base+"/api/v1/uploads", admin, strings.NewReader(`{"project_id": 987654321, "name": "a.svs", "size": 1000}`),
		"Content-Type", "application/json")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "no such project") {
		t.Fatalf("upload into a missing project = %d %s, want 400 no such project", resp.StatusCode, b)
	}
	cl, err := objstore.New(e.main.S3)
	if err != nil {
		t.Fatal(err)
	}
	for u := range cl.ListIncompleteUploads(context.Background(), e.main.S3.SlidesBucket, "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		t.Errorf("incomplete multipart upload left behind: %s (%s)", u.Key, u.UploadID)
	}
}

// A streamed upload that fails midway, after S3 has parts of it, leaves
// no incomplete multipart upload: the client aborts it (the sizing guide
// relies on this; only uploads a browser abandons need the bucket rule).
func TestFailedStreamLeavesNoMultipart(t *testing.T) {
	e := newEnv(t)
	cl, err := objstore.New(e.main.S3)
	if err != nil {
		t.Fatal(err)
	}
	store := minio.New(cl, e.main.S3.SlidesBucket, time.Minute)
	body := io.MultiReader(io.LimitReader(zeros{}, 40<<20), failing{})
	if _, _, err := store.PutStream(context.Background(), "sources/broken/source", body, 1<<30); err == nil {
		t.Fatal("a stream that fails after 40 MiB was stored")
	}
	for u := range cl.ListIncompleteUploads(context.Background(), e.main.S3.SlidesBucket, "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		t.Errorf("incomplete multipart upload left behind: %s", u.Key)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset by the browser") }
