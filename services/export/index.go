package export

import (
	"bytes"
	"encoding/csv"
	"strconv"
)

// PatchIndex is patches/index.csv, one row per patch file: where it is and
// where it came from, so a training run can trace any patch back to the
// mark (and the version of it) it was cut for.
type PatchIndex struct {
	buf     bytes.Buffer
	w       *csv.Writer
	authors map[int64]string
	n       int
}

// PatchIndexPath is where the index is written.
const PatchIndexPath = "patches/index.csv"

// PatchIndexColumns are the index's columns; the dataset card explains
// each (indexDoc). split stays last and path first: readers select by them.
var PatchIndexColumns = []string{"path", "size", "origin_size", "slide_id", "slide", "case_id", "stain", "category_id",
	"class_id", "category", "mark_id", "mark_version", "author_id", "annotator", "review", "x", "y", "mpp", "padded",
	"provenance", "model", "model_version", "score", "split"}

// NewPatchIndex starts the index with its header; s names the annotators.
func NewPatchIndex(s *Snapshot) *PatchIndex {
	ix := &PatchIndex{authors: s.index().authors}
	ix.w = csv.NewWriter(&ix.buf)
	_ = ix.w.Write(PatchIndexColumns)
	return ix
}

// Len is the number of patches recorded.
func (ix *PatchIndex) Len() int { return ix.n }

// Add records one patch file and its split ("" without splits).
func (ix *PatchIndex) Add(path string, p Patch, split string) {
	m := p.Centre.Mark
	ix.n++
	row := []string{path, itoa(int64(p.Size)), itoa(int64(p.OriginSize)), itoa(p.Slide.ID), cell(p.Slide.Name),
		cell(p.Slide.CaseID), cell(p.Slide.Stain), itoa(p.Category.ID), itoa(int64(p.Category.ClassID)), cell(p.Category.Name),
		itoa(m.ID), itoa(m.Version), itoa(m.AuthorID), cell(ix.authors[m.AuthorID]), m.Review,
		itoa(p.Centre.X), itoa(p.Centre.Y), FormatMPP(p.MPP), strconv.FormatBool(p.Padded)}
	row = append(append(row, m.provenanceCells()...), split)
	_ = ix.w.Write(row)
}

// Bytes is the finished index.
func (ix *PatchIndex) Bytes() []byte {
	ix.w.Flush()
	return ix.buf.Bytes()
}

// PatchMPP is the µm/px of a patch of size pixels cut from origin level-0
// pixels of sl; 0 when the slide has no calibration.
func PatchMPP(sl *Slide, origin, size int) float64 {
	if sl.MPPX == nil || *sl.MPPX <= 0 || size <= 0 {
		return 0
	}
	return *sl.MPPX * float64(origin) / float64(size)
}

// FormatMPP writes µm/px with six significant digits ("" when unknown),
// the precision slide scanners state it with.
func FormatMPP(v float64) string {
	if v <= 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
