package geometry

import (
	"encoding/binary"
	"errors"
)

// The storage encodings are compact binary so a million marks stay small:
// a point needs no geometry blob at all (its bounding box is centre ± radius),
// and a polygon's vertices are zigzag varint deltas, usually 2–3 bytes each.

// ErrCorrupt is a stored encoding that cannot be decoded.
var ErrCorrupt = errors.New("corrupt geometry encoding")

// EncodeRings encodes the rings of a non-point geometry; nil for points.
func EncodeRings(g Geometry) []byte {
	if g.Kind == KindPoint {
		return nil
	}
	b := binary.AppendUvarint(nil, uint64(len(g.Rings)))
	var prev Pt
	for _, r := range g.Rings {
		b = binary.AppendUvarint(b, uint64(len(r)))
		for _, p := range r {
			b = binary.AppendVarint(b, p.X-prev.X)
			b = binary.AppendVarint(b, p.Y-prev.Y)
			prev = p
		}
	}
	return b
}

// DecodeGeometry rebuilds a geometry from its stored kind, box and rings.
func DecodeGeometry(k Kind, box BBox, rings []byte) (Geometry, error) {
	if k == KindPoint {
		r := (box.MaxX - box.MinX) / 2
		return Geometry{Kind: k, Rings: [][]Pt{{{box.MinX + r, box.MinY + r}}}, Radius: r}, nil
	}
	g := Geometry{Kind: k}
	n, rest, err := ReadUvarint(rings)
	if err != nil || n > 1<<20 {
		return g, ErrCorrupt
	}
	var prev Pt
	for range n {
		var m uint64
		if m, rest, err = ReadUvarint(rest); err != nil || m > 1<<24 {
			return g, ErrCorrupt
		}
		ring := make([]Pt, m)
		for i := range ring {
			var dx, dy int64
			if dx, rest, err = ReadVarint(rest); err == nil {
				dy, rest, err = ReadVarint(rest)
			}
			if err != nil {
				return g, err
			}
			prev = Pt{prev.X + dx, prev.Y + dy}
			ring[i] = prev
		}
		g.Rings = append(g.Rings, ring)
	}
	return g, nil
}

// ReadUvarint reads one unsigned varint off b.
func ReadUvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, ErrCorrupt
	}
	return v, b[n:], nil
}

// ReadVarint reads one zigzag varint off b.
func ReadVarint(b []byte) (int64, []byte, error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, nil, ErrCorrupt
	}
	return v, b[n:], nil
}
