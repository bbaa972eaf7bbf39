package dicom

import (
	"fmt"
	"math"
)

// Size is a frame's size in pixels as its decoder reports it.
type Size struct{ Width, Height int }

// Layout places the frames on the grid of the total pixel matrix and
// returns, for each cell in row-major order, the index of the frame that
// covers it. It follows what the file says, and checks that against what
// the frames are: a file whose header contradicts its frames (a swapped
// matrix, an unknown organisation, gaps, frames of the wrong size) is
// refused with the reason, never laid out by guess. sizes holds each
// frame's decoded size, in frame order.
func (s *Slide) Layout(sizes []Size) ([]int, error) {
	if len(sizes) != len(s.Frames) {
		return nil, fmt.Errorf("dicom: %d frame sizes for %d frames", len(sizes), len(s.Frames))
	}
	across, down := int64(s.Across()), int64(s.Down())
	if across*down > MaxFrames || across*down > int64(len(s.Frames))*64 {
		return nil, fmt.Errorf("dicom: a %d × %d matrix of %d × %d frames needs %d × %d frames; the file has %d",
			s.Width, s.Height, s.FrameWidth, s.FrameRows, across, down, len(s.Frames))
	}
	order, err := s.order(int(across), int(down))
	if err != nil {
		return nil, err
	}
	if err := s.checkSizes(order, sizes); err != nil {
		return nil, err
	}
	if err := s.checkVolume(); err != nil {
		return nil, err
	}
	return order, nil
}

// order is the frame of each cell: from the frames' own positions when the
// file has them, else the implicit row-major order of TILED_FULL.
func (s *Slide) order(across, down int) ([]int, error) {
	n := len(s.Frames)
	if s.Positions != nil {
		return s.placed(across, down)
	}
	switch {
	case s.Organisation == TiledFull && n == across*down:
		return identity(n), nil
	case s.Organisation == TiledFull && n > across*down:
		return nil, fmt.Errorf("dicom: %d frames for a matrix of %d × %d frames: several focal planes or optical paths are not supported", n, across, down)
	case s.Organisation == TiledFull:
		return nil, fmt.Errorf("dicom: only %d frames for a TILED_FULL matrix of %d × %d frames", n, across, down)
	case s.Organisation == "" && n == 1 && across*down == 1:
		return identity(1), nil // one frame covers the image: nothing to lay out
	case s.Organisation == "":
		return nil, fmt.Errorf("dicom: the file declares no DimensionOrganizationType and its %d frames carry no positions, so their layout is unknown", n)
	default:
		return nil, fmt.Errorf("dicom: DimensionOrganizationType %s without per-frame positions cannot be laid out", s.Organisation)
	}
}

// placed lays frames out by PlanePositionSlideSequence. Every position
// must start a cell, no two frames may share one, and every cell must be
// covered: this reader does not fill gaps of sparse tilings.
func (s *Slide) placed(across, down int) ([]int, error) {
	order := make([]int, across*down)
	for i := range order {
		order[i] = -1
	}
	for i, p := range s.Positions {
		c, r := p.Column-1, p.Row-1
		if c < 0 || r < 0 || c%int64(s.FrameWidth) != 0 || r%int64(s.FrameRows) != 0 ||
			c >= s.Width || r >= s.Height {
			return nil, fmt.Errorf("dicom: frame %d is positioned at column %d, row %d, off the grid of %d × %d frames over %d × %d pixels",
				i+1, p.Column, p.Row, s.FrameWidth, s.FrameRows, s.Width, s.Height)
		}
		cell := int(r/int64(s.FrameRows))*across + int(c/int64(s.FrameWidth))
		if order[cell] >= 0 {
			return nil, fmt.Errorf("dicom: frames %d and %d are both positioned at column %d, row %d (several focal planes or optical paths are not supported)",
				order[cell]+1, i+1, p.Column, p.Row)
		}
		order[cell] = i
	}
	missing := 0
	for _, f := range order {
		if f < 0 {
			missing++
		}
	}
	if missing > 0 {
		return nil, fmt.Errorf("dicom: sparse tiling: %d of the %d × %d frame positions hold no frame; slides with gaps are not supported", missing, across, down)
	}
	if s.Organisation == TiledFull {
		for cell, f := range order {
			if cell != f {
				return nil, fmt.Errorf("dicom: the file declares TILED_FULL but frame %d is positioned as frame %d of that order", f+1, cell+1)
			}
		}
	}
	return order, nil
}

