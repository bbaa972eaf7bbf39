package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
)

// cli runs a tiler subcommand against the test's dependencies.
func (e *env) cli(t *testing.T, args ...string) string {
	t.Helper()
	m := e.main
	vars := map[string]string{
		"PATHOLABEL_MYSQL_ADDR": m.Base.MySQL.Addr, "PATHOLABEL_MYSQL_USER": m.Base.MySQL.User,
		"PATHOLABEL_MYSQL_PASSWORD": m.Base.MySQL.Password, "PATHOLABEL_MYSQL_DATABASE": m.Base.MySQL.Database,
		"PATHOLABEL_REDIS_ADDR": m.Redis.Addr, "PATHOLABEL_REDIS_PREFIX": m.Redis.Prefix,
		"PATHOLABEL_S3_ENDPOINT": m.S3.Endpoint, "PATHOLABEL_S3_ACCESS_KEY": m.S3.AccessKey, "PATHOLABEL_S3_SECRET_KEY": m.S3.SecretKey,
		"PATHOLABEL_S3_BUCKET_SLIDES": m.S3.SlidesBucket, "PATHOLABEL_S3_BUCKET_EXPORTS": m.S3.ExportsBucket,
		"PATHOLABEL_LOG_FORMAT": "text", "PATHOLABEL_DEV_MODE": "true", // root without a password
	}
	var out bytes.Buffer
	if code := app.Main("tiler", args, config.FromMap(vars), &out, build, ingestCommand, importCommand); code != 0 {
		t.Fatalf("tiler %v = exit %d: %s", args, code, out.String())
	}
	return out.String()
}

func TestIngestFolderAndBucketPrefix(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	dir := t.TempDir()
	for _, f := range []string{"images/skimage-ihc.png", "slides/CMU-1-Small-Region.svs"} {
		b, _ := os.ReadFile(testdata + f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600)
	}
	out := e.cli(t, "ingest", dir, "--project", fmt.Sprint(u.project))
	if strings.Count(out, "slide queued") != 2 {
		t.Fatalf("ingest output %q, want two queued slides", out)
	}
	if out := e.cli(t, "ingest", "--project", fmt.Sprint(u.project), dir); strings.Count(out, "already imported") != 2 {
		t.Fatalf("second ingest output %q, want both already imported", out)
	}
	// Hospital IT dropped a slide into another bucket.
	cl, _ := objstore.New(e.main.S3)
	png, _ := os.ReadFile(testdata + "images/HEnorm-example1.png")
	if _, err := cl.PutObject(context.Background(), e.main.S3.ExportsBucket, "drop/2024/case7.png", bytes.NewReader(png), int64(len(png)), miniogo.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if out := e.cli(t, "import", e.main.S3.ExportsBucket+"/drop/", "--project", fmt.Sprint(u.project)); !strings.Contains(out, "slide queued") {
		t.Fatalf("import output %q, want a queued slide", out)
	}
	for id := int64(1); id <= 3; id++ {
		if sl := waitFor(t, base, u.member, id, "ready", 60*time.Second); sl["status"] != "ready" {
			t.Fatalf("imported slide %d = %v, want ready", id, sl)
		}
	}
	var n int
	e.db.QueryRow(`SELECT COUNT(*) FROM slides`).Scan(&n)
	if n != 3 {
		t.Fatalf("%d slides, want 3", n)
	}
}
