package export

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
)

// The splits, in the order cases are dealt out to them.
const (
	SplitTrain      = "train"
	SplitValidation = "validation"
	SplitTest       = "test"
)

// SplitsPath is where an export with splits says which case and slide
// went where.
const SplitsPath = "splits.json"

// CaseOf is a slide's case (patient) label: its case id, or for a slide
// without one the slide itself, so it is a case of its own.
func CaseOf(sl *Slide) string {
	if sl.CaseID != "" {
		return sl.CaseID
	}
	return "slide" + itoa(sl.ID)
}

// SplitOf assigns every slide of the snapshot to a split by its case:
// the cases are ordered by a hash of (seed, case label), so the order
// depends on the seed and the labels alone, not on ids or the order of
// the slides, and dealt out in that order: the first round(n·train) to
// train, up to round(n·(train+validation)) to validation, the rest to
// test. All slides of a case share its split. Returns slide id → split.
func SplitOf(s *Snapshot, sp *Splits) map[int64]string {
	var cases []string
	for i := range s.Slides {
		if c := CaseOf(&s.Slides[i]); !slices.Contains(cases, c) {
			cases = append(cases, c)
		}
	}
	key := func(c string) []byte {
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], uint64(sp.Seed))
		h := sha256.Sum256(append(seed[:], c...))
		return h[:]
	}
	slices.SortFunc(cases, func(a, b string) int { return cmp.Or(slices.Compare(key(a), key(b)), cmp.Compare(a, b)) })
	n := float64(len(cases))
	train, val := int(math.Round(n*sp.Train)), int(math.Round(n*(sp.Train+sp.Validation)))
	byCase := map[string]string{}
	for i, c := range cases {
		switch {
		case i < train:
			byCase[c] = SplitTrain
		case i < val:
			byCase[c] = SplitValidation
		default:
			byCase[c] = SplitTest
		}
	}
	out := map[int64]string{}
	for i := range s.Slides {
		out[s.Slides[i].ID] = byCase[CaseOf(&s.Slides[i])]
	}
	return out
}

// SplitsJSON renders splits.json: the request's fractions and seed, and
// each case and slide with its split (keys sorted by encoding/json).
func SplitsJSON(s *Snapshot, sp *Splits, bySlide map[int64]string) []byte {
	type slide struct {
		Case  string `json:"case"`
		Split string `json:"split"`
	}
	out := struct {
		Splits *Splits           `json:"splits"`
		Cases  map[string]string `json:"cases"`
		Slides map[string]slide  `json:"slides"`
		Counts map[string]int    `json:"cases_by_split"`
	}{sp, map[string]string{}, map[string]slide{}, map[string]int{SplitTrain: 0, SplitValidation: 0, SplitTest: 0}}
	for i := range s.Slides {
		sl := &s.Slides[i]
		c := CaseOf(sl)
		if _, ok := out.Cases[c]; !ok {
			out.Counts[bySlide[sl.ID]]++
		}
		out.Cases[c] = bySlide[sl.ID]
		out.Slides[itoa(sl.ID)] = slide{c, bySlide[sl.ID]}
	}
	b, _ := json.MarshalIndent(out, "", "  ") // plain data: cannot fail
	return append(b, '\n')
}
