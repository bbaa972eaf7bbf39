package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
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
	w.MustMark(t, he, tumor, exporttest.Point(100, 100, 5), review.Pending) // fits at 64, not at 256
	w.MustMark(t, he, tumor, exporttest.Point(1000, 1000, 5), review.Pending)
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
	w.MustMark(t, m.he, m.tumor, exporttest.Point(700, 900, 6), review.Pending)  // on top of m.dot
	w.MustMark(t, m.he, m.stroma, exporttest.Point(700, 900, 6), review.Pending) // another class: its own patch
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

// cocoAnn is an annotation as a COCO reader sees it: segmentation is a
// list of polygons (iscrowd 0) or a run-length encoding (iscrowd 1).
type cocoAnn struct {
	ID           int64           `json:"id"`
	ImageID      int64           `json:"image_id"`
	CategoryID   int             `json:"category_id"`
	Segmentation json.RawMessage `json:"segmentation"`
	Area         float64         `json:"area"`
	BBox         []float64       `json:"bbox"`
	IsCrowd      int             `json:"iscrowd"`
}

// cocoMask decodes an annotation into a w×h mask (row-major, 1 = in) as
// pycocotools' annToMask does: polygons are each filled and merged (a hole
// given as a polygon is filled too, which is why holes must be RLE), an
// RLE is decoded in column-major order from its counts (a list, or the
// compressed string form).
func cocoMask(t *testing.T, a cocoAnn, w, h int) []byte {
	t.Helper()
	mask := make([]byte, w*h)
	var polys [][]float64
	if err := json.Unmarshal(a.Segmentation, &polys); err == nil {
		for _, poly := range polys {
			fillPolygon(mask, w, h, poly)
		}
		return mask
	}
	var rle struct {
		Counts json.RawMessage `json:"counts"`
		Size   [2]int          `json:"size"`
	}
	if err := json.Unmarshal(a.Segmentation, &rle); err != nil {
		t.Fatalf("annotation %d: segmentation is neither polygons nor RLE: %s", a.ID, a.Segmentation)
	}
	if rle.Size != [2]int{h, w} {
		t.Fatalf("annotation %d: RLE size %v, want [%d %d] (height, width)", a.ID, rle.Size, h, w)
	}
	var counts []int64
	if err := json.Unmarshal(rle.Counts, &counts); err != nil {
		var s string
		if err := json.Unmarshal(rle.Counts, &s); err != nil {
			t.Fatalf("annotation %d: RLE counts %s", a.ID, rle.Counts)
		}
		counts = rleFromString(s)
	}
	pos, total := int64(0), int64(w)*int64(h)
	for i, n := range counts {
		if n < 0 || pos+n > total {
			t.Fatalf("annotation %d: RLE run %d of %d overruns the %d pixels", a.ID, i, n, total)
		}
		if i%2 == 1 {
			for k := pos; k < pos+n; k++ {
				x, y := k/int64(h), k%int64(h) // column-major
				mask[y*int64(w)+x] = 1
			}
		}
		pos += n
	}
	if pos != total {
		t.Fatalf("annotation %d: RLE covers %d of %d pixels", a.ID, pos, total)
	}
	return mask
}

// rleFromString is pycocotools' rleFrString: LEB128-like 5-bit groups,
// offset by 48, each count after the second stored as a difference from
// the one two before.
func rleFromString(s string) []int64 {
	var counts []int64
	for p := 0; p < len(s); {
		var x int64
		k := 0
		for more := true; more; k++ {
			c := int64(s[p]) - 48
			x |= (c & 0x1f) << (5 * k)
			more = c&0x20 != 0
			p++
			if !more && c&0x10 != 0 {
				x |= -1 << (5 * (k + 1))
			}
		}
		if len(counts) > 2 {
			x += counts[len(counts)-2]
		}
		counts = append(counts, x)
	}
	return counts
}

// fillPolygon sets the pixels whose centre lies inside the polygon
// (even-odd), as a rasteriser of one COCO polygon.
func fillPolygon(mask []byte, w, h int, poly []float64) {
	n := len(poly) / 2
	for y := 0; y < h; y++ {
		cy := float64(y) + 0.5
		var xs []float64
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			ax, ay, bx, by := poly[2*i], poly[2*i+1], poly[2*j], poly[2*j+1]
			if (ay > cy) != (by > cy) {
				xs = append(xs, ax+(cy-ay)*(bx-ax)/(by-ay))
			}
		}
		slices.Sort(xs)
		for k := 0; k+1 < len(xs); k += 2 {
			for x := max(int(math.Ceil(xs[k]-0.5)), 0); x < w && float64(x)+0.5 < xs[k+1]; x++ {
				mask[y*w+x] = 1
			}
		}
	}
}

