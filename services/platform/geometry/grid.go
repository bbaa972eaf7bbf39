package geometry

// Marks are clustered on disk by a multi-level grid key so that a viewport
// query reads a few contiguous key ranges instead of a whole slide, on
// MySQL and MariaDB alike (their spatial indexes differ; B-trees do not).
//
// A mark lives at the finest level whose cell is at least as large as its
// bounding box, in the cell holding the box's top-left corner. A box can
// then reach at most one cell right and down of its own, so a viewport
// query looks one cell further left and up at every level.

// CellSize is the side of a level-0 cell in millipixels; level L cells are
// CellSize << L.
const CellSize = 512 * Scale

// Levels of the grid: level 11 cells are 1,048,576 pixels wide, more than
// MaxCoord, so every mark fits somewhere.
const Levels = 12

const (
	levelShift = 48
	rowShift   = 24
)

// CellKey is the grid key of a box.
func CellKey(b BBox) int64 {
	w, h := b.MaxX-b.MinX, b.MaxY-b.MinY
	level := 0
	for level < Levels-1 && (w > CellSize<<level || h > CellSize<<level) {
		level++
	}
	size := int64(CellSize) << level
	return key(level, max(b.MinY, 0)/size, max(b.MinX, 0)/size)
}

func key(level int, row, col int64) int64 {
	return int64(level)<<levelShift | row<<rowShift | col
}

// KeyRange is an inclusive range of cell keys.
type KeyRange struct{ From, To int64 }

// LevelKeys is the first and last key of a level.
func LevelKeys(level int) (int64, int64) {
	return key(level, 0, 0), key(level+1, 0, 0) - 1
}

// KeyRanges lists the key ranges that may hold marks intersecting b: one
// range per row of cells per level in the bit set levels.
func KeyRanges(b BBox, levels uint) []KeyRange {
	var out []KeyRange
	for level := range Levels {
		if levels&(1<<level) == 0 {
			continue
		}
		size := int64(CellSize) << level
		c0, c1 := max(b.MinX-size, 0)/size, max(b.MaxX, 0)/size
		r0, r1 := max(b.MinY-size, 0)/size, max(b.MaxY, 0)/size
		for row := r0; row <= r1; row++ {
			out = append(out, KeyRange{key(level, row, c0), key(level, row, c1)})
		}
	}
	return out
}

// CountCell is the side of a level-of-detail count cell in pixels: counts
// are kept per 1024-pixel cell, and again per CountCell*CountFanout, and
// summed into coarser cells on request.
const (
	CountCell   = 1024
	CountFanout = 4
)

// CountCellOf is the count cell (column, row) of a mark: where its centre is.
func CountCellOf(g Geometry) (col, row int64) {
	c := g.Center()
	return max(c.X, 0) / (CountCell * Scale), max(c.Y, 0) / (CountCell * Scale)
}
