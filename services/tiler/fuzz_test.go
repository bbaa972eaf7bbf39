package tiler_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/patholabel/patholabel/services/tiler"
)

// indexBytes spells an index by hand: levels of (cols, rows), every tile
// at offset 64 with size 1.
func indexBytes(levels ...[2]uint32) []byte {
	b := binary.LittleEndian.AppendUint32([]byte("PLIX0001"), uint32(len(levels)))
	for _, l := range levels {
		b = binary.LittleEndian.AppendUint32(b, l[0])
		b = binary.LittleEndian.AppendUint32(b, l[1])
		for range uint64(l[0]) * uint64(l[1]) {
			b = binary.LittleEndian.AppendUint64(b, 64)
			b = binary.LittleEndian.AppendUint32(b, 1)
			b = binary.LittleEndian.AppendUint32(b, 0xdeadbeef)
		}
	}
	return b
}

// FuzzIndex decodes a pyramid's tile index as the tile server reads it
// from the object store before every tile lookup. A damaged or forged
// object must be refused, never crash the server or make it allocate
// beyond what the object holds; an index it accepts encodes back to the
// bytes it was read from and answers any lookup.
func FuzzIndex(f *testing.F) {
	f.Add(indexBytes([2]uint32{1, 1}, [2]uint32{2, 1}, [2]uint32{3, 2}))
	f.Add(indexBytes())
	f.Add(indexBytes([2]uint32{0, 5}))
	f.Add([]byte("PLIX0001\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte("PLIX0002"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ix tiler.Index
		if ix.UnmarshalBinary(b) != nil {
			return
		}
		tiles := 0
		for _, l := range ix.Levels {
			tiles += len(l.Tiles)
		}
		if tiles*16 > len(b) {
			t.Fatalf("%d bytes decoded into %d tiles", len(b), tiles)
		}
		out, err := ix.MarshalBinary()
		if err != nil || !bytes.HasPrefix(b, out) {
			t.Fatalf("index does not encode back to the bytes it came from: %v", err)
		}
		for level := -1; level <= len(ix.Levels); level++ {
			for _, p := range [][2]int{{0, 0}, {-1, 0}, {0, -1}, {1 << 20, 0}, {0, 1 << 20}, {3, 2}} {
				ix.Lookup(level, p[0], p[1])
			}
		}
	})
}
