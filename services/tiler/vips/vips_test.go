package vips_test

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"os/exec"
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

// TestOnlyAllowedLoadersRun: after Startup, libvips itself refuses every
// loader outside the allowlist, so no caller can reach librsvg, poppler,
// ImageMagick, matio or cfitsio by naming or sniffing them.
func TestOnlyAllowedLoadersRun(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "frame.svg")
	os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><rect width="500" height="500" fill="red"/></svg>`), 0o600)
	// pdfload is left out: libvips 8.14 opens the document with poppler
	// before it checks the block, so only never calling it keeps poppler
	// out, which is what Loader's allowlist does (see below).
	for _, loader := range []string{"svgload", "magickload", "matload", "fitsload", "vipsload", "csvload"} {
		if _, _, _, err := vips.Header(svg, loader); err == nil || !strings.Contains(err.Error(), "blocked") {
			t.Errorf("%s: %v, want blocked", loader, err)
		}
	}
	if w, h, b, err := vips.Header(testdata+"images/skimage-ihc.png", "pngload"); err != nil || w != 512 || h != 512 || b != 3 {
		t.Fatalf("pngload = %dx%d %d bands, %v; want 512x512, 3", w, h, b, err)
	}
	pdf := filepath.Join(t.TempDir(), "doc")
	os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"), 0o600)
	for _, path := range []string{svg, pdf} {
		if _, err := vips.Thumbnail(path, 64, 80); err == nil || !strings.Contains(err.Error(), "not an image format") {
			t.Errorf("thumbnail of %s = %v, want refused", filepath.Base(path), err)
		}
		err := vips.DZSave(context.Background(), path, filepath.Join(t.TempDir(), "p.zip"), vips.Pyramid{TileSize: 254, Quality: 80}, func(int) {})
		if err == nil || !strings.Contains(err.Error(), "not an image format") {
			t.Errorf("pyramid of %s = %v, want refused", filepath.Base(path), err)
		}
	}
}

// TestFramesOpenWithTheirLoaderOnly: a "JPEG" frame that is an SVG (or a
// PNG) is not rendered into the pyramid, however libvips would sniff it.
func TestFramesOpenWithTheirLoaderOnly(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "frame-svg")
	os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect width="512" height="512" fill="red"/></svg>`), 0o600)
	png := copyTo(t, testdata+"images/skimage-ihc.png", "frame-png")
	for _, frame := range []string{svg, png} {
		f := vips.Frames{Paths: []string{frame}, Across: 1, Width: 512, Height: 512, FrameWidth: 512, FrameHeight: 512, Loader: "jpegload"}
		err := vips.DZSaveFrames(context.Background(), f, filepath.Join(dir, "p.zip"), vips.Pyramid{TileSize: 254, Overlap: 1, Quality: 80}, func(int) {})
		if err == nil || !strings.Contains(err.Error(), "Not a JPEG file") {
			t.Errorf("%s as a JPEG frame: %v, want refused as not a JPEG", filepath.Base(frame), err)
		}
		if _, err := vips.ThumbnailFrames(f, 64, 80); err == nil {
			t.Errorf("%s as a JPEG frame: thumbnail rendered", filepath.Base(frame))
		}
	}
	// A frame larger than the header's frame size is refused too.
	jpg := filepath.Join(dir, "big.jpeg")
	if out, err := exec.Command("vips", "copy", testdata+"images/skimage-ihc.png", jpg).CombinedOutput(); err != nil {
		t.Fatalf("vips copy: %v %s", err, out)
	}
	f := vips.Frames{Paths: []string{jpg}, Across: 1, Width: 256, Height: 256, FrameWidth: 256, FrameHeight: 256, Loader: "jpegload"}
	if _, err := vips.ThumbnailFrames(f, 64, 80); err == nil || !strings.Contains(err.Error(), "not a 256 x 256 frame") {
		t.Errorf("a 512 px frame in a 256 px grid: %v, want refused", err)
	}
}
