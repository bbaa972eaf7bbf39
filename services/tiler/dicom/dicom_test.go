package dicom_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/tiler/dicom"
	"github.com/patholabel/patholabel/services/tiler/dicom/dicomtest"
)

const series = "../../../../shared/testdata/slides/CMU-1-Small-Region-dicom/"

func TestReadLevels(t *testing.T) {
	tests := []struct {
		file   string
		w, h   int64
		frames int
		mpp    float64
	}{
		{"level-0-frames-0-30.dcm", 2220, 2967, 30, 0.499},
		{"level-1-frames-0-9.dcm", 1110, 1483, 9, 0.998},
		{"level-11-frames-0-1.dcm", 1, 1, 1, 1021.952},
	}
	for _, tt := range tests {
		if !dicom.Is(series + tt.file) {
			t.Fatalf("%s: not recognised as DICOM", tt.file)
		}
		s, err := dicom.Read(series + tt.file)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if s.Width != tt.w || s.Height != tt.h || len(s.Frames) != tt.frames || s.MPP == nil || abs(*s.MPP-tt.mpp) > 1e-6 {
			t.Errorf("%s: %dx%d, %d frames, mpp %v; want %dx%d, %d, %v", tt.file, s.Width, s.Height, len(s.Frames), s.MPP, tt.w, tt.h, tt.frames, tt.mpp)
		}
		if s.Organisation != dicom.TiledFull || s.Loader() != "jpegload" {
			t.Errorf("%s: organisation %q, loader %q; want TILED_FULL, jpegload", tt.file, s.Organisation, s.Loader())
		}
		b, _ := os.ReadFile(series + tt.file)
		if f := s.Frames[0]; f.Offset+f.Length > int64(len(b)) || b[f.Offset] != 0xFF || b[f.Offset+1] != 0xD8 {
			t.Errorf("%s: frame 0 at %d+%d is not a JPEG", tt.file, f.Offset, f.Length)
		}
		if _, err := s.Layout(sizesOf(t, b, s)); err != nil {
			t.Errorf("%s: layout: %v", tt.file, err)
		}
	}
}

func TestIsRejectsOtherFiles(t *testing.T) {
	if dicom.Is("../../../../shared/testdata/slides/CMU-1-Small-Region.svs") {
		t.Fatal("an SVS was taken for DICOM")
	}
}

// TestLayoutOfNonConformantFiles builds a 512 × 300 image in 128 px frames
// (4 × 3) and writes it the ways real converters get wrong.
func TestLayoutOfNonConformantFiles(t *testing.T) {
	im := pattern(512, 300)
	cut := dicomtest.MustCut(t, im, 128, 128, false)
	padded := dicomtest.MustCut(t, im, 128, 128, true)
	base := dicomtest.Spec{Width: 512, Height: 300, FrameWidth: 128, FrameRows: 128, Organisation: dicom.TiledFull, SpacingMM: 0.0005, Frames: cut}
	positions := func(order []int) [][2]int { // frame i shows cell order[i]
		var p [][2]int
		for _, cell := range order {
			p = append(p, [2]int{cell%4*128 + 1, cell/4*128 + 1})
		}
		return p
	}
	shuffle := []int{5, 0, 11, 3, 7, 1, 9, 2, 10, 4, 8, 6}
	tests := []struct {
		name      string
		edit      func(*dicomtest.Spec)
		wantErr   string
		wantOrder []int
	}{
		{"conformant, edge frames cut", func(*dicomtest.Spec) {}, "", identity(12)},
		{"conformant, edge frames padded", func(s *dicomtest.Spec) { s.Frames = padded }, "", identity(12)},
		{"swapped matrix, edge frames cut", func(s *dicomtest.Spec) { s.Width, s.Height = 300, 512 }, "swapped", nil},
		{"swapped matrix, padded, volume says so", func(s *dicomtest.Spec) {
			s.Width, s.Height, s.Frames, s.VolumeMM = 300, 512, padded, [2]float64{512 * 0.0005, 300 * 0.0005}
		}, "swapped", nil},
		{"volume agrees", func(s *dicomtest.Spec) { s.Frames, s.VolumeMM = padded, [2]float64{512 * 0.0005, 300 * 0.0005} }, "", identity(12)},
		{"no organisation, no positions", func(s *dicomtest.Spec) { s.Organisation = "" }, "no DimensionOrganizationType", nil},
		{"no organisation, frames positioned", func(s *dicomtest.Spec) {
			s.Organisation, s.Frames, s.Positions = "", reorder(cut, shuffle), positions(shuffle)
		}, "", inverse(shuffle)},
		{"sparse, complete", func(s *dicomtest.Spec) {
			s.Organisation, s.Frames, s.Positions = dicom.TiledSparse, reorder(cut, shuffle), positions(shuffle)
		}, "", inverse(shuffle)},
		{"sparse with a gap", func(s *dicomtest.Spec) {
			s.Organisation, s.Frames, s.Positions = dicom.TiledSparse, cut[:11], positions(identity(11))
		}, "sparse tiling: 1 of the 4 × 3", nil},
		{"sparse without positions", func(s *dicomtest.Spec) { s.Organisation = dicom.TiledSparse }, "without per-frame positions", nil},
		{"TILED_FULL contradicted by positions", func(s *dicomtest.Spec) { s.Frames, s.Positions = reorder(cut, shuffle), positions(shuffle) }, "declares TILED_FULL", nil},
		{"two frames at one position", func(s *dicomtest.Spec) { s.Organisation, s.Positions = "", positions(append(identity(11), 0)) }, "both positioned", nil},
		{"missing pixel spacing", func(s *dicomtest.Spec) { s.SpacingMM = 0 }, "", identity(12)},
		{"frames larger than the header says", func(s *dicomtest.Spec) {
			s.FrameWidth, s.FrameRows, s.Width, s.Height = 64, 64, 256, 192
		}, "frame 1 (column 1, row 1 of 4 × 3) is 128 × 128 pixels", nil},
		{"too few frames", func(s *dicomtest.Spec) { s.Frames = cut[:10] }, "only 10 frames", nil},
		{"a second focal plane", func(s *dicomtest.Spec) { s.Frames = append(cut, cut...) }, "focal planes", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := base
			tt.edit(&spec)
			b := dicomtest.Build(spec)
			s, err := dicom.Parse(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if (s.MPP == nil) != (spec.SpacingMM == 0) {
				t.Errorf("mpp = %v for spacing %v mm; a missing spacing must stay missing", s.MPP, spec.SpacingMM)
			}
			order, err := s.Layout(sizesOf(t, b, s))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("layout: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("layout = %v, %v; want an error containing %q", order, err, tt.wantErr)
			case tt.wantErr == "" && !equal(order, tt.wantOrder):
				t.Fatalf("order = %v, want %v", order, tt.wantOrder)
			}
			if err != nil {
				t.Logf("refused: %v", err)
			}
		})
	}
}

