package export_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/geometry"
)

// Text that annotators type (slide name, case, stain, category, user name)
// cannot run as a spreadsheet formula when the CSV is opened (OWASP CSV
// injection); numbers and plain text are written unchanged.
func TestCSVNeutralisesFormulas(t *testing.T) {
	p, _ := geometry.PtOf(10, 20)
	s := &export.Snapshot{
		Slides:     []export.Slide{{ID: 1, Name: `=HYPERLINK("http://evil.example","x")`, CaseID: "+1+1", Stain: "-2"}},
		Categories: []export.Category{{ID: 2, ClassID: 1, Name: "@SUM(A1)"}},
		Authors:    []export.Author{{ID: 3, Username: "\tcmd"}},
		Marks: []export.Mark{{ID: 4, SlideID: 1, CategoryID: 2, AuthorID: 3, Shape: "point", Review: "pending",
			Geometry: geometry.Geometry{Kind: geometry.KindPoint, Rings: [][]geometry.Pt{{p}}}}},
	}
	rows, err := csv.NewReader(bytes.NewReader(export.CSV(s))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	got := map[string]string{}
	for i, h := range rows[0] {
		got[h] = rows[1][i]
	}
	for col, want := range map[string]string{
		"slide": `'=HYPERLINK("http://evil.example","x")`, "case_id": "'+1+1", "stain": "'-2", "category": "'@SUM(A1)",
		"author": "'\tcmd", "x": "10", "y": "20", "mark_id": "4", "review": "pending",
	} {
		if got[col] != want {
			t.Errorf("column %s = %q, want %q", col, got[col], want)
		}
	}
	s.Slides[0].Name, s.Authors[0].Username = "H&E slide 7", "alice"
	rows, _ = csv.NewReader(bytes.NewReader(export.CSV(s))).ReadAll()
	if rows[1][1] != "H&E slide 7" || rows[1][17] != "alice" {
		t.Errorf("plain text changed: %q", rows[1])
	}
}
