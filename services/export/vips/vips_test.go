package vips_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/patholabel/patholabel/services/export/vips"
)

// Testdata is the shared folder of real slides.
const Testdata = "../../../../shared/testdata/slides/"

// MustReference crops with the vips command line (extract_area) into a PNG
// and decodes it: libvips' own crop, which Region must match exactly.
func MustReference(tb testing.TB, slide string, x, y, w, h int) image.Image {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "ref.png")
	cmd := exec.Command("vips", "extract_area", slide, out, itoa(x), itoa(y), itoa(w), itoa(h))
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("vips extract_area: %v: %s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	im, err := png.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	return im
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n < 0 {
		return appendInt(append(b, '-'), -n)
	}
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func TestRegionMatchesVipsCrop(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"CMU-1-Small-Region.svs", "test3-DAPI-2-387.ndpi"} {
		path := Testdata + name
		s, err := vips.Open(path, 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer s.Close()
		for _, r := range [][4]int{{0, 0, 64, 64}, {1000, 1500, 256, 256}, {s.Width - 100, s.Height - 50, 100, 50}} {
			got, err := s.Region(r[0], r[1], r[2], r[3], r[2], r[3])
			if err != nil {
				t.Fatalf("%s %v: %v", name, r, err)
			}
			want := MustReference(t, path, r[0], r[1], r[2], r[3])
			if d := diff(got, want, r[2], r[3]); d != "" {
				t.Errorf("%s region %v: %s", name, r, d)
			}
		}
	}
}

func diff(got []byte, want image.Image, w, h int) string {
	for y := range h {
		for x := range w {
			r, g, b, _ := want.At(x, y).RGBA()
			i := (y*w + x) * 3
			if got[i] != uint8(r>>8) || got[i+1] != uint8(g>>8) || got[i+2] != uint8(b>>8) {
				return "pixel " + itoa(x) + "," + itoa(y) + " differs"
			}
		}
	}
	return ""
}

func TestRegionPadsOutsideWithBlack(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	s, err := vips.Open(Testdata+"CMU-1-Small-Region.svs", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Region(-10, -10, 20, 20, 20, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := MustReference(t, Testdata+"CMU-1-Small-Region.svs", 0, 0, 10, 10)
	for y := range 20 {
		for x := range 20 {
			i := (y*20 + x) * 3
			inside := x >= 10 && y >= 10
			if !inside && (got[i]|got[i+1]|got[i+2]) != 0 {
				t.Fatalf("pixel %d,%d outside the slide is %v, want black", x, y, got[i:i+3])
			}
			if inside {
				r, _, _, _ := want.At(x-10, y-10).RGBA()
				if got[i] != uint8(r>>8) {
					t.Fatalf("pixel %d,%d inside differs from the vips crop", x, y)
				}
			}
		}
	}
	if _, err := vips.Open(Testdata+"../README.md", 1); err == nil {
		t.Fatal("opening a text file succeeded")
	}
}

// TestLoaders pins which loader reads each slide: level 0 of the Aperio
// slide through libvips' TIFF loader (TestRegionMatchesVipsCrop shows its
// pixels are OpenSlide's), the Hamamatsu one through OpenSlide.
func TestLoaders(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"CMU-1-Small-Region.svs": "tiffload", "test3-DAPI-2-387.ndpi": "openslideload"} {
		s, err := vips.Open(Testdata+name, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Loader(); got != want {
			t.Errorf("%s is read with %q, want %q", name, got, want)
		}
		s.Close()
	}
}

// TestConcurrentReaders reads overlapping regions from several goroutines
// through one Slide (several handles, one shared tile cache) and compares
// each with a read through a Slide of its own.
func TestConcurrentReaders(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"CMU-1-Small-Region.svs", "test3-DAPI-2-387.ndpi"} {
		shared, err := vips.Open(Testdata+name, 3)
		if err != nil {
			t.Fatal(err)
		}
		alone, err := vips.Open(Testdata+name, 1)
		if err != nil {
			t.Fatal(err)
		}
		var regions [][2]int
		for i := range 40 {
			regions = append(regions, [2]int{(i * 397) % (shared.Width - 300), (i * 211) % (shared.Height - 300)})
		}
		got := make([][]byte, len(regions))
		errs := make([]error, len(regions))
		var wg sync.WaitGroup
		for g := range 6 {
			wg.Go(func() {
				for i := g; i < len(regions); i += 6 {
					got[i], errs[i] = shared.Region(regions[i][0], regions[i][1], 300, 300, 300, 300)
				}
			})
		}
		wg.Wait()
		for i, r := range regions {
			want, err := alone.Region(r[0], r[1], 300, 300, 300, 300)
			if err != nil || errs[i] != nil {
				t.Fatalf("%s region %v: %v / %v", name, r, errs[i], err)
			}
			if !bytes.Equal(got[i], want) {
				t.Errorf("%s region %v read concurrently differs from a lone read", name, r)
			}
		}
		shared.Close()
		alone.Close()
	}
}

// TestDecodeAllMatchesRegions checks the benchmark's baseline: the whole
// slide decoded at once holds the same pixels as region reads.
func TestDecodeAllMatchesRegions(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	path := Testdata + "CMU-1-Small-Region.svs"
	all, w, h, err := vips.DecodeAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if w != 2220 || h != 2967 || len(all) != w*h*3 {
		t.Fatalf("decoded %dx%d in %d bytes", w, h, len(all))
	}
	s, err := vips.Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, r := range [][2]int{{0, 0}, {1000, 1500}, {w - 256, h - 256}} {
		got, err := s.Region(r[0], r[1], 256, 256, 256, 256)
		if err != nil {
			t.Fatal(err)
		}
		for row := range 256 {
			off := ((r[1]+row)*w + r[0]) * 3
			if !bytes.Equal(got[row*256*3:(row+1)*256*3], all[off:off+256*3]) {
				t.Fatalf("region %v row %d differs from the whole decode", r, row)
			}
		}
	}
}

// TestOnlySlideLoadersRun: a source only ImageMagick or librsvg would read
// (a DICOM file, an SVG) is refused by libvips itself, whatever it sniffs.
func TestOnlySlideLoadersRun(t *testing.T) {
	if err := vips.Startup(1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	svg := filepath.Join(dir, "slide.svg")
	os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>`), 0o600)
	for _, path := range []string{svg, Testdata + "CMU-1-Small-Region-dicom/level-0-frames-0-30.dcm"} {
		if s, err := vips.Open(path, 1); err == nil || !strings.Contains(err.Error(), "blocked") {
			if s != nil {
				s.Close()
			}
			t.Errorf("%s: %v, want the loader blocked", filepath.Base(path), err)
		}
	}
}
