package vips_test

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
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
		s, err := vips.Open(path)
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
	s, err := vips.Open(Testdata + "CMU-1-Small-Region.svs")
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
	if _, err := vips.Open(Testdata + "../README.md"); err == nil {
		t.Fatal("opening a text file succeeded")
	}
}
