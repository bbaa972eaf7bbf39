package export

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// PNG compression choices of a request (png_compression).
const (
	// PNGFast writes each row with PNG's Sub filter and compresses at
	// zlib's fastest level (klauspost/compress, several times faster
	// than the standard library's): on 256 px patches of the CMU slide 3.6
	// to 8 times the patches per second of PNGSmall (611 against 75 on two
	// loaded cores), 12 times since its writers are reused (2,486 against
	// 204), for files 22 % larger (scripts/bench/export.sh, encoding
	// table).
	PNGFast = "fast"
	// PNGSmall is Go's image/png at its default level, with adaptive
	// filters: the smallest files, the slowest. An empty value means it
	// too, so jobs queued before png_compression existed rebuild the same
	// bytes.
	PNGSmall = "small"
)

// EncodePNGFast writes size×size packed RGB as an 8-bit RGB PNG: every row
// Sub-filtered (each byte less the one three before, which turns the
// smooth gradients of tissue into small numbers zlib compresses well, for
// one subtraction a byte) and zlib's fastest level. Deterministic: the
// same pixels give the same bytes. Safe for concurrent use.
func EncodePNGFast(rgb []byte, size int) ([]byte, error) {
	if len(rgb) != size*size*3 {
		return nil, fmt.Errorf("encode patch: %d bytes of RGB for %d×%d pixels", len(rgb), size, size)
	}
	w, _ := pngWriters.Get().(*pngWriter)
	if w == nil {
		w = &pngWriter{}
	}
	defer pngWriters.Put(w)
	return w.encode(rgb, size)
}

// pngWriters keeps idle pngWriters between patches. A pool, not state: a
// writer's output depends only on the pixels it is given.
var pngWriters sync.Pool

// pngWriter is what encoding one PNG needs besides its output, kept for
// the next patch: a fresh zlib writer allocates its compressor's tables
// and buffers (about a tenth of the time of encoding a patch, in the
// export benchmark's profile), and their garbage makes Go's collector run
// more often for every goroutine of the export.
type pngWriter struct {
	idat bytes.Buffer
	zw   *zlib.Writer
	row  []byte
}

func (w *pngWriter) encode(rgb []byte, size int) ([]byte, error) {
	w.idat.Reset()
	if w.zw == nil {
		zw, err := zlib.NewWriterLevel(&w.idat, zlib.BestSpeed)
		if err != nil {
			return nil, fmt.Errorf("encode patch: %w", err)
		}
		w.zw = zw
	} else {
		w.zw.Reset(&w.idat)
	}
	stride := size * 3
	if cap(w.row) < 1+stride {
		w.row = make([]byte, 1+stride)
	}
	row := w.row[:1+stride]
	row[0] = 1 // Sub
	for y := 0; y < size; y++ {
		src := rgb[y*stride : (y+1)*stride]
		copy(row[1:4], src[:3])
		for i := 3; i < stride; i++ {
			row[1+i] = src[i] - src[i-3]
		}
		if _, err := w.zw.Write(row); err != nil {
			return nil, fmt.Errorf("encode patch: %w", err)
		}
	}
	if err := w.zw.Close(); err != nil {
		return nil, fmt.Errorf("encode patch: %w", err)
	}
	out := bytes.NewBuffer(make([]byte, 0, w.idat.Len()+57)) // signature 8, IHDR 25, IDAT 12 + data, IEND 12
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(size))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(size))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, truecolour; compression, filter, interlace 0
	chunk(out, "IHDR", ihdr[:])
	chunk(out, "IDAT", w.idat.Bytes())
	chunk(out, "IEND", nil)
	return out.Bytes(), nil
}

// chunk appends one PNG chunk: length, type, data, CRC of type and data.
func chunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	w.WriteString(typ)
	w.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