// TestCOCOHolesDecodeToTheMark decodes the COCO annotations as a COCO
// reader does: the polygon with a hole must cover exactly its 600×400
// less 200×200 pixels, hole empty, and state that area; a shape without
// holes stays a polygon.
func TestCOCOHolesDecodeToTheMark(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, allFormats(env.World.Project, ""))
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	var doc struct {
		Images []struct {
			ID            int64
			Width, Height int
		} `json:"images"`
		Annotations []cocoAnn `json:"annotations"`
	}
	if err := json.Unmarshal(files[export.COCOPath], &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Annotations) != 2 {
		t.Fatalf("%d annotations, want the polygon and the rectangle", len(doc.Annotations))
	}
	for _, a := range doc.Annotations {
		if a.ImageID != m.he || doc.Images[0].ID != m.he {
			t.Fatalf("annotation %d on image %d, want the H&E slide %d first", a.ID, a.ImageID, m.he)
		}
		mask := cocoMask(t, a, 2220, 2967)
		n := 0
		for _, v := range mask {
			n += int(v)
		}
		at := func(x, y int) byte { return mask[y*2220+x] }
		if a.ID == m.poly {
			if a.IsCrowd != 1 || n != 600*400-200*200 || a.Area != float64(n) || at(1300, 600) != 0 || at(1100, 450) != 1 ||
				at(1000, 400) != 1 || at(1600, 800) != 0 || fmt.Sprint(a.BBox) != "[1000 400 600 400]" {
				t.Errorf("polygon with a hole: iscrowd %d, %d px decoded, area %v, hole %d, ring %d, bbox %v; want 1, %d, the same, 0, 1, [1000 400 600 400]",
					a.IsCrowd, n, a.Area, at(1300, 600), at(1100, 450), a.BBox, 600*400-200*200)
			}
			continue
		}
		if a.IsCrowd != 0 || n != 200*200 || a.Area != 200*200 || a.Segmentation[0] != '[' {
			t.Errorf("rectangle: iscrowd %d, %d px, area %v, segmentation %.20s; want a polygon of 40000 px", a.IsCrowd, n, a.Area, a.Segmentation)
		}
	}
}

// classMap is classes.json as a training script reads it.
type classMap struct {
	Classes []struct {
		ClassID          int            `json:"class_id"`
		Name             string         `json:"name"`
		Color            string         `json:"color"`
		Folder           string         `json:"imagefolder_folder"`
		ImageFolderIndex map[string]int `json:"imagefolder_index"`
		PathoFusionType  *int           `json:"pathofusion_type"`
		PathoFusionLabel *int           `json:"pathofusion_label"`
		MaskValue        *int           `json:"mask_value"`
		COCOCategoryID   *int           `json:"coco_category_id"`
	} `json:"classes"`
}

