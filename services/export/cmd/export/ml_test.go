package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
)

// pfRow is one PICTURES row, as PathoFusion pairs them: by ID.
type pfRow struct {
	ID, Patient, Type, X, Y int64
}

// pathoFusionRows reads every PICTURES row of one size's database.
func pathoFusionRows(t *testing.T, files map[string][]byte, size int) []pfRow {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("p%d.db", size))
	if err := os.WriteFile(path, files[fmt.Sprintf("pathofusion/patches_%d.db", size)], 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT ID, PATIENT_ID, TYPE, X, Y FROM PICTURES ORDER BY ID`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []pfRow
	for rows.Next() {
		var r pfRow
		if err := rows.Scan(&r.ID, &r.Patient, &r.Type, &r.X, &r.Y); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestSkippedEdgeKeepsPathoFusionPairs: with edge=skip a dot whose 64 px
// patch fits the slide but whose 256 px one does not must be left out of
// both databases, so row N of one size is the same place as row N of the
// other (PathoFusion pairs its two inputs by row ID).
func TestSkippedEdgeKeepsPathoFusionPairs(t *testing.T) {
	env := MustMain(t)
	env.mustMarks(t)
	w := env.World
	he := w.MustSlide(t, exporttest.SlideSpec{File: exporttest.SVS, Width: 2220, Height: 2967, MPP: 0.499, CaseID: "case-9", Stain: "HE"})
	var tumor int64
	if err := w.DB.QueryRow(`SELECT id FROM categories WHERE project_id = ? AND class_id = 1`, w.Project).Scan(&tumor); err != nil {
		t.Fatal(err)
	}
	w.MustMark(t, he, tumor, exporttest.Point(100, 100, 5), annotation.ReviewPending) // fits at 64, not at 256
	w.MustMark(t, he, tumor, exporttest.Point(1000, 1000, 5), annotation.ReviewPending)
	e := env.mustExport(t, allFormats(w.Project, `,"edge":"skip"`))
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	small, big := pathoFusionRows(t, files, 64), pathoFusionRows(t, files, 256)
	if len(small) != len(big) || len(small) == 0 {
		t.Fatalf("PICTURES rows: %d at 64 px, %d at 256 px; want the same, non-zero", len(small), len(big))
	}
	for i := range small {
		a, b := small[i], big[i]
		if a.ID != b.ID || a.X != b.X || a.Y != b.Y || a.Patient != b.Patient || a.Type != b.Type {
			t.Fatalf("row %d pairs %+v with %+v", i, a, b)
		}
		if a.X == 100 && a.Y == 100 {
			t.Errorf("the dot at 100,100 has no 256 px patch yet is in the databases")
		}
	}
	for _, size := range []int{64, 256} {
		if n := patchFiles(files, size); n != len(small) || man.Counts.Patches[fmt.Sprint(size)] != int64(n) {
			t.Errorf("%d px: %d files, %d rows, manifest says %d", size, n, len(small), man.Counts.Patches[fmt.Sprint(size)])
		}
	}
}

// patchFiles counts the ImageFolder files of one size.
func patchFiles(files map[string][]byte, size int) int {
	n := 0
	for p := range files {
		if strings.HasPrefix(p, fmt.Sprintf("patches/%d/", size)) {
			n++
		}
	}
	return n
}

// TestDuplicateDotsCountOnce: two dots of one category at one place make
// one patch in every format, and the manifest counts the files there are.
func TestDuplicateDotsCountOnce(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	w := env.World
	w.MustMark(t, m.he, m.tumor, exporttest.Point(700, 900, 6), annotation.ReviewPending)  // on top of m.dot
	w.MustMark(t, m.he, m.stroma, exporttest.Point(700, 900, 6), annotation.ReviewPending) // another class: its own patch
	e := env.mustExport(t, allFormats(w.Project, ""))
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	for _, size := range []int{64, 256} {
		rows := pathoFusionRows(t, files, size)
		n := patchFiles(files, size)
		if n != centresPerSize+1 || len(rows) != n || man.Counts.Patches[fmt.Sprint(size)] != int64(n) {
			t.Errorf("%d px: %d files, %d PICTURES rows, manifest says %d; want %d everywhere",
				size, n, len(rows), man.Counts.Patches[fmt.Sprint(size)], centresPerSize+1)
		}
		at := 0
		for _, r := range rows {
			if r.X == m.dot[0] && r.Y == m.dot[1] {
				at++
			}
		}
		if at != 2 {
			t.Errorf("%d px: %d rows at the doubled dot, want 2 (tumor once, stroma once)", size, at)
		}
	}
	if idx := strings.Count(string(files[export.PatchIndexPath]), "\n") - 1; idx != 2*(centresPerSize+1) {
		t.Errorf("index.csv has %d rows, want %d", idx, 2*(centresPerSize+1))
	}
}
