package vips_test

import (
	"bytes"
	"image/jpeg"
	"testing"

	"github.com/patholabel/patholabel/services/tiler/vips"
)

func TestAssociated(t *testing.T) {
	tests := []struct {
		file, name string
		ok         bool
		w, h       int // OpenSlide's own size (vipsheader "…[associated=name]")
	}{
		{"slides/CMU-1-Small-Region.svs", "label", true, 387, 463},
		{"slides/CMU-1-Small-Region.svs", "macro", true, 1280, 431},
		{"slides/CMU-1-Small-Region.svs", "nonesuch", false, 0, 0},
		{"images/skimage-ihc.png", "label", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.name, func(t *testing.T) {
			b, ok, err := vips.Associated(testdata+tt.file, tt.name, 80)
			if err != nil || ok != tt.ok {
				t.Fatalf("ok %v, err %v; want ok %v", ok, err, tt.ok)
			}
			if !ok {
				return
			}
			im, err := jpeg.Decode(bytes.NewReader(b))
			if err != nil || im.Bounds().Dx() != tt.w || im.Bounds().Dy() != tt.h {
				t.Fatalf("decode: %v, %v; want %dx%d", err, im.Bounds(), tt.w, tt.h)
			}
		})
	}
}
