// Package dicom reads DICOM whole-slide images (VL Whole Slide Microscopy,
// TILED_FULL, JPEG baseline frames): enough to hand the frames to libvips,
// which Debian 12's OpenSlide 3.4 cannot do. The Go DICOM libraries are not
// available from the module proxy here, so this is a small reader of its own
// covering explicit-VR little-endian files with encapsulated pixel data.
package dicom

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Slide is a DICOM-WSI instance: its full image size, tile geometry,
// calibration and the compressed frames in TILED_FULL (row-major) order.
type Slide struct {
	Width, Height         int64 // TotalPixelMatrixColumns/Rows
	FrameWidth, FrameRows int   // Columns/Rows of one frame
	MPP                   *float64
	Manufacturer          string
	TransferSyntax        string
	Frames                [][]byte
}

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

// Transfer syntaxes whose frames libvips decodes as JPEG files.
var jpegSyntaxes = map[string]bool{
	"1.2.840.10008.1.2.4.50": true, // JPEG baseline
	"1.2.840.10008.1.2.4.51": true, // JPEG extended
}

// Read parses path. Errors name what is missing or unsupported.
func Read(path string) (*Slide, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open dicom: %w", err)
	}
	defer f.Close()
	r := &reader{r: bufio.NewReaderSize(f, 1<<16)}
	if _, err := r.skip(132); err != nil {
		return nil, errors.New("dicom: file too short")
	}
	s := &Slide{}
	if err := r.elements(s, -1); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return s, s.check()
}

func (s *Slide) check() error {
	switch {
	case s.Width <= 0 || s.Height <= 0 || s.FrameWidth <= 0 || s.FrameRows <= 0:
		return errors.New("dicom: not a whole-slide image (no total pixel matrix or frame size)")
	case !jpegSyntaxes[s.TransferSyntax]:
		return fmt.Errorf("dicom: transfer syntax %s is not supported (JPEG baseline only)", s.TransferSyntax)
	case len(s.Frames) != s.Across()*s.Down():
		return fmt.Errorf("dicom: %d frames, want %d×%d (TILED_FULL); sparse tiling is not supported", len(s.Frames), s.Across(), s.Down())
	}
	return nil
}

type reader struct {
	r   *bufio.Reader
	pos int64
}

func (r *reader) skip(n int64) (int64, error) {
	m, err := r.r.Discard(int(n))
	r.pos += int64(m)
	return int64(m), err
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
func (r *reader) elements(s *Slide, end int64) error {
	for end < 0 || r.pos < end {
		t, vr, n, err := r.header()
		if err != nil {
			return err
		}
		switch {
		case t == tagItemEnd:
			return nil
		case t == tagPixelData && n == undefined:
			if s.Frames, err = r.fragments(); err != nil {
				return err
			}
		case vr == "SQ" || n == undefined:
			if err := r.sequence(s, n); err != nil {
				return err
			}
		default:
			if err := r.value(s, t, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// sequence reads a sequence's items, nested or not, taking from them only
// the pixel spacing: DICOM-WSI keeps it in the shared functional groups,
// while sizes found in items (an icon image's Rows) are not the slide's.
func (r *reader) sequence(s *Slide, n uint32) error {
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
		itemEnd := int64(-1)
		if ln != undefined {
			itemEnd = r.pos + int64(ln)
		}
		item := &Slide{}
		if err := r.elements(item, itemEnd); err != nil {
			return err
		}
		if s.MPP == nil {
			s.MPP = item.MPP
		}
	}
	return nil
}

// fragments reads encapsulated pixel data: an offset table item, then one
// fragment per frame (the case for JPEG baseline WSI).
func (r *reader) fragments() ([][]byte, error) {
	var frames [][]byte
	for first := true; ; first = false {
		t, _, n, err := r.header()
		if err != nil {
			return nil, fmt.Errorf("dicom: read pixel data: %w", err)
		}
		if t == tagSequenceEnd {
			return frames, nil
		}
		if t != tagItem || n == undefined || n > 1<<30 {
			return nil, errors.New("dicom: malformed encapsulated pixel data")
		}
		b, err := r.read(int(n))
		if err != nil {
			return nil, fmt.Errorf("dicom: read frame: %w", err)
		}
		if !first {
			frames = append(frames, b)
		}
	}
}

func (r *reader) value(s *Slide, t tag, n uint32) error {
	if n > 1<<20 {
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
	case mkTag(0x0028, 0x0010):
		s.FrameRows = int(binary.LittleEndian.Uint16(pad(b, 2)))
	case mkTag(0x0028, 0x0011):
		s.FrameWidth = int(binary.LittleEndian.Uint16(pad(b, 2)))
	case mkTag(0x0048, 0x0006):
		s.Width = int64(binary.LittleEndian.Uint32(pad(b, 4)))
	case mkTag(0x0048, 0x0007):
		s.Height = int64(binary.LittleEndian.Uint32(pad(b, 4)))
	case mkTag(0x0028, 0x0030):
		s.MPP = spacing(str)
	}
	return nil
}

func pad(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// spacing turns PixelSpacing ("0.000499\0.000499", millimetres) into µm.
func spacing(s string) *float64 {
	first, _, _ := strings.Cut(s, `\`)
	mm, err := strconv.ParseFloat(strings.TrimSpace(first), 64)
	if err != nil || mm <= 0 {
		return nil
	}
	um := mm * 1000
	return &um
}
