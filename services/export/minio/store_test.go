package minio_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// The exports bucket on real MinIO: a file is stored with its size and
// SHA-256 and the content type its extension names, a presigned link
// downloads it as an attachment, Prune keeps only the listed files of one
// export and leaves another export's alone, RemoveAll empties the prefix.
func TestExportsBucket(t *testing.T) {
	cl, cfg := testenv.MustS3(t)
	s := minio.New(cl, nil, cfg.SlidesBucket, cfg.ExportsBucket)
	ctx := context.Background()
	sink, other := s.Sink("1/2/"), s.Sink("1/3/")

	f, err := sink.Put(ctx, "labels.geojson", []byte(`{"type":"FeatureCollection","features":[]}`))
	sum := sha256.Sum256([]byte(`{"type":"FeatureCollection","features":[]}`))
	if err != nil || f.Size != 42 || f.SHA256 != hex.EncodeToString(sum[:]) || f.Path != "labels.geojson" {
		t.Fatalf("Put = %+v, %v", f, err)
	}
	st, err := cl.StatObject(ctx, cfg.ExportsBucket, "1/2/labels.geojson", miniogo.StatObjectOptions{})
	if err != nil || st.ContentType != "application/geo+json" {
		t.Fatalf("stored as %q, %v; want application/geo+json", st.ContentType, err)
	}
	u, err := s.PresignGet(ctx, "1/2/", "labels.geojson", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), `filename="labels.geojson"`) || len(body) != 42 {
		t.Fatalf("presigned GET: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Disposition"), len(body))
	}

	for _, p := range []string{"patches/a.png", "stale.csv"} {
		if _, err := sink.Put(ctx, p, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.Put(ctx, "keep.csv", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := sink.Prune(ctx, map[string]bool{"labels.geojson": true, "patches/a.png": true}); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, cl, cfg.ExportsBucket, "1/"); got != "1/2/labels.geojson 1/2/patches/a.png 1/3/keep.csv" {
		t.Fatalf("after Prune: %s", got)
	}
	if err := sink.RemoveAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, cl, cfg.ExportsBucket, "1/"); got != "1/3/keep.csv" {
		t.Fatalf("after RemoveAll: %s", got)
	}
}

func keys(t *testing.T, cl *miniogo.Client, bucket, prefix string) string {
	t.Helper()
	var out []string
	for o := range cl.ListObjects(context.Background(), bucket, miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, o.Key)
	}
	return strings.Join(out, " ")
}
