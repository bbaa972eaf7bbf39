package tiler

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Index locates every tile of a pyramid inside its zip: a tile is the byte
// range [Offset, Offset+Size) of the zip object, so serving one costs one
// ranged GET and no zip parsing. Levels are Deep Zoom levels: 0 is 1×1 px,
// the last is full resolution.
type Index struct {
	Levels []Level
}

// Level is one pyramid level's grid of tiles.
type Level struct {
	Cols, Rows int
	Tiles      []TileRef // row-major, Cols×Rows
}

// TileRef is where one tile lies; Size 0 means the grid has no such tile.
type TileRef struct {
	Offset int64
	Size   uint32
	CRC32  uint32 // from the zip directory; a free content fingerprint for ETags
}

// Lookup finds a tile, false when outside the pyramid.
func (ix *Index) Lookup(level, col, row int) (TileRef, bool) {
	if level < 0 || level >= len(ix.Levels) {
		return TileRef{}, false
	}
	l := ix.Levels[level]
	if col < 0 || row < 0 || col >= l.Cols || row >= l.Rows {
		return TileRef{}, false
	}
	t := l.Tiles[row*l.Cols+col]
	return t, t.Size > 0
}

// Tiles counts the tiles present.
func (ix *Index) Tiles() int {
	n := 0
	for _, l := range ix.Levels {
		for _, t := range l.Tiles {
			if t.Size > 0 {
				n++
			}
		}
	}
	return n
}

type tileName struct{ level, col, row int }

// parseTileName reads ".../{level}/{col}_{row}.jpeg" (or .png), the layout dzsave writes.
func parseTileName(name string) (tileName, bool) {
	dir, file := path.Split(name)
	lvl := path.Base(strings.TrimSuffix(dir, "/"))
	stem := strings.TrimSuffix(strings.TrimSuffix(file, ".jpeg"), ".png")
	if stem == file {
		return tileName{}, false
	}
	c, r, ok := strings.Cut(stem, "_")
	if !ok {
		return tileName{}, false
	}
	var t tileName
	var err1, err2, err3 error
	t.level, err1 = strconv.Atoi(lvl)
	t.col, err2 = strconv.Atoi(c)
	t.row, err3 = strconv.Atoi(r)
	return t, errors.Join(err1, err2, err3) == nil && t.level >= 0 && t.col >= 0 && t.row >= 0
}

// BuildIndex reads the directory of a dzsave zip. Every tile must be
// stored uncompressed, or it could not be served as a byte range.
func BuildIndex(zr *zip.Reader) (*Index, error) {
	type entry struct {
		name tileName
		ref  TileRef
	}
	var entries []entry
	grid := map[int][2]int{}
	for _, f := range zr.File {
		t, ok := parseTileName(f.Name)
		if !ok {
			continue
		}
		if f.Method != zip.Store || f.CompressedSize64 > 1<<31 {
			return nil, fmt.Errorf("index pyramid: tile %s is compressed or too large", f.Name)
		}
		off, err := f.DataOffset()
		if err != nil {
			return nil, fmt.Errorf("index pyramid: locate %s: %w", f.Name, err)
		}
		entries = append(entries, entry{t, TileRef{off, uint32(f.CompressedSize64), f.CRC32}})
		g := grid[t.level]
		grid[t.level] = [2]int{max(g[0], t.col+1), max(g[1], t.row+1)}
	}
	if len(entries) == 0 {
		return nil, errors.New("index pyramid: the zip holds no tiles")
	}
	ix := &Index{Levels: make([]Level, len(grid))}
	for lv, g := range grid {
		if lv >= len(grid) {
			return nil, fmt.Errorf("index pyramid: levels are not 0…%d", len(grid)-1)
		}
		ix.Levels[lv] = Level{Cols: g[0], Rows: g[1], Tiles: make([]TileRef, g[0]*g[1])}
	}
	for _, e := range entries {
		l := ix.Levels[e.name.level]
		l.Tiles[e.name.row*l.Cols+e.name.col] = e.ref
	}
	return ix, nil
}

const indexMagic = "PLIX0001"

// MarshalBinary encodes the index compactly (16 bytes a tile).
func (ix *Index) MarshalBinary() ([]byte, error) {
	b := []byte(indexMagic)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ix.Levels)))
	for _, l := range ix.Levels {
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Cols))
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Rows))
		for _, t := range l.Tiles {
			b = binary.LittleEndian.AppendUint64(b, uint64(t.Offset))
			b = binary.LittleEndian.AppendUint32(b, t.Size)
			b = binary.LittleEndian.AppendUint32(b, t.CRC32)
		}
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote, checking every length
// so a damaged object cannot make the server allocate without bound.
func (ix *Index) UnmarshalBinary(b []byte) error {
	rest, ok := strings.CutPrefix(string(b[:min(len(b), len(indexMagic))]), indexMagic)
	if !ok || rest != "" {
		return errors.New("decode pyramid index: bad magic")
	}
	b = b[len(indexMagic):]
	n, b, err := u32(b)
	if err != nil || n > 64 {
		return fmt.Errorf("decode pyramid index: bad level count")
	}
	ix.Levels = make([]Level, n)
	for i := range ix.Levels {
		if b, err = decodeLevel(&ix.Levels[i], b); err != nil {
			return fmt.Errorf("decode pyramid index level %d: %w", i, err)
		}
	}
	return nil
}

func decodeLevel(l *Level, b []byte) ([]byte, error) {
	cols, b, err1 := u32(b)
	rows, b, err2 := u32(b)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	n := uint64(cols) * uint64(rows)
	if n > uint64(len(b))/16 { // n*16 could wrap around

		return nil, errors.New("truncated")
	}
	l.Cols, l.Rows, l.Tiles = int(cols), int(rows), make([]TileRef, n)
	for i := range l.Tiles {
		l.Tiles[i] = TileRef{
			Offset: int64(binary.LittleEndian.Uint64(b)),
			Size:   binary.LittleEndian.Uint32(b[8:]),
			CRC32:  binary.LittleEndian.Uint32(b[12:]),
		}
		b = b[16:]
	}
	return b, nil
}

func u32(b []byte) (uint32, []byte, error) {
	if len(b) < 4 {
		return 0, nil, errors.New("truncated")
	}
	return binary.LittleEndian.Uint32(b), b[4:], nil
}