// TestOneClassMap: classes.json gives each class the number every format
// uses for it, checked against the formats themselves: the index
// torchvision's ImageFolder assigns (sorted folder names), PathoFusion's
// TYPE, the mask's pixel value and COCO's category id. The folders sort in
// class-id order, so ImageFolder's index follows the class ids even where
// the names sort otherwise (stroma is class 2, tumor class 1).
func TestOneClassMap(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, allFormats(env.World.Project, ""))
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	var cm classMap
	if err := json.Unmarshal(files[export.ClassesPath], &cm); err != nil {
		t.Fatalf("classes.json: %v", err)
	}
	if len(cm.Classes) != 2 || cm.Classes[0].ClassID != 1 || cm.Classes[0].Name != "tumor" || cm.Classes[0].Color != "#ff0000" ||
		cm.Classes[0].Folder != "01_tumor" || cm.Classes[1].Folder != "02_stroma" {
		t.Fatalf("classes.json: %s", files[export.ClassesPath])
	}
	var coco struct {
		Categories []struct {
			ID   int
			Name string
		}
	}
	if err := json.Unmarshal(files[export.COCOPath], &coco); err != nil {
		t.Fatal(err)
	}
	dots := pathoFusionRows(t, files, 256)
	mask := decodePNG(t, files[fmt.Sprintf("masks/case-7_HE_slide%d.png", m.he)])
	for _, size := range []int{64, 256} {
		// torchvision's find_classes: the sorted folder names under the root.
		var folders []string
		for p := range files {
			if rest, ok := strings.CutPrefix(p, fmt.Sprintf("patches/%d/", size)); ok && strings.Contains(rest, "/") {
				if f := rest[:strings.Index(rest, "/")]; !slices.Contains(folders, f) {
					folders = append(folders, f)
				}
			}
		}
		slices.Sort(folders)
		if !slices.Equal(folders, []string{"01_tumor", "02_stroma"}) {
			t.Errorf("%d px folders %v, want 01_tumor, 02_stroma", size, folders)
		}
		for _, c := range cm.Classes {
			if i, ok := c.ImageFolderIndex[fmt.Sprintf("patches/%d", size)]; !ok || folders[i] != c.Folder {
				t.Errorf("%s at %d px: imagefolder_index %d (%v), but ImageFolder gives %s that index", c.Name, size, i, ok, folders[min(i, len(folders)-1)])
			}
		}
	}
	for _, c := range cm.Classes {
		if c.COCOCategoryID == nil || !slices.ContainsFunc(coco.Categories, func(k struct {
			ID   int
			Name string
		}) bool {
			return k.ID == *c.COCOCategoryID && k.Name == c.Name
		}) {
			t.Errorf("%s: coco_category_id %v names no COCO category of that name", c.Name, c.COCOCategoryID)
		}
		if c.PathoFusionType == nil || c.PathoFusionLabel == nil || *c.PathoFusionLabel != *c.PathoFusionType-1 {
			t.Errorf("%s: pathofusion type %v label %v", c.Name, c.PathoFusionType, c.PathoFusionLabel)
		}
	}
	tumor := cm.Classes[0]
	for _, r := range dots {
		if r.X == m.dot[0] && r.Y == m.dot[1] && r.Type != int64(*tumor.PathoFusionType) {
			t.Errorf("PathoFusion TYPE of the tumor dot %d, classes.json says %d", r.Type, *tumor.PathoFusionType)
		}
	}
	if g, _, _, _ := mask.At(700/16, 900/16).RGBA(); tumor.MaskValue == nil || int(g>>8) != *tumor.MaskValue {
		t.Errorf("mask value at the tumor dot %d, classes.json says %v", g>>8, tumor.MaskValue)
	}

	only := env.mustExport(t, fmt.Sprintf(`{"project_id":%d,"formats":["csv"]}`, env.World.Project))
	var csvOnly classMap
	if err := json.Unmarshal(env.get(t, only.Prefix+export.ClassesPath), &csvOnly); err != nil || len(csvOnly.Classes) != 2 ||
		csvOnly.Classes[0].Folder != "" || csvOnly.Classes[0].COCOCategoryID != nil {
		t.Errorf("a csv export's classes.json: %+v (%v); want both classes, no fields of formats it lacks", csvOnly, err)
	}
}

