package annotation

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The storage encodings are compact binary so a million marks stay small:
// a point needs no geometry blob at all (its bounding box is centre ± radius),
// and a polygon's vertices are zigzag varint deltas, usually 2–3 bytes each.

var errCorrupt = errors.New("corrupt geometry encoding")

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
	n, rest, err := uvarint(rings)
	if err != nil || n > 1<<20 {
		return g, errCorrupt
	}
	var prev Pt
	for range n {
		var m uint64
		if m, rest, err = uvarint(rest); err != nil || m > 1<<24 {
			return g, errCorrupt
		}
		ring := make([]Pt, m)
		for i := range ring {
			var dx, dy int64
			if dx, rest, err = varint(rest); err == nil {
				dy, rest, err = varint(rest)
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

func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, errCorrupt
	}
	return v, b[n:], nil
}

func varint(b []byte) (int64, []byte, error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, nil, errCorrupt
	}
	return v, b[n:], nil
}

// State is a mark's content at one moment, as history keeps it.
type State struct {
	CategoryID int64
	Geometry   Geometry
	Note       string
	Review     string
	AuthorID   int64
}

// StateOf is the content of m.
func StateOf(m Mark) State {
	return State{CategoryID: m.CategoryID, Geometry: m.Geometry, Note: m.Note, Review: m.Review, AuthorID: m.AuthorID}
}

// EncodeState is the history encoding of s.
func EncodeState(s State) []byte {
	box := s.Geometry.BBox()
	b := []byte{1, byte(s.Geometry.Kind), byte(ReviewCode(s.Review))}
	b = binary.AppendUvarint(b, uint64(s.CategoryID))
	b = binary.AppendUvarint(b, uint64(s.AuthorID))
	for _, v := range []int64{box.MinX, box.MinY, box.MaxX, box.MaxY} {
		b = binary.AppendVarint(b, v)
	}
	b = appendBytes(b, EncodeRings(s.Geometry))
	return appendBytes(b, []byte(s.Note))
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// DecodeState reads what EncodeState wrote.
func DecodeState(b []byte) (State, error) {
	if len(b) < 3 || b[0] != 1 {
		return State{}, fmt.Errorf("decode history state: %w", errCorrupt)
	}
	s := State{Review: ReviewName(int(b[2]))}
	kind, rest := Kind(b[1]), b[3:]
	var err error
	var cat, author uint64
	if cat, rest, err = uvarint(rest); err == nil {
		author, rest, err = uvarint(rest)
	}
	var box [4]int64
	for i := 0; i < 4 && err == nil; i++ {
		box[i], rest, err = varint(rest)
	}
	var rings, note []byte
	if err == nil {
		if rings, rest, err = chunk(rest); err == nil {
			note, _, err = chunk(rest)
		}
	}
	if err != nil {
		return State{}, fmt.Errorf("decode history state: %w", err)
	}
	s.CategoryID, s.AuthorID, s.Note = int64(cat), int64(author), string(note)
	s.Geometry, err = DecodeGeometry(kind, BBox{box[0], box[1], box[2], box[3]}, rings)
	return s, err
}

func chunk(b []byte) ([]byte, []byte, error) {
	n, rest, err := uvarint(b)
	if err != nil || n > uint64(len(rest)) {
		return nil, nil, errCorrupt
	}
	return rest[:n], rest[n:], nil
}