// checkSizes requires each frame to be one full frame, or at the right
// and bottom edges exactly the part of the matrix left there. A frame of
// another size means the header's geometry is not the frames'.
func (s *Slide) checkSizes(order []int, sizes []Size) error {
	across := s.Across()
	for cell, f := range order {
		c, r := cell%across, cell/across
		if fits(s, c, r, sizes[f]) {
			continue
		}
		if swapped := s.swapped(); swapped != nil && swapped.fitsAll(sizes) {
			return fmt.Errorf("dicom: the header says the image is %d × %d pixels (TotalPixelMatrixColumns × Rows), but its frames form a %d × %d image: the two are swapped",
				s.Width, s.Height, s.Height, s.Width)
		}
		edgeW, edgeH := edge(s.Width, s.FrameWidth, c), edge(s.Height, s.FrameRows, r)
		return fmt.Errorf("dicom: frame %d (column %d, row %d of %d × %d) is %d × %d pixels, but a %d × %d image in %d × %d frames has a %d × %d frame there",
			f+1, c+1, r+1, across, s.Down(), sizes[f].Width, sizes[f].Height, s.Width, s.Height, s.FrameWidth, s.FrameRows, edgeW, edgeH)
	}
	return nil
}

// fits: a frame padded to the full frame size (what the standard asks) or
// cut to the matrix at the edges (what some converters write).
func fits(s *Slide, c, r int, sz Size) bool {
	okW := sz.Width == s.FrameWidth || sz.Width == edge(s.Width, s.FrameWidth, c)
	okH := sz.Height == s.FrameRows || sz.Height == edge(s.Height, s.FrameRows, r)
	return okW && okH
}

// edge is the size of cell i along an axis of total pixels in frames of n.
func edge(total int64, n, i int) int { return int(min(int64(n), total-int64(i)*int64(n))) }

func (s *Slide) swapped() *Slide {
	if s.Width == s.Height || s.Positions != nil || s.Organisation != TiledFull {
		return nil
	}
	t := *s
	t.Width, t.Height = s.Height, s.Width
	if t.Across()*t.Down() != len(s.Frames) {
		return nil
	}
	return &t
}

func (s *Slide) fitsAll(sizes []Size) bool {
	across := s.Across()
	for i, sz := range sizes {
		if !fits(s, i%across, i/across, sz) {
			return false
		}
	}
	return true
}

// checkVolume compares the matrix with the imaged volume the file also
// declares (both optional). Frames padded to full size cannot show a
// swapped matrix; the physical size in millimetres still can.
func (s *Slide) checkVolume() error {
	rowMM, colMM := s.Spacing[0], s.Spacing[1]
	if s.VolumeWidth == 0 || s.VolumeHeight == 0 || rowMM == 0 || colMM == 0 {
		return nil
	}
	w, h := float64(s.Width)*colMM, float64(s.Height)*rowMM
	if near(w, s.VolumeWidth, colMM) && near(h, s.VolumeHeight, rowMM) {
		return nil
	}
	if near(float64(s.Height)*colMM, s.VolumeWidth, colMM) && near(float64(s.Width)*rowMM, s.VolumeHeight, rowMM) {
		return fmt.Errorf("dicom: the header says the image is %d × %d pixels (TotalPixelMatrixColumns × Rows), but its imaged volume of %.4g × %.4g mm at %.4g mm per pixel is %d × %d: the two are swapped",
			s.Width, s.Height, s.VolumeWidth, s.VolumeHeight, colMM, s.Height, s.Width)
	}
	return nil // inconsistent otherwise, but not in a way that says how to read it
}

// near: within two pixels or half a percent.
func near(a, b, pixel float64) bool {
	return math.Abs(a-b) <= max(2*pixel, 0.005*b)
}

func identity(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}
