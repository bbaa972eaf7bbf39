package worker_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
	"github.com/patholabel/patholabel/services/export/vips"
	"github.com/patholabel/patholabel/services/export/worker"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func TestMain(m *testing.M) {
	if err := vips.Startup(1); err != nil {
		fmt.Fprintln(os.Stderr, "start libvips:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

type pool struct {
	store   *mysql.Store
	s3      *miniogo.Client
	exports string // bucket
	world   *exporttest.World
}

// mustPool runs one export worker on real MariaDB and MinIO, without
// Redis (it finds jobs by scanning), until the test ends.
func mustPool(tb testing.TB) *pool {
	tb.Helper()
	db, _ := testenv.MustDB(tb)
	cl, s3 := testenv.MustS3(tb)
	cfg := export.DefaultConfig()
	cfg.ScanInterval, cfg.TempDir = 100*time.Millisecond, tb.TempDir()
	p := &pool{store: mysql.New(db, time.Now), s3: cl, exports: s3.ExportsBucket,
		world: exporttest.New(tb, db, cl, s3.SlidesBucket, exporttest.Slides(tb))}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := worker.New(cfg, p.store, minio.New(cl, cl, s3.SlidesBucket, s3.ExportsBucket), nil, "", log, worker.NewMetrics(prometheus.NewRegistry(), db))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	return p
}

// wait polls the export until it finishes and reads its manifest.
func (p *pool) wait(tb testing.TB, id int64) *export.Export {
	tb.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		e, err := p.store.Get(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		if e.Finished() {
			if err := p.store.WithManifest(ctx, e); err != nil {
				tb.Fatal(err)
			}
			return e
		}
	}
	tb.Fatalf("export %d not finished after a minute", id)
	return nil
}

// A queued export is built from the project's accepted marks: done, with
// a manifest whose every file is in the bucket with the size and SHA-256
// it lists.
func TestBuild(t *testing.T) {
	p := mustPool(t)
	w := p.world
	tumor := w.MustCategory(t, 1, "tumor", "#ff0000")
	slide := w.MustSlide(t, exporttest.SlideSpec{Width: 1000, Height: 1000, CaseID: "case-1", Stain: "HE"})
	w.MustMark(t, slide, tumor, exporttest.Point(100, 200, 5), review.Accepted)
	w.MustMark(t, slide, tumor, exporttest.Point(300, 400, 5), review.Pending)
	params := export.Params{ProjectID: w.Project, Formats: []string{export.FormatGeoJSON}, Review: "accepted"}
	if err := params.Normalize(); err != nil {
		t.Fatal(err)
	}
	queued, err := p.store.Create(context.Background(), params, w.Fixture.Users[testenv.Manager])
	if err != nil {
		t.Fatal(err)
	}
	e := p.wait(t, queued.ID)
	if e.Status != export.StatusDone || e.Marks != 1 {
		t.Fatalf("export %+v, want done with the 1 accepted mark", e)
	}
	m, err := export.ParseManifest(e.Manifest)
	if err != nil || len(m.Files) == 0 || m.Counts.Marks != 1 {
		t.Fatalf("manifest %+v, %v", m, err)
	}
	for _, f := range m.Files {
		obj, err := p.s3.GetObject(context.Background(), p.exports, e.Prefix+f.Path, miniogo.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj)
		obj.Close()
		sum := sha256.Sum256(b)
		if err != nil || int64(len(b)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %d bytes (%v), sha %x; manifest says %d, %s", f.Path, len(b), err, sum, f.Size, f.SHA256)
		}
	}
}
