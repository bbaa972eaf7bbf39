package dicom_test

import (
	"bytes"
	"testing"

	"github.com/patholabel/patholabel/services/tiler/dicom"
)

// FuzzParse feeds the reader arbitrary bytes: it must return (never panic,
// never overflow its stack, never allocate by what a length field claims),
// and whatever it accepts must point inside the input and lay out without
// panicking. The seed corpus is testdata/fuzz/FuzzParse (conformant and
// broken files written by dicomtest); `go test` runs it, `go test
// -fuzz=FuzzParse` explores further.
func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add(append(make([]byte, 128), "DICM"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := dicom.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		sizes := make([]dicom.Size, len(s.Frames))
		for i, fr := range s.Frames {
			if fr.Offset < 132 || fr.Length < 0 || fr.Offset+fr.Length > int64(len(data)) {
				t.Fatalf("frame %d at %d+%d lies outside the %d-byte input", i, fr.Offset, fr.Length, len(data))
			}
			sizes[i] = dicom.Size{Width: s.FrameWidth, Height: s.FrameRows}
		}
		if order, err := s.Layout(sizes); err == nil && len(order) != s.Across()*s.Down() {
			t.Fatalf("layout of %d cells for a %d × %d grid", len(order), s.Across(), s.Down())
		}
	})
}