// TestSplitsByCase: six cases (one of them stained twice) split 50/25/25
// with a seed: whole cases go to one split each, in the proportions asked,
// and every format agrees where each patch went: the ImageFolder root of
// its path, index.csv, PathoFusion's SPLITS table and splits.json. The
// same seed gives the same splits.
func TestSplitsByCase(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t) // case-7 (H&E and IHC), case-8 (a missing slide)
	w := env.World
	for i := range 4 {
		sl := w.MustSlide(t, exporttest.SlideSpec{File: exporttest.SVS, Width: 2220, Height: 2967, MPP: 0.499,
			CaseID: fmt.Sprintf("case-%d", 20+i), Stain: "HE"})
		w.MustMark(t, sl, m.tumor, exporttest.Point(float64(500+100*i), 1000, 5), review.Pending)
		w.MustMark(t, sl, m.stroma, exporttest.Point(1500, float64(500+100*i), 5), review.Pending)
	}
	body := allFormats(w.Project, `,"splits":{"train":0.5,"validation":0.25,"test":0.25,"seed":11}`)
	e := env.mustExport(t, body)
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	var sp struct {
		Cases  map[string]string
		Slides map[string]struct{ Case, Split string }
		Counts map[string]int `json:"cases_by_split"`
	}
	if err := json.Unmarshal(files[export.SplitsPath], &sp); err != nil {
		t.Fatalf("splits.json: %v", err)
	}
	// 6 cases: train takes round(6·0.5) = 3, validation up to round(6·0.75) = 5, test the last one.
	if len(sp.Cases) != 6 || sp.Counts["train"] != 3 || sp.Counts["validation"] != 2 || sp.Counts["test"] != 1 {
		t.Fatalf("splits.json cases %v, counts %v; want 6 cases as 3/2/1", sp.Cases, sp.Counts)
	}
	if !strings.Contains(string(files[export.ReadmePath]), "seed 11: 3 cases train, 2 validation, 1 test") {
		t.Errorf("README.md does not state the splits:\n%s", files[export.ReadmePath])
	}
	for id, s := range sp.Slides {
		if sp.Cases[s.Case] != s.Split {
			t.Errorf("slide %s of %s is in %s, its case in %s", id, s.Case, s.Split, sp.Cases[s.Case])
		}
	}
	if he, ihc := sp.Slides[fmt.Sprint(m.he)], sp.Slides[fmt.Sprint(m.ihc)]; he.Case != "case-7" || he.Split != ihc.Split {
		t.Errorf("case-7's H&E in %s, its IHC in %s: one patient in two splits", he.Split, ihc.Split)
	}
	// Every patch file sits under its slide's split, and index.csv agrees.
	rows := strings.Split(strings.TrimSpace(string(files[export.PatchIndexPath])), "\n")
	if !strings.HasSuffix(rows[0], ",split") || len(rows) < 20 {
		t.Fatalf("index.csv header %q, %d rows", rows[0], len(rows))
	}
	for _, r := range rows[1:] {
		f := strings.Split(r, ",")
		path, slide, split := f[0], f[3], f[len(f)-1]
		if want := sp.Slides[slide].Split; split != want || !strings.HasPrefix(path, fmt.Sprintf("patches/%s/%s/", f[1], want)) {
			t.Errorf("index row %s: split %s, slide %s is in %s", path, split, slide, want)
		}
		if _, ok := files[path]; !ok {
			t.Errorf("index row %s: no such file", path)
		}
	}
	// PathoFusion: a SPLITS row per slide, agreeing with splits.json.
	path := filepath.Join(t.TempDir(), "p.db")
	if err := os.WriteFile(path, files["pathofusion/patches_64.db"], 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var bad, n int
	err = db.QueryRow(`SELECT COUNT(*), SUM(S.SPLIT IS NULL) FROM PICTURES P LEFT JOIN SPLITS S USING (PATIENT_ID)`).Scan(&n, &bad)
	if err != nil || n == 0 || bad != 0 {
		t.Fatalf("PICTURES without a SPLITS row: %d of %d (%v)", bad, n, err)
	}
	srows, err := db.Query(`SELECT PATIENT_ID, CASE_ID, SPLIT FROM SPLITS`)
	if err != nil {
		t.Fatal(err)
	}
	for srows.Next() {
		var id int64
		var c, s string
		if err := srows.Scan(&id, &c, &s); err != nil {
			t.Fatal(err)
		}
		if got := sp.Slides[fmt.Sprint(id)]; got.Case != c || got.Split != s {
			t.Errorf("SPLITS row %d %s %s; splits.json says %s %s", id, c, s, got.Case, got.Split)
		}
	}
	srows.Close()
	// classes.json names the index of each class in each ImageFolder root.
	var cm classMap
	if err := json.Unmarshal(files[export.ClassesPath], &cm); err != nil {
		t.Fatal(err)
	}
	for _, c := range cm.Classes {
		for root, i := range c.ImageFolderIndex {
			if strings.Count(root, "/") != 2 || i < 0 || i > 1 {
				t.Errorf("%s: imagefolder_index %s = %d", c.Name, root, i)
			}
		}
	}
	sameFiles(t, e, env.mustExport(t, body))
}

func TestSplitsMustAddUp(t *testing.T) {
	env := MustMainWorkers(t, 0)
	for _, splits := range []string{`{"train":0.5,"validation":0.2,"test":0.2}`, `{"train":1.5,"validation":-0.5,"test":0}`} {
		body := fmt.Sprintf(`{"project_id":%d,"formats":["csv"],"splits":%s}`, env.World.Project, splits)
		if st := env.call(t, testenv.Manager, "POST", "/api/v1/exports", body, nil); st != http.StatusBadRequest {
			t.Errorf("splits %s: %d, want 400", splits, st)
		}
	}
}
