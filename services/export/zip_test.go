package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
)

func TestWriteZipStreamsEveryFileManifestFirst(t *testing.T) {
	content := map[string]string{
		export.ManifestPath:   `{"files":[]}`,
		"annotations.geojson": strings.Repeat(`{"type":"Feature"}`, 100),
		"patches/32/a.png":    "\x89PNG fake",
	}
	open := func(_ context.Context, p string) (io.ReadCloser, error) {
		c, ok := content[p]
		if !ok {
			return nil, errors.New("no such file")
		}
		return io.NopCloser(strings.NewReader(c)), nil
	}
	var buf bytes.Buffer
	files := []export.File{{Path: "annotations.geojson"}, {Path: "patches/32/a.png"}}
	if err := export.WriteZip(context.Background(), &buf, files, open, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != content[f.Name] {
			t.Errorf("%s: %q, want %q", f.Name, got, content[f.Name])
		}
		want := zip.Deflate
		if strings.HasSuffix(f.Name, ".png") {
			want = zip.Store
		}
		if f.Method != want {
			t.Errorf("%s stored with method %d, want %d", f.Name, f.Method, want)
		}
	}
	if strings.Join(names, ",") != "manifest.json,annotations.geojson,patches/32/a.png" {
		t.Fatalf("entries %v", names)
	}
	// A file that cannot be read fails the archive, naming it.
	err = export.WriteZip(context.Background(), io.Discard, []export.File{{Path: "gone.csv"}}, open, time.Now())
	if err == nil || !strings.Contains(err.Error(), "gone.csv") {
		t.Fatalf("missing file: %v", err)
	}
}
