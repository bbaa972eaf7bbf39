// Package dicom reads DICOM whole-slide images (VL Whole Slide Microscopy,
// JPEG or JPEG 2000 frames): enough to hand the frames to libvips, which
// Debian 12's OpenSlide 3.4 cannot do. The Go DICOM libraries are not
// available from the module proxy here, so this is a small reader of its own
// covering explicit-VR little-endian files with encapsulated pixel data.
//
// The reader never holds pixel data: it records where each frame lies in
// the file, and the caller copies frames out one at a time. Every input is
// untrusted, so nesting, frame counts and value sizes are bounded.
package dicom

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Limits of what the reader accepts. Real slides nest sequences three or
// four deep; a crafted file nesting millions deep once overflowed the stack.
const (
	MaxDepth  = 16
	MaxFrames = 1 << 22 // 4 Mi frames of even 256² pixels is far past any pixel limit
	maxValue  = 1 << 20 // larger values are skipped unread: no field the reader keeps is that long
	maxFrame  = 1 << 30
)

// Dimension organisations (0020,9311).
const (
	TiledFull   = "TILED_FULL"
	TiledSparse = "TILED_SPARSE"
)

// Slide is a DICOM-WSI instance: its full image size, tile geometry,
// calibration and where its compressed frames lie in the file.
type Slide struct {
	Width, Height         int64      // TotalPixelMatrixColumns/Rows
	FrameWidth, FrameRows int        // Columns/Rows of one frame
	MPP                   *float64   // µm per pixel across; nil when the file has no pixel spacing
	Spacing               [2]float64 // PixelSpacing in mm: between rows, between columns; zero when absent
	VolumeWidth           float64    // ImagedVolumeWidth/Height in mm; zero when absent
	VolumeHeight          float64
	Manufacturer          string
	TransferSyntax        string
	Organisation          string     // DimensionOrganizationType; empty when the file has none
	NumberOfFrames        int        // as declared; 0 when absent
	Positions             []Position // per-frame positions, in frame order; nil when the file has none
	Frames                []Frame
}

// Frame is one compressed frame: Length bytes at Offset in the file.
type Frame struct{ Offset, Length int64 }

// Position is where a frame's top-left pixel lies in the total pixel
// matrix, 1-based as DICOM counts (ColumnPositionInTotalImagePixelMatrix,
// RowPosition…).
type Position struct{ Column, Row int64 }

// Across is the number of frames in one row of the matrix.
func (s *Slide) Across() int { return int((s.Width + int64(s.FrameWidth) - 1) / int64(s.FrameWidth)) }

// Down is the number of frame rows.
func (s *Slide) Down() int { return int((s.Height + int64(s.FrameRows) - 1) / int64(s.FrameRows)) }

// Is reports whether path starts like a DICOM Part 10 file.
func Is(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [132]byte
	_, err = io.ReadFull(f, b[:])
	return err == nil && string(b[128:]) == "DICM"
}

// loaders maps the transfer syntaxes the reader supports to the one
// libvips loader their frames may be opened with: a frame is never
// sniffed, so a frame that is not what the header says fails to load.
var loaders = map[string]string{
	"1.2.840.10008.1.2.4.50": "jpegload", // JPEG baseline
	"1.2.840.10008.1.2.4.51": "jpegload", // JPEG extended
	"1.2.840.10008.1.2.4.90": "jp2kload", // JPEG 2000 lossless only
	"1.2.840.10008.1.2.4.91": "jp2kload", // JPEG 2000
}

// Loader names the libvips loader for the slide's frames.
func (s *Slide) Loader() string { return loaders[s.TransferSyntax] }

// Read parses path. Errors name what is missing or unsupported.
func Read(path string) (*Slide, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open dicom: %w", err)
	}
	defer f.Close()
	return Parse(f)
}

