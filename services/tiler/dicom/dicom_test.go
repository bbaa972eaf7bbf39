package dicom_test

import (
	"testing"

	"github.com/patholabel/patholabel/services/tiler/dicom"
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
		if f := s.Frames[0]; len(f) < 4 || f[0] != 0xFF || f[1] != 0xD8 {
			t.Errorf("%s: frame 0 is not a JPEG", tt.file)
		}
	}
}

func TestIsRejectsOtherFiles(t *testing.T) {
	if dicom.Is("../../../../shared/testdata/slides/CMU-1-Small-Region.svs") {
		t.Fatal("an SVS was taken for DICOM")
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
