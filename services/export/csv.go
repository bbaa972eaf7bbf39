package export

import (
	"bytes"
	"encoding/csv"
	"strings"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// CSVPath is where the csv format writes.
const CSVPath = "csv/marks.csv"

var csvHeader = []string{"slide_id", "slide", "case_id", "stain", "mark_id", "shape", "category_id", "class_id",
	"category", "x", "y", "radius", "min_x", "min_y", "max_x", "max_y", "author_id", "author", "review",
	"provenance", "model", "model_version", "score"}

// CSV writes one row per mark: a point's centre and radius, a shape's
// centre (of its box) and bounding box; every value in level-0 pixels.
func CSV(s *Snapshot) []byte {
	ix := s.index()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader) // a bytes.Buffer does not fail
	for _, m := range s.Marks {
		_ = w.Write(csvRow(m, ix))
	}
	w.Flush()
	return buf.Bytes()
}

func csvRow(m Mark, ix index) []string {
	sl, c := ix.slides[m.SlideID], ix.categories[m.CategoryID]
	box, ctr := m.Geometry.BBox(), m.Geometry.Center()
	class, name := "", CategoryLabel(c, m.CategoryID)
	if c != nil {
		class, name = itoa(int64(c.ClassID)), c.Name
	}
	radius := ""
	if m.Geometry.Kind == geometry.KindPoint {
		radius = px(m.Radius)
	}
	return append([]string{itoa(m.SlideID), cell(sl.Name), cell(sl.CaseID), cell(sl.Stain), itoa(m.ID), m.Shape, itoa(m.CategoryID), class,
		cell(name), px(ctr.X), px(ctr.Y), radius, px(box.MinX), px(box.MinY), px(box.MaxX), px(box.MaxY),
		itoa(m.AuthorID), cell(ix.authors[m.AuthorID]), m.Review}, m.provenanceCells()...)
}

// cell neutralises text a spreadsheet would run as a formula (OWASP CSV
// injection): a value starting with = + - @ tab or carriage return gets a
// leading apostrophe, which spreadsheets show as text and do not display.
// Numbers are written by the exporter itself and never pass here.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
