package annotation

import (
	"encoding/binary"
	"fmt"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

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
		return State{}, fmt.Errorf("decode history state: %w", geometry.ErrCorrupt)
	}
	s := State{Review: ReviewName(int(b[2]))}
	kind, rest := Kind(b[1]), b[3:]
	var err error
	var cat, author uint64
	if cat, rest, err = geometry.ReadUvarint(rest); err == nil {
		author, rest, err = geometry.ReadUvarint(rest)
	}
	var box [4]int64
	for i := 0; i < 4 && err == nil; i++ {
		box[i], rest, err = geometry.ReadVarint(rest)
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
	s.Geometry, err = DecodeGeometry(kind, BBox{MinX: box[0], MinY: box[1], MaxX: box[2], MaxY: box[3]}, rings)
	return s, err
}

func chunk(b []byte) ([]byte, []byte, error) {
	n, rest, err := geometry.ReadUvarint(b)
	if err != nil || n > uint64(len(rest)) {
		return nil, nil, geometry.ErrCorrupt
	}
	return rest[:n], rest[n:], nil
}
