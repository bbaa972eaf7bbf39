package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	exporthttp "github.com/patholabel/patholabel/services/export/http"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/logging"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Env is a booted export service over its own database, Redis prefix and
// buckets, with a world of slides and marks to export.
type Env struct {
	Main  *Main
	Base  string
	S3    *miniogo.Client
	World *exporttest.World
}

// MustMain boots the real export service against fresh real dependencies.
func MustMain(tb testing.TB) *Env { return MustMainWorkers(tb, 1) }

// MustMainWorkers is MustMain with a number of export workers; 0 leaves
// jobs queued for a test to drive.
func MustMainWorkers(tb testing.TB, workers int) *Env { return mustMain(tb, workers, "") }

// mustMain boots the service on the object store at endpoint ("" for the
// shared one).
func mustMain(tb testing.TB, workers int, endpoint string) *Env {
	tb.Helper()
	db, dbcfg := testenv.MustDB(tb)
	_, rcfg := testenv.MustRedis(tb)
	s3, s3cfg := testenv.MustS3At(tb, endpoint)
	m := &Main{
		Base: app.Base{
			Log:   logging.Config{Format: "json", Level: "info"},
			HTTP:  httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
			MySQL: dbcfg,
		},
		Redis: rcfg,
		S3:    s3cfg,
		// Two cutters and four uploads: the parallel paths run in every export test.
		Export: export.Config{Workers: workers, Cutters: 2, Uploads: 4, Lease: 3 * time.Second, MaxAttempts: 3, ScanInterval: 200 * time.Millisecond,
			TempDir: tb.TempDir(), LinkTTL: time.Hour, Software: "patholabel-export test"},
		Log: testenv.Logger(),
	}
	base := testenv.MustServe(tb, m)
	w := exporttest.New(tb, db, s3, s3cfg.SlidesBucket, exporttest.Slides(tb))
	return &Env{Main: m, Base: base, S3: s3, World: w}
}

func TestStandardEndpoints(t *testing.T) {
	env := MustMain(t)
	testenv.CheckStandardEndpoints(t, env.Base, "export")
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	env := MustMain(t)
	missing, stale, err := httpapi.Undocumented(env.Main.Server.Engine(), exporthttp.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("undocumented routes %v; documented but not served %v", missing, stale)
	}
}

func TestBadConfigExitsWithOneLine(t *testing.T) {
	for _, bad := range []map[string]string{{"PATHOLABEL_REDIS_DB": "many"}, {"PATHOLABEL_EXPORT_LEASE": "1s"}} {
		var stderr bytes.Buffer
		code := app.Main("export", nil, config.FromMap(bad), &stderr, build)
		out := strings.TrimSpace(stderr.String())
		for key := range bad {
			if code != 2 || strings.Contains(out, "\n") || !strings.Contains(out, key) {
				t.Fatalf("exit %d, stderr %q; want 2 and one line naming %s", code, out, key)
			}
		}
	}
}

// get reads an object of the exports bucket.
func (env *Env) get(tb testing.TB, key string) []byte {
	tb.Helper()
	o, err := env.S3.GetObject(context.Background(), env.Main.S3.ExportsBucket, key, miniogo.GetObjectOptions{})
	if err != nil {
		tb.Fatalf("get %s: %v", key, err)
	}
	defer o.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(o); err != nil {
		tb.Fatalf("read %s: %v", key, err)
	}
	return buf.Bytes()
}
