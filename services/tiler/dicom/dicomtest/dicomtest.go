// Package dicomtest writes small DICOM-WSI files for tests: conformant
// ones cut from any image, and the non-conformant and hostile ones the
// reader must refuse (swapped matrix, no organisation, gaps, frames that
// are not what the header says, sequences nested without end).
package dicomtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"testing"

	"github.com/patholabel/patholabel/services/tiler/dicom"
)

// JPEGBaseline is the transfer syntax Build writes unless told otherwise.
const JPEGBaseline = "1.2.840.10008.1.2.4.50"

// Spec describes a file. Zero values leave an attribute out, except where
// noted.
type Spec struct {
	Width, Height         int // TotalPixelMatrixColumns/Rows as written
	FrameWidth, FrameRows int
	TransferSyntax        string     // JPEGBaseline when empty
	Organisation          string     // DimensionOrganizationType
	SpacingMM             float64    // PixelSpacing in the shared functional groups
	VolumeMM              [2]float64 // ImagedVolumeWidth/Height
	Positions             [][2]int   // per-frame (column, row), 1-based
	Frames                [][]byte
	Nesting               int // sequences nested this deep before the pixel data
}

// Build encodes spec as a DICOM Part 10 file, explicit VR little endian,
// attributes in tag order as the standard asks.
func Build(s Spec) []byte {
	var b bytes.Buffer
	b.Write(make([]byte, 128))
	b.WriteString("DICM")
	ts := s.TransferSyntax
	if ts == "" {
		ts = JPEGBaseline
	}
	el(&b, 0x0002, 0x0010, "UI", text(ts, 0))
	el(&b, 0x0008, 0x0016, "UI", text("1.2.840.10008.5.1.4.1.1.77.1.6", 0))
	el(&b, 0x0008, 0x0070, "LO", text("patholabel test", ' '))
	if s.Organisation != "" {
		el(&b, 0x0020, 0x9311, "CS", text(s.Organisation, ' '))
	}
	el(&b, 0x0028, 0x0002, "US", u16(3))
	el(&b, 0x0028, 0x0008, "IS", text(fmt.Sprint(len(s.Frames)), ' '))
	el(&b, 0x0028, 0x0010, "US", u16(s.FrameRows))
	el(&b, 0x0028, 0x0011, "US", u16(s.FrameWidth))
	if s.VolumeMM[0] > 0 {
		el(&b, 0x0048, 0x0001, "FL", f32(s.VolumeMM[0]))
		el(&b, 0x0048, 0x0002, "FL", f32(s.VolumeMM[1]))
	}
	el(&b, 0x0048, 0x0006, "UL", u32(s.Width))
	el(&b, 0x0048, 0x0007, "UL", u32(s.Height))
	if s.Nesting > 0 {
		b.Write(nested(s.Nesting))
	}
	if s.SpacingMM > 0 {
		sp := fmt.Sprintf(`%g\%g`, s.SpacingMM, s.SpacingMM)
		measures := seq(0x0028, 0x9110, item(elBytes(0x0028, 0x0030, "DS", text(sp, ' '))))
		b.Write(seq(0x5200, 0x9229, item(measures)))
	}
	if s.Positions != nil {
		var items []byte
		for _, p := range s.Positions {
			pos := append(elBytes(0x0048, 0x021E, "SL", u32(p[0])), elBytes(0x0048, 0x021F, "SL", u32(p[1]))...)
			items = append(items, item(seq(0x0048, 0x021A, item(pos)))...)
		}
		b.Write(seqItems(0x5200, 0x9230, items))
	}
	pixelData(&b, s.Frames)
	return b.Bytes()
}

// nested is depth sequences of undefined length, each the only element of
// its parent's one item: what once overflowed the reader's stack.
func nested(depth int) []byte {
	var open, close bytes.Buffer
	for range depth {
		open.Write(header(0x0040, 0x0260, "SQ", 0xFFFFFFFF))
		open.Write(itemHeader(0xE000, 0xFFFFFFFF))
		close.Write(itemHeader(0xE00D, 0))
		close.Write(itemHeader(0xE0DD, 0))
	}
	return append(open.Bytes(), close.Bytes()...)
}

func pixelData(b *bytes.Buffer, frames [][]byte) {
	b.Write(header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF))
	b.Write(itemHeader(0xE000, 0)) // empty basic offset table
	for _, f := range frames {
		if len(f)%2 == 1 {
			f = append(f, 0) // items have even lengths
		}
		b.Write(itemHeader(0xE000, uint32(len(f))))
		b.Write(f)
	}
	b.Write(itemHeader(0xE0DD, 0))
}

func el(b *bytes.Buffer, g, e uint16, vr string, v []byte) { b.Write(elBytes(g, e, vr, v)) }

func elBytes(g, e uint16, vr string, v []byte) []byte {
	return append(header(g, e, vr, uint32(len(v))), v...)
}

func header(g, e uint16, vr string, n uint32) []byte {
	b := binary.LittleEndian.AppendUint16(nil, g)
	b = binary.LittleEndian.AppendUint16(b, e)
	b = append(b, vr...)
	switch vr {
	case "OB", "OW", "SQ", "UN", "UT":
		b = append(b, 0, 0)
		return binary.LittleEndian.AppendUint32(b, n)
	}
	return binary.LittleEndian.AppendUint16(b, uint16(n))
}

func itemHeader(e uint16, n uint32) []byte {
	b := binary.LittleEndian.AppendUint16(nil, 0xFFFE)
	b = binary.LittleEndian.AppendUint16(b, e)
	return binary.LittleEndian.AppendUint32(b, n)
}

func item(body []byte) []byte { return append(itemHeader(0xE000, uint32(len(body))), body...) }

func seq(g, e uint16, items ...[]byte) []byte { return seqItems(g, e, bytes.Join(items, nil)) }

func seqItems(g, e uint16, items []byte) []byte {
	return append(header(g, e, "SQ", uint32(len(items))), items...)
}

// text pads a string value to even length, as DICOM asks.
func text(s string, padding byte) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, padding)
	}
	return b
}

func u16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(int32(v))) }
func f32(v float64) []byte {
	return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(v)))
}

// MustCut splits im into JPEG frames of fw × fh in row-major order. padded
// frames are all fw × fh (the edge ones filled with black, as the standard
// asks); otherwise edge frames are cut to the image, as some converters do.
func MustCut(tb testing.TB, im image.Image, fw, fh int, padded bool) [][]byte {
	tb.Helper()
	r := im.Bounds()
	var frames [][]byte
	for y := r.Min.Y; y < r.Max.Y; y += fh {
		for x := r.Min.X; x < r.Max.X; x += fw {
			w, h := min(fw, r.Max.X-x), min(fh, r.Max.Y-y)
			if padded {
				w, h = fw, fh
			}
			frame := image.NewRGBA(image.Rect(0, 0, w, h))
			draw.Draw(frame, frame.Bounds(), im, image.Pt(x, y), draw.Src)
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, frame, &jpeg.Options{Quality: 95}); err != nil {
				tb.Fatalf("encode frame: %v", err)
			}
			frames = append(frames, buf.Bytes())
		}
	}
	return frames
}

// MustFrames returns the frames of a real DICOM file, to write them again
// under another header.
func MustFrames(tb testing.TB, path string) [][]byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := dicom.Parse(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var frames [][]byte
	for _, f := range s.Frames {
		frames = append(frames, b[f.Offset:f.Offset+f.Length])
	}
	return frames
}
