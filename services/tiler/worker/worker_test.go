package worker_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/minio"
	"github.com/patholabel/patholabel/services/tiler/mysql"
	"github.com/patholabel/patholabel/services/tiler/vips"
	"github.com/patholabel/patholabel/services/tiler/worker"
)

const testdata = "../../../../shared/testdata/"

func TestMain(m *testing.M) {
	vips.Startup(2)
	os.Exit(m.Run())
}

type pool struct {
	store   *mysql.Store
	objects *minio.Store
	project int64
}

// mustPool runs one ingest worker on real MariaDB and MinIO, without
// Redis (it finds jobs by scanning), until the test ends.
func mustPool(tb testing.TB) *pool {
	tb.Helper()
	db, _ := testenv.MustDB(tb)
	f := testenv.MustPrincipals(tb, db)
	cl, s3 := testenv.MustS3(tb)
	cfg := tiler.DefaultConfig()
	cfg.ScanInterval, cfg.TempDir = 100*time.Millisecond, tb.TempDir()
	p := &pool{store: mysql.New(db, time.Now), objects: minio.New(cl, s3.SlidesBucket, time.Minute), project: f.Project}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := worker.New(cfg, p.store, p.objects, nil, "", log, worker.NewMetrics(prometheus.NewRegistry(), db))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	return p
}

// queue stores content as a slide's source and records the slide, as an
// upload does.
func (p *pool) queue(tb testing.TB, name string, content []byte) int64 {
	tb.Helper()
	ctx := context.Background()
	sl := &tiler.Slide{ProjectID: p.project, Name: name, SourceKey: "sources/" + name, TileSize: 254, TileOverlap: 1, TileFormat: "jpeg"}
	if _, _, err := p.objects.PutStream(ctx, sl.SourceKey, bytes.NewReader(content), 1<<30); err != nil {
		tb.Fatal(err)
	}
	if err := p.store.CreateSlide(ctx, sl); err != nil {
		tb.Fatal(err)
	}
	return sl.ID
}

// wait polls the slide until it leaves the queue and processing.
func (p *pool) wait(tb testing.TB, id int64) *tiler.Slide {
	tb.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		sl, err := p.store.Slide(context.Background(), id)
		if err != nil {
			tb.Fatal(err)
		}
		if sl.Status == tiler.StatusReady || sl.Status == tiler.StatusFailed {
			return sl
		}
	}
	tb.Fatalf("slide %d still not ingested after a minute", id)
	return nil
}

// A queued image becomes a ready slide with its size, format and pyramid
// in the bucket; a file that is no image fails for good with a reason the
// uploader can read, and the worker goes on to the next job.
func TestIngest(t *testing.T) {
	p := mustPool(t)
	png, err := os.ReadFile(testdata + "images/skimage-ihc.png")
	if err != nil {
		t.Fatal(err)
	}
	bad := p.queue(t, "notes.svs", []byte("these are not the slides you are looking for"))
	good := p.queue(t, "ihc.png", png)

	if sl := p.wait(t, bad); sl.Status != tiler.StatusFailed || !strings.Contains(sl.Error, "not an image format") {
		t.Errorf("text file: %s %q, want failed as not an image", sl.Status, sl.Error)
	}
	sl := p.wait(t, good)
	if sl.Status != tiler.StatusReady || sl.Width != 512 || sl.Height != 512 || sl.Format != "pngload" || sl.Levels == 0 {
		t.Fatalf("image: %+v, want a ready 512x512 png with levels", sl)
	}
	if sl.Bytes != int64(len(png)) || sl.PyramidKey == "" {
		t.Errorf("image: %d bytes, pyramid %q", sl.Bytes, sl.PyramidKey)
	}
	for _, name := range []string{tiler.PyramidZip, tiler.PyramidIndex} {
		if b, err := p.objects.Get(context.Background(), sl.PyramidKey+name); err != nil || len(b) == 0 {
			t.Errorf("%s%s in the bucket: %d bytes, %v", sl.PyramidKey, name, len(b), err)
		}
	}
}
