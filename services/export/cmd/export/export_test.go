package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"
	_ "modernc.org/sqlite"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/exporttest"
	"github.com/patholabel/patholabel/services/platform/geometry"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// call sends a JSON request as a principal and decodes the answer into out.
func (env *Env) call(tb testing.TB, who, method, path, body string, out any) int {
	tb.Helper()
	req, err := http.NewRequest(method, env.Base+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if who != testenv.Anonymous {
		env.World.Fixture.MustSession(tb, who).Sign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// mustExport queues an export as the manager and waits until it finishes.
func (env *Env) mustExport(tb testing.TB, body string) *export.Export {
	tb.Helper()
	var e export.Export
	if st := env.call(tb, testenv.Manager, "POST", "/api/v1/exports", body, &e); st != http.StatusAccepted {
		tb.Fatalf("POST /api/v1/exports = %d", st)
	}
	return env.wait(tb, e.ID)
}

// wait polls an export as clients do (no manifest) until it finishes,
// then reads it once with its manifest.
func (env *Env) wait(tb testing.TB, id int64) *export.Export {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var e export.Export
		if st := env.call(tb, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d", id), "", &e); st != http.StatusOK {
			tb.Fatalf("GET export %d = %d", id, st)
		}
		if e.Manifest != nil {
			tb.Fatalf("GET export %d sent its %d-byte manifest unasked", id, len(e.Manifest))
		}
		if e.Finished() {
			if st := env.call(tb, testenv.Manager, "GET", fmt.Sprintf("/api/v1/exports/%d?include=manifest", id), "", &e); st != http.StatusOK {
				tb.Fatalf("GET export %d with its manifest = %d", id, st)
			}
			return &e
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("export %d did not finish in time", id)
	return nil
}

// marks is the world every export test reads: one case stained twice
// (H&E on the SVS, IHC on the NDPI) and a slide whose file is missing.
type marks struct {
	he, ihc, missing int64
	tumor, stroma    int64
	dot, edgeDot     [2]int64 // pixel positions on the H&E slide
	poly             int64
}

func (env *Env) mustMarks(tb testing.TB) marks {
	w := env.World
	var m marks
	m.tumor = w.MustCategory(tb, 1, "tumor", "#ff0000")
	m.stroma = w.MustCategory(tb, 2, "stroma", "#00ff00")
	m.he = w.MustSlide(tb, exporttest.SlideSpec{File: exporttest.SVS, Width: 2220, Height: 2967, MPP: 0.499, CaseID: "case-7", Stain: "HE"})
	m.ihc = w.MustSlide(tb, exporttest.SlideSpec{File: exporttest.NDPI, Width: 3968, Height: 4864, MPP: 0.22818, CaseID: "case-7", Stain: "IHC"})
	m.missing = w.MustSlide(tb, exporttest.SlideSpec{Width: 1000, Height: 1000, CaseID: "case-8", Stain: "HE"})
	m.dot, m.edgeDot = [2]int64{700, 900}, [2]int64{20, 30}
	w.MustMark(tb, m.he, m.tumor, exporttest.Point(700, 900, 12), review.Accepted)
	w.MustMark(tb, m.he, m.stroma, exporttest.Point(1500.4, 2000.6, 8), review.Pending)
	w.MustMark(tb, m.he, m.tumor, exporttest.Point(20, 30, 5), review.Pending)
	m.poly = w.MustMark(tb, m.he, m.stroma, exporttest.Polygon(geometry.KindPolygon,
		exporttest.Box(1000, 400, 1600, 800), exporttest.Box(1200, 500, 1400, 700)), review.Accepted)
	w.MustMark(tb, m.he, m.tumor, exporttest.Polygon(geometry.KindRectangle, exporttest.Box(100, 2500, 300, 2700)), review.Pending)
	w.MustMark(tb, m.ihc, m.tumor, exporttest.Point(2000, 2100, 10), review.Accepted)
	w.MustMark(tb, m.missing, m.tumor, exporttest.Point(500, 500, 10), review.Accepted)
	return m
}

func allFormats(project int64, extra string) string {
	return fmt.Sprintf(`{"project_id":%d,"formats":["geojson","csv","coco","patches","pathofusion","masks"],
		"patch_sizes":[64,256],"stride":150%s}`, project, extra)
}

func TestExportEveryFormat(t *testing.T) {
	env := MustMain(t)
	m := env.mustMarks(t)
	e := env.mustExport(t, allFormats(env.World.Project, ""))
	if e.Status != export.StatusDone {
		t.Fatalf("status %s (%s), want done", e.Status, e.Error)
	}
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	files := env.checkManifest(t, e, man)
	if len(man.Errors) != 1 || man.Errors[0].SlideID != m.missing || !strings.Contains(e.Error, "1 slide") {
		t.Errorf("errors %+v, status error %q; want the missing slide reported", man.Errors, e.Error)
	}
	if man.Counts.Marks != 7 || man.Counts.ByCategory["tumor"] != 5 || man.Counts.ByCategory["stroma"] != 2 {
		t.Errorf("counts %+v", man.Counts)
	}
	env.checkPatches(t, m, files)
	env.checkPathoFusion(t, m, files)
	env.checkMasks(t, m, files)
	checkCOCO(t, m, files["coco/annotations.json"])
	checkText(t, files, fmt.Sprintf("geojson/case-7_HE_slide%d.geojson", m.he))
}

// checkManifest downloads every listed file, checks its size and hash,
// and that nothing unlisted is stored under the prefix.
func (env *Env) checkManifest(t *testing.T, e *export.Export, man *export.Manifest) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, f := range man.Files {
		b := env.get(t, e.Prefix+f.Path)
		sum := sha256.Sum256(b)
		if int64(len(b)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: stored %d bytes sha256 %x; manifest says %d %s", f.Path, len(b), sum, f.Size, f.SHA256)
		}
		files[f.Path] = b
	}
	var stored bytes.Buffer
	if err := json.Compact(&stored, env.get(t, e.Prefix+export.ManifestPath)); err != nil || !bytes.Equal(stored.Bytes(), e.Manifest) {
		t.Error("manifest.json in the bucket differs from the job's")
	}
	n := 0
	for o := range env.S3.ListObjects(context.Background(), env.Main.S3.ExportsBucket, minioList(e.Prefix)) {
		if _, ok := files[strings.TrimPrefix(o.Key, e.Prefix)]; !ok && o.Key != e.Prefix+export.ManifestPath {
			t.Errorf("unlisted object %s", o.Key)
		}
		n++
	}
	if n != len(man.Files)+1 || len(man.Files) < 10 {
		t.Errorf("%d objects stored, manifest lists %d", n, len(man.Files))
	}
	return files
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	im, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	return im
}

// reference is libvips' own crop of the original file (vips extract_area)
// as packed RGB.
func reference(t *testing.T, file string, x, y, size int) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ref.png")
	cmd := exec.Command("vips", "extract_area", exporttest.Slides(t)+file, out, fmt.Sprint(x), fmt.Sprint(y), fmt.Sprint(size), fmt.Sprint(size))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("vips extract_area: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return rgbOf(decodePNG(t, b))
}

func rgbOf(im image.Image) []byte {
	r := im.Bounds()
	out := make([]byte, 0, r.Dx()*r.Dy()*3)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := im.At(x, y).RGBA()
			out = append(out, uint8(cr>>8), uint8(cg>>8), uint8(cb>>8))
		}
	}
	return out
}

func (env *Env) checkPatches(t *testing.T, m marks, files map[string][]byte) {
	t.Helper()
	for _, size := range []int{64, 256} {
		path := fmt.Sprintf("patches/%d/01_tumor/case-7_HE_slide%d_%d_%d.png", size, m.he, m.dot[0], m.dot[1])
		b, ok := files[path]
		if !ok {
			t.Fatalf("no %s", path)
		}
		want := reference(t, exporttest.SVS, int(m.dot[0])-size/2, int(m.dot[1])-size/2, size)
		if !bytes.Equal(rgbOf(decodePNG(t, b)), want) {
			t.Errorf("%s differs from vips extract_area of the same region", path)
		}
	}
	ihc := fmt.Sprintf("patches/256/01_tumor/case-7_IHC_slide%d_2000_2100.png", m.ihc)
	if !bytes.Equal(rgbOf(decodePNG(t, files[ihc])), reference(t, exporttest.NDPI, 2000-128, 2100-128, 256)) {
		t.Errorf("%s differs from vips extract_area of the NDPI", ihc)
	}
	edge := fmt.Sprintf("patches/256/01_tumor/case-7_HE_slide%d_20_30.png", m.he)
	px := rgbOf(decodePNG(t, files[edge]))
	if px[0]|px[1]|px[2] != 0 {
		t.Errorf("%s: top-left pixel %v lies outside the slide; want black padding", edge, px[:3])
	}
	index := string(files[export.PatchIndexPath])
	if strings.Count(index, "\n") < 10 || !strings.Contains(index, edge+",256,256,") {
		t.Errorf("index.csv lacks rows:\n%s", index)
	}
}

func minioList(prefix string) miniogo.ListObjectsOptions {
	return miniogo.ListObjectsOptions{Prefix: prefix, Recursive: true}
}

// Centres per size: 3 dots and 1 rectangle centre on the H&E slide, 10 grid
// centres in the polygon (12 less the 2 in its hole), 1 dot on the IHC slide.
const centresPerSize = 15

func (env *Env) checkPathoFusion(t *testing.T, m marks, files map[string][]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.db")
	if err := os.WriteFile(path, files["pathofusion/patches_256.db"], 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, labels int
	if err := db.QueryRow(`SELECT COUNT(*) FROM PICTURES WHERE SIZE = 256 AND ORIGIN_SIZE = 256`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM LABELS`).Scan(&labels); err != nil {
		t.Fatal(err)
	}
	if n != centresPerSize || labels != 2 {
		t.Errorf("PICTURES has %d rows, LABELS %d; want %d and 2", n, labels, centresPerSize)
	}
	var patient, typ int64
	var pic []byte
	err = db.QueryRow(`SELECT PATIENT_ID, TYPE, PICTURE FROM PICTURES WHERE X = ? AND Y = ?`, m.dot[0], m.dot[1]).Scan(&patient, &typ, &pic)
	if err != nil {
		t.Fatal(err)
	}
	want := reference(t, exporttest.SVS, int(m.dot[0])-128, int(m.dot[1])-128, 256)
	if patient != m.he || typ != 1 || !bytes.Equal(pic, want) {
		t.Errorf("PICTURES row: patient %d type %d, %d bytes; want %d, 1 and the raw RGB of vips' crop", patient, typ, len(pic), m.he)
	}
	var lab string
	if err := db.QueryRow(`SELECT LABELS FROM LABELS WHERE PATIENT_ID = ?`, m.he).Scan(&lab); err != nil || !strings.Contains(lab, `{"x":700,"y":900,"type":1,"category":"tumor"}`) {
		t.Errorf("LABELS of the H&E slide: %s (%v)", lab, err)
	}
}

func (env *Env) checkMasks(t *testing.T, m marks, files map[string][]byte) {
	t.Helper()
	im := decodePNG(t, files[fmt.Sprintf("masks/case-7_HE_slide%d.png", m.he)])
	if b := im.Bounds(); b.Dx() != 139 || b.Dy() != 186 {
		t.Fatalf("mask is %v, want 139×186 (2220×2967 at 1/16)", b)
	}
	for _, c := range []struct {
		x, y int
		want uint32
	}{{700 / 16, 900 / 16, 1}, {1100 / 16, 450 / 16, 2}, {1300 / 16, 600 / 16, 0}, {2000 / 16, 100 / 16, 0}, {200 / 16, 2600 / 16, 1}} {
		g, _, _, _ := im.At(c.x, c.y).RGBA()
		if g>>8 != c.want {
			t.Errorf("mask pixel %d,%d = %d, want %d", c.x, c.y, g>>8, c.want)
		}
	}
}

func checkCOCO(t *testing.T, m marks, b []byte) {
	t.Helper()
	var doc struct {
		Images      []struct{ ID int64 } `json:"images"`
		Annotations []struct {
			ID           int64           `json:"id"`
			CategoryID   int             `json:"category_id"`
			Area         float64         `json:"area"`
			BBox         []float64       `json:"bbox"`
			Segmentation json.RawMessage `json:"segmentation"`
			IsCrowd      int             `json:"iscrowd"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Images) != 3 || len(doc.Annotations) != 2 {
		t.Fatalf("coco: %d images, %d annotations; want 3 and 2 (the polygon and the rectangle)", len(doc.Images), len(doc.Annotations))
	}
	for _, a := range doc.Annotations {
		if a.ID == m.poly && (a.Area != 600*400-200*200 || a.CategoryID != 2 || a.IsCrowd != 1 || a.BBox[2] != 600) {
			t.Errorf("coco polygon: %+v", a)
		}
	}
}

func checkText(t *testing.T, files map[string][]byte, heGeoJSON string) {
	t.Helper()
	csv := string(files[export.CSVPath])
	if strings.Count(csv, "\n") != 8 || !strings.Contains(csv, ",point,") || !strings.Contains(csv, "1000,400,1600,800") {
		t.Errorf("csv:\n%s", csv)
	}
	var gj struct {
		Features []struct {
			Properties struct {
				Classification struct {
					Name  string `json:"name"`
					Color []int  `json:"color"`
				} `json:"classification"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(files[heGeoJSON], &gj); err != nil {
		t.Fatalf("%s: %v", heGeoJSON, err)
	}
	if len(gj.Features) != 5 || gj.Features[0].Properties.Classification.Name != "tumor" || fmt.Sprint(gj.Features[0].Properties.Classification.Color) != "[255 0 0]" {
		t.Errorf("geojson features: %+v", gj.Features)
	}
	if !bytes.Contains(files[export.ReadmePath], []byte("| 1 | tumor | #ff0000 | 5 |")) {
		t.Errorf("README.md:\n%s", files[export.ReadmePath])
	}
}