// TestNestingIsBounded: sequences nested past the limit are refused at
// once; before the limit, a crafted file nested millions deep overflowed
// the goroutine stack, a crash no recover() catches.
func TestNestingIsBounded(t *testing.T) {
	frames := dicomtest.MustCut(t, pattern(64, 64), 64, 64, true)
	spec := dicomtest.Spec{Width: 64, Height: 64, FrameWidth: 64, FrameRows: 64, Organisation: dicom.TiledFull, Frames: frames}
	spec.Nesting = dicom.MaxDepth
	if _, err := dicom.Parse(bytes.NewReader(dicomtest.Build(spec))); err != nil {
		t.Fatalf("nesting %d: %v", spec.Nesting, err)
	}
	for _, depth := range []int{dicom.MaxDepth + 1, 200_000} {
		spec.Nesting = depth
		start := time.Now()
		_, err := dicom.Parse(bytes.NewReader(dicomtest.Build(spec)))
		if err == nil || !strings.Contains(err.Error(), "nested more than 16 deep") {
			t.Fatalf("nesting %d: %v, want refused as nested too deep", depth, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("nesting %d took %v", depth, time.Since(start))
		}
	}
}

func TestUnsupportedTransferSyntaxIsRefused(t *testing.T) {
	spec := dicomtest.Spec{Width: 64, Height: 64, FrameWidth: 64, FrameRows: 64, Organisation: dicom.TiledFull,
		TransferSyntax: "1.2.840.10008.1.2", Frames: [][]byte{{1, 2}}}
	_, err := dicom.Parse(bytes.NewReader(dicomtest.Build(spec)))
	if err == nil || !strings.Contains(err.Error(), `transfer syntax "1.2.840.10008.1.2" is not supported`) {
		t.Fatalf("implicit VR file: %v, want refused by transfer syntax", err)
	}
}

// sizesOf decodes each frame's header with Go's own JPEG reader.
func sizesOf(t *testing.T, file []byte, s *dicom.Slide) []dicom.Size {
	t.Helper()
	var sizes []dicom.Size
	for i, f := range s.Frames {
		c, err := jpeg.DecodeConfig(bytes.NewReader(file[f.Offset : f.Offset+f.Length]))
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		sizes = append(sizes, dicom.Size{Width: c.Width, Height: c.Height})
	}
	return sizes
}

func pattern(w, h int) image.Image {
	im := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			im.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	return im
}

func reorder(frames [][]byte, order []int) [][]byte {
	out := make([][]byte, len(order))
	for i, cell := range order {
		out[i] = frames[cell]
	}
	return out
}

// inverse turns "frame i shows cell order[i]" into "cell c shows frame".
func inverse(order []int) []int {
	out := make([]int, len(order))
	for i, cell := range order {
		out[cell] = i
	}
	return out
}

func identity(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}

func equal(a, b []int) bool { return slices.Equal(a, b) }

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
