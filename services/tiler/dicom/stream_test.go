package dicom_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"testing"

	"github.com/patholabel/patholabel/services/tiler/dicom"
	"github.com/patholabel/patholabel/services/tiler/dicom/dicomtest"
)

// TestParseHoldsNoPixelData reads a 1 GiB instance (256 frames of 4 MiB)
// and allocates a few MiB: frames are located, never loaded. The reader
// once kept every frame in memory, so a multi-gigabyte slide ran the tiler
// out of memory.
func TestParseHoldsNoPixelData(t *testing.T) {
	const frames, size = 256, 4 << 20
	head := dicomtest.Build(dicomtest.Spec{Width: 16 * 1024, Height: 16 * 1024, FrameWidth: 1024, FrameRows: 1024, Organisation: dicom.TiledFull})
	head = head[:len(head)-8] // up to the offset table; frames and the delimiter follow
	parts := []io.Reader{bytes.NewReader(head)}
	for range frames {
		parts = append(parts, bytes.NewReader(item(0xE000, size)), io.LimitReader(zeros{}, size))
	}
	parts = append(parts, bytes.NewReader(item(0xE0DD, 0)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := dicom.Parse(io.MultiReader(parts...))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Frames) != frames || s.Frames[frames-1].Length != size {
		t.Fatalf("%d frames, last %+v; want %d of %d bytes", len(s.Frames), s.Frames[len(s.Frames)-1], frames, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Fatalf("parsing 1 GiB of frames allocated %d MiB, want < 16", alloc>>20)
	}
}

func item(e uint16, n uint32) []byte {
	b := binary.LittleEndian.AppendUint16(nil, 0xFFFE)
	b = binary.LittleEndian.AppendUint16(b, e)
	return binary.LittleEndian.AppendUint32(b, n)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
