package dicom_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/tiler/dicom"
	"github.com/patholabel/patholabel/services/tiler/dicom/dicomtest"
)

// TestPaddingShowsASwappedMatrix: with every frame padded to full size and
// no imaged volume, only where the padding lies tells a swapped header.
func TestPaddingShowsASwappedMatrix(t *testing.T) {
	padded := dicomtest.MustCut(t, pattern(512, 300), 128, 128, true)
	tests := []struct {
		name, file string
		spec       dicomtest.Spec
		want       string
	}{
		{"conformant", "", dicomtest.Spec{Width: 512, Height: 300, FrameWidth: 128, FrameRows: 128, Organisation: dicom.TiledFull, Frames: padded}, ""},
		{"swapped", "", dicomtest.Spec{Width: 300, Height: 512, FrameWidth: 128, FrameRows: 128, Organisation: dicom.TiledFull, Frames: padded}, "hold image where that matrix ends"},
		{"real level 0", series + "level-0-frames-0-30.dcm", dicomtest.Spec{}, ""},
		{"real level 1", series + "level-1-frames-0-9.dcm", dicomtest.Spec{}, ""},
		// The real instance's own padded frames under a swapped header:
		// tissue where the declared matrix ends, padding (deviation 0)
		// where the true one does.
		{"real level 0, swapped", "", dicomtest.Spec{Width: 2967, Height: 2220, FrameWidth: 500, FrameRows: 500, Organisation: dicom.TiledFull,
			Frames: dicomtest.MustFrames(t, series+"level-0-frames-0-30.dcm")}, "the two are swapped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := dicomtest.Build(tt.spec)
			if tt.file != "" {
				b, _ = os.ReadFile(tt.file)
			}
			s, err := dicom.Parse(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			sizes := sizesOf(t, b, s)
			if _, err := s.Layout(sizes); err != nil {
				t.Fatalf("layout: %v", err) // sizes cannot tell: all frames are full
			}
			err = s.CheckPadding(sizes, func(st dicom.Strip) (float64, error) {
				f := s.Frames[st.Frame]
				im, err := jpeg.Decode(bytes.NewReader(b[f.Offset : f.Offset+f.Length]))
				if err != nil {
					return 0, err
				}
				return deviation(im, image.Rect(st.X, st.Y, st.X+st.Width, st.Y+st.Height)), nil
			})
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("CheckPadding = %v, want %q", err, tt.want)
			}
		})
	}
}

// deviation is the standard deviation of r's RGB samples, as libvips'
// deviate computes it over all bands.
func deviation(im image.Image, r image.Rectangle) float64 {
	var sum, sq, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := im.At(x, y).RGBA()
			for _, v := range []uint32{cr >> 8, cg >> 8, cb >> 8} {
				sum += float64(v)
				sq += float64(v) * float64(v)
				n++
			}
		}
	}
	mean := sum / n
	return math.Sqrt(max(0, sq/n-mean*mean))
}