// Parse reads a DICOM Part 10 stream, preamble included.
func Parse(in io.Reader) (*Slide, error) {
	r := &reader{r: bufio.NewReaderSize(in, 1<<16)}
	if _, err := r.skip(128); err != nil {
		return nil, errors.New("dicom: file too short")
	}
	if magic, err := r.read(4); err != nil || string(magic) != "DICM" {
		return nil, errors.New("dicom: no DICM marker after the preamble")
	}
	s := &Slide{}
	if err := r.elements(s, -1, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return s, s.check()
}

func (s *Slide) check() error {
	switch {
	case s.Width <= 0 || s.Height <= 0 || s.FrameWidth <= 0 || s.FrameRows <= 0:
		return errors.New("dicom: not a whole-slide image (no total pixel matrix or frame size)")
	case s.Loader() == "":
		return fmt.Errorf("dicom: transfer syntax %q is not supported (JPEG baseline, JPEG extended or JPEG 2000 only)", s.TransferSyntax)
	case len(s.Frames) == 0:
		return errors.New("dicom: no encapsulated pixel data")
	case s.NumberOfFrames != 0 && s.NumberOfFrames != len(s.Frames):
		return fmt.Errorf("dicom: NumberOfFrames says %d but the pixel data holds %d fragments (frames split into several fragments are not supported)", s.NumberOfFrames, len(s.Frames))
	case s.Positions != nil && len(s.Positions) != len(s.Frames):
		return fmt.Errorf("dicom: %d per-frame positions for %d frames", len(s.Positions), len(s.Frames))
	}
	return nil
}

type reader struct {
	r   *bufio.Reader
	pos int64
}

func (r *reader) skip(n int64) (int64, error) {
	var done int64
	for done < n { // Discard takes an int; frames can be larger than a 32-bit one
		m, err := r.r.Discard(int(min(n-done, 1<<30)))
		done += int64(m)
		r.pos += int64(m)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

func (r *reader) read(n int) ([]byte, error) {
	b := make([]byte, n)
	m, err := io.ReadFull(r.r, b)
	r.pos += int64(m)
	return b, err
}

func (r *reader) u16() (uint16, error) {
	b, err := r.read(2)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

func (r *reader) u32() (uint32, error) {
	b, err := r.read(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// longVRs have a 4-byte length after two reserved bytes.
var longVRs = map[string]bool{"OB": true, "OW": true, "OF": true, "OD": true, "OL": true, "OV": true, "SQ": true, "UT": true, "UN": true, "UC": true, "UR": true, "SV": true, "UV": true}

const undefined = 0xFFFFFFFF

type tag uint32

func mkTag(g, e uint16) tag { return tag(uint32(g)<<16 | uint32(e)) }

var (
	tagItem        = mkTag(0xFFFE, 0xE000)
	tagItemEnd     = mkTag(0xFFFE, 0xE00D)
	tagSequenceEnd = mkTag(0xFFFE, 0xE0DD)
	tagPixelData   = mkTag(0x7FE0, 0x0010)
	tagPerFrame    = mkTag(0x5200, 0x9230) // PerFrameFunctionalGroupsSequence
	tagPlanePos    = mkTag(0x0048, 0x021A) // PlanePositionSlideSequence
)

func (r *reader) header() (tag, string, uint32, error) {
	g, err := r.u16()
	if err != nil {
		return 0, "", 0, err
	}
	e, err := r.u16()
	if err != nil {
		return 0, "", 0, err
	}
	t := mkTag(g, e)
	if g == 0xFFFE { // item and delimiters have no VR
		n, err := r.u32()
		return t, "", n, err
	}
	vr, err := r.read(2)
	if err != nil {
		return 0, "", 0, err
	}
	if longVRs[string(vr)] {
		if _, err := r.skip(2); err != nil {
			return 0, "", 0, err
		}
		n, err := r.u32()
		return t, string(vr), n, err
	}
	n, err := r.u16()
	return t, string(vr), uint32(n), err
}

// elements reads a dataset until end bytes (-1: end of file) or an item
// delimiter, keeping the fields a slide needs and skipping the rest.
// depth counts the sequences around it.
func (r *reader) elements(s *Slide, end int64, depth int) error {
	for end < 0 || r.pos < end {
		t, vr, n, err := r.header()
		if err != nil {
			return err
		}
		if depth == 0 && t>>16 != 0x0002 && s.Loader() == "" {
			// Past the file meta group: any other transfer syntax would be
			// misread from here on (implicit VR, big endian, deflate).
			return fmt.Errorf("dicom: transfer syntax %q is not supported (JPEG baseline, JPEG extended or JPEG 2000 only)", s.TransferSyntax)
		}
		switch {
		case t == tagItemEnd:
			return nil
		case t == tagPixelData && n == undefined:
			// Only the top level's pixel data are the slide's; an icon
			// image's, inside a sequence, is skipped the same way.
			if err := r.fragments(s, depth == 0); err != nil {
				return err
			}
		case vr == "SQ" || n == undefined:
			if err := r.sequence(s, t, n, depth+1); err != nil {
				return err
			}
		default:
			if err := r.value(s, t, n); err != nil {
				return err
			}
		}
	}
	if r.pos != end {
		return fmt.Errorf("dicom: an element runs past the end of its item at byte %d", end)
	}
	return nil
}

// sequence reads a sequence's items, nested or not, taking from them only
// the pixel spacing and the frames' positions: DICOM-WSI keeps spacing in
// the shared functional groups and positions in the per-frame ones, while
// sizes found in items (an icon image's Rows) are not the slide's.
func (r *reader) sequence(s *Slide, seq tag, n uint32, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("dicom: sequences nested more than %d deep", MaxDepth)
	}
	end := int64(-1)
	if n != undefined {
		end = r.pos + int64(n)
	}
	for end < 0 || r.pos < end {
		t, _, ln, err := r.header()
		if err != nil {
			return err
		}
		if t == tagSequenceEnd {
			return nil
		}
		if t != tagItem {
			return fmt.Errorf("dicom: malformed sequence: tag %08X where an item belongs", uint32(t))
		}
		itemEnd := int64(-1)
		if ln != undefined {
			itemEnd = r.pos + int64(ln)
		}
		item := &Slide{} // an item is a dataset of its own
		if err := r.elements(item, itemEnd, depth); err != nil {
			return err
		}
		if err := s.take(seq, item); err != nil {
			return err
		}
	}
	if r.pos != end {
		return fmt.Errorf("dicom: an item runs past the end of its sequence at byte %d", end)
	}
	return nil
}

// take keeps what an item of sequence seq tells about the slide.
func (s *Slide) take(seq tag, it *Slide) error {
	if s.MPP == nil {
		s.MPP, s.Spacing = it.MPP, it.Spacing
	}
	switch seq {
	case tagPlanePos:
		s.Positions = it.Positions // the item's own column/row, see value
	case tagPerFrame:
		if len(it.Positions) != 1 {
			return nil // a frame without a position: check() reports the count
		}
		if len(s.Positions) >= MaxFrames {
			return fmt.Errorf("dicom: more than %d per-frame functional groups", MaxFrames)
		}
		s.Positions = append(s.Positions, it.Positions[0])
	}
	return nil
}

// fragments walks encapsulated pixel data: an offset table item, then one
// fragment per frame (the case for WSI), recorded by position unless the
// data are not the slide's (keep false).
func (r *reader) fragments(s *Slide, keep bool) error {
	for first := true; ; first = false {
		t, _, n, err := r.header()
		if err != nil {
			return fmt.Errorf("dicom: read pixel data: %w", err)
		}
		if t == tagSequenceEnd {
			return nil
		}
		if t != tagItem || n == undefined || n > maxFrame {
			return errors.New("dicom: malformed encapsulated pixel data")
		}
		at := r.pos
		if m, err := r.skip(int64(n)); err != nil || m != int64(n) {
			return fmt.Errorf("dicom: pixel data end early, in fragment at byte %d", at)
		}
		if first || !keep {
			continue
		}
		if len(s.Frames) >= MaxFrames {
			return fmt.Errorf("dicom: more than %d frames", MaxFrames)
		}
		s.Frames = append(s.Frames, Frame{Offset: at, Length: int64(n)})
	}
}

func (r *reader) value(s *Slide, t tag, n uint32) error {
	if n > maxValue {
		_, err := r.skip(int64(n))
		return err
	}
	b, err := r.read(int(n))
	if err != nil {
		return err
	}
	str := strings.TrimRight(string(b), " \x00")
	switch t {
	case mkTag(0x0002, 0x0010):
		s.TransferSyntax = str
	case mkTag(0x0008, 0x0070):
		s.Manufacturer = str
	case mkTag(0x0020, 0x9311):
		s.Organisation = strings.TrimSpace(str)
	case mkTag(0x0028, 0x0008):
		s.NumberOfFrames, _ = strconv.Atoi(strings.TrimSpace(str))
	case mkTag(0x0028, 0x0010):
		s.FrameRows = int(binary.LittleEndian.Uint16(pad(b, 2)))
	case mkTag(0x0028, 0x0011):
		s.FrameWidth = int(binary.LittleEndian.Uint16(pad(b, 2)))
	case mkTag(0x0048, 0x0006):
		s.Width = int64(binary.LittleEndian.Uint32(pad(b, 4)))
	case mkTag(0x0048, 0x0007):
		s.Height = int64(binary.LittleEndian.Uint32(pad(b, 4)))
	case mkTag(0x0028, 0x0030):
		s.Spacing = spacing(str)
		if s.Spacing[1] > 0 {
			um := s.Spacing[1] * 1000
			s.MPP = &um
		}
	case mkTag(0x0048, 0x0001):
		s.VolumeWidth = float32At(b)
	case mkTag(0x0048, 0x0002):
		s.VolumeHeight = float32At(b)
	case mkTag(0x0048, 0x021E):
		s.position().Column = int64(int32(binary.LittleEndian.Uint32(pad(b, 4))))
	case mkTag(0x0048, 0x021F):
		s.position().Row = int64(int32(binary.LittleEndian.Uint32(pad(b, 4))))
	}
	return nil
}

// position is the one position a plane-position item describes.
func (s *Slide) position() *Position {
	if len(s.Positions) == 0 {
		s.Positions = []Position{{}}
	}
	return &s.Positions[0]
}

func pad(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// spacing reads PixelSpacing ("0.000499\\0.000499": millimetres between
// rows, then between columns); a value that is missing or nonsense is 0,
// so a missing calibration is never replaced by a made-up one.
func spacing(s string) [2]float64 {
	var out [2]float64
	parts := strings.Split(s, `\`)
	if len(parts) == 1 {
		parts = append(parts, parts[0])
	}
	for i := range out {
		mm, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		if err == nil && mm > 0 && mm <= 1e3 {
			out[i] = mm
		}
	}
	return out
}

// float32At reads a FL value; anything not finite and positive is 0.
func float32At(b []byte) float64 {
	f := float64(math.Float32frombits(binary.LittleEndian.Uint32(pad(b, 4))))
	if !(f > 0 && f < 1e6) {
		return 0
	}
	return f
}
