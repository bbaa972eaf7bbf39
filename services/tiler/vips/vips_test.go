package vips_test

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/tiler/vips"
)

const testdata = "../../../../shared/testdata/"

func TestMain(m *testing.M) {
	vips.Startup(2)
	os.Exit(m.Run())
}

func TestProbe(t *testing.T) {
	tests := []struct {
		file           string
		w, h           int64
		format         string
		vendor         string
		mpp, objective float64
	}{
		{"slides/CMU-1-Small-Region.svs", 2220, 2967, "openslideload", "aperio", 0.499, 20},
		{"slides/test3-DAPI-2-387.ndpi", 3968, 4864, "openslideload", "hamamatsu", 0.2281750559028887, 40},
		{"images/skimage-ihc.png", 512, 512, "pngload", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			// A name that says nothing: the format must come from the bytes.
			path := copyTo(t, testdata+tt.file, "source")
			m, err := vips.Probe(path)
			if err != nil {
				t.Fatal(err)
			}
			if m.Width != tt.w || m.Height != tt.h || m.Format != tt.format || m.Vendor != tt.vendor {
				t.Fatalf("probe = %+v, want %dx%d %s %q", m, tt.w, tt.h, tt.format, tt.vendor)
			}
			if got := deref(m.MPPX); got != tt.mpp {
				t.Errorf("mpp = %v, want %v", got, tt.mpp)
			}
			if got := deref(m.Objective); got != tt.objective {
				t.Errorf("objective = %v, want %v", got, tt.objective)
			}
		})
	}
}

func TestProbeRejectsNonImage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.svs")
	os.WriteFile(path, []byte("%PDF-1.4 not an image at all"), 0o600)
	if _, err := vips.Probe(path); err == nil || !strings.Contains(err.Error(), "not an image") {
		t.Fatalf("probe of a text file = %v, want a 'not an image' error", err)
	}
}

func TestDZSaveWritesStoredZip(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "p.zip")
	src := testdata + "slides/CMU-1-Small-Region.svs"
	var last int
	err := vips.DZSave(context.Background(), src, dst, vips.Pyramid{TileSize: 254, Overlap: 1, Quality: 80}, func(p int) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	tiles := 0
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".jpeg") {
			tiles++
			if f.Method != zip.Store {
				t.Fatalf("%s is compressed (method %d); tiles must be stored", f.Name, f.Method)
			}
		}
	}
	if tiles != 160 { // levels 0–12 of 2220×2967 at 254 px
		t.Errorf("tiles = %d, want 160", tiles)
	}
	_ = last
}

func TestDZSaveFailsOnTruncatedSlide(t *testing.T) {
	src := truncated(t, testdata+"slides/CMU-1-Small-Region.svs", 0.6)
	err := vips.DZSave(context.Background(), src, filepath.Join(t.TempDir(), "p.zip"), vips.Pyramid{TileSize: 254, Overlap: 1, Quality: 80}, func(int) {})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("dzsave of a truncated slide = %v, want an error saying it is truncated", err)
	}
}

func TestDZSaveStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := vips.DZSave(ctx, testdata+"slides/test3-DAPI-2-387.ndpi", filepath.Join(t.TempDir(), "p.zip"), vips.Pyramid{TileSize: 254, Overlap: 1, Quality: 80}, func(int) {})
	if err == nil {
		t.Fatal("cancelled dzsave succeeded")
	}
	t.Log(time.Since(start), err)
}

func TestThumbnail(t *testing.T) {
	b, err := vips.Thumbnail(testdata+"slides/CMU-1-Small-Region.svs", 256, 80)
	if err != nil || len(b) < 1000 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatalf("thumbnail = %d bytes, %v; want a JPEG", len(b), err)
	}
}

func copyTo(tb testing.TB, src, name string) string {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(tb.TempDir(), name)
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	return dst
}

func truncated(tb testing.TB, src string, frac float64) string {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	dst := filepath.Join(tb.TempDir(), "truncated")
	if err := os.WriteFile(dst, b[:int(float64(len(b))*frac)], 0o600); err != nil {
		tb.Fatal(err)
	}
	return dst
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
