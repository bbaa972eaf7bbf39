package dicom

import "fmt"

// Strip is a rectangle of one frame, in that frame's pixels.
type Strip struct{ Frame, X, Y, Width, Height int }

// Thresholds of CheckPadding, in standard deviations of 8-bit samples:
// padding is one flat colour, image content (even glass) is not.
const (
	flatDeviation    = 2.0
	contentDeviation = 8.0
	maxStrips        = 8 // per edge
)

// CheckPadding catches a swapped matrix when the frames are all padded to
// full size, so their sizes cannot show it: the padding of a conformant
// file lies where the declared matrix ends. When the declared layout finds
// image content where its padding should be, while the swapped layout
// finds flat padding in its place, the header is refused. sizes are the
// frames' sizes (as for Layout); deviation measures a strip of a frame.
// Without such evidence it accepts, so a conformant slide is never refused
// on a guess.
func (s *Slide) CheckPadding(sizes []Size, deviation func(Strip) (float64, error)) error {
	swapped := s.swapped()
	if swapped == nil {
		return nil
	}
	for _, sz := range sizes {
		if sz.Width != s.FrameWidth || sz.Height != s.FrameRows {
			return nil // cut edge frames: Layout has judged the matrix by their sizes
		}
	}
	declared, err := maxDeviation(s.paddingStrips(), deviation)
	if err != nil || declared <= contentDeviation {
		return err
	}
	other, err := maxDeviation(swapped.paddingStrips(), deviation)
	if err != nil || other < 0 || other >= flatDeviation {
		return err
	}
	return fmt.Errorf("dicom: the header says the image is %d × %d pixels (TotalPixelMatrixColumns × Rows), but its frames hold image where that matrix ends and padding where a %d × %d one would: the two are swapped",
		s.Width, s.Height, s.Height, s.Width)
}

// maxDeviation is the largest deviation over strips; -1 when there are none.
func maxDeviation(strips []Strip, deviation func(Strip) (float64, error)) (float64, error) {
	most := -1.0
	for _, st := range strips {
		d, err := deviation(st)
		if err != nil {
			return 0, err
		}
		most = max(most, d)
	}
	return most, nil
}

// paddingStrips are the parts of the right column's and bottom row's
// frames beyond the matrix, in TILED_FULL order, a few spread along each
// edge. The first JPEG blocks past the edge are left out: they ring.
func (s *Slide) paddingStrips() []Strip {
	across, down := s.Across(), s.Down()
	var strips []Strip
	if x := margin(s.Width, s.FrameWidth, across); x < s.FrameWidth {
		for _, r := range spread(down-1, maxStrips) { // the last row is cut at the bottom too
			strips = append(strips, Strip{Frame: r*across + across - 1, X: x, Width: s.FrameWidth - x, Height: s.FrameRows})
		}
	}
	if y := margin(s.Height, s.FrameRows, down); y < s.FrameRows {
		for _, c := range spread(across-1, maxStrips) {
			strips = append(strips, Strip{Frame: (down-1)*across + c, Y: y, Width: s.FrameWidth, Height: s.FrameRows - y})
		}
	}
	return strips
}

// margin is where padding starts in the last frame along an axis, past
// the next two 8-pixel blocks; n when there is no padding worth reading.
func margin(total int64, n, count int) int {
	used := int(total - int64(count-1)*int64(n))
	if used >= n {
		return n
	}
	return min(n, (used+7)/8*8+8)
}

// spread picks up to k of 0…n-1, evenly.
func spread(n, k int) []int {
	var out []int
	for i := range min(n, k) {
		out = append(out, i*n/min(n, k))
	}
	return out
}
