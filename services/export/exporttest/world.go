// Package exporttest builds what an export reads, the way the services
// that own it store it: slide files in the slides bucket with their slides
// rows (as the tiler writes them), categories (as auth does) and marks
// encoded with the annotation service's own codec, for tests against the
// real MariaDB and MinIO.
package exporttest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	miniogo "github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/platform/geometry"
	"github.com/patholabel/patholabel/services/platform/review"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Slides finds the shared folder of real slides (shared/ lies beside the
// checkout) from wherever the test runs, ending in a slash.
func Slides(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "testdata", "slides")
		if _, err := os.Stat(p); err == nil {
			return p + "/"
		}
	}
	tb.Fatal("exporttest: no shared/testdata/slides above the working directory")
	return ""
}

// SVS is the Aperio slide: 2220×2967 at 0.499 µm per pixel.
const SVS = "CMU-1-Small-Region.svs"

// NDPI is the Hamamatsu slide: 3968×4864.
const NDPI = "test3-DAPI-2-387.ndpi"

// World is a project with slides, categories and a manager.
type World struct {
	DB      *sql.DB
	S3      *miniogo.Client
	Bucket  string // slides bucket
	Dir     string // where the slide files are, relative to the test's package
	Fixture *testenv.Fixture
	Project int64
	Author  int64
	next    int64 // mark ids: the annotation service hands out blocks, tests just count
}

// New builds an empty world over the fixture's project; dir is the slides
// folder as seen from the calling test's package.
func New(tb testing.TB, db *sql.DB, s3 *miniogo.Client, bucket, dir string) *World {
	tb.Helper()
	f := testenv.MustPrincipals(tb, db)
	return &World{DB: db, S3: s3, Bucket: bucket, Dir: dir, Fixture: f, Project: f.Project, Author: f.Users[testenv.Annotator]}
}

func (w *World) exec(tb testing.TB, q string, args ...any) int64 {
	tb.Helper()
	res, err := w.DB.Exec(q, args...)
	if err != nil {
		tb.Fatalf("exporttest: %s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// MustCategory adds a category with a class id.
func (w *World) MustCategory(tb testing.TB, class int, name, color string) int64 {
	now := time.Now().UTC()
	return w.exec(tb, `INSERT INTO categories (project_id, class_id, name, color, description, created_at, updated_at)
		VALUES (?, ?, ?, ?, '', ?, ?)`, w.Project, class, name, color, now, now)
}

// SlideSpec describes a ready slide; File "" stores no object (a slide
// whose file went missing).
type SlideSpec struct {
	File          string
	Width, Height int64
	MPP           float64
	CaseID, Stain string
}

// MustSlide uploads the file (when given) and inserts a ready slide row.
func (w *World) MustSlide(tb testing.TB, s SlideSpec) int64 {
	tb.Helper()
	key := "sources/" + testenv.Name("k") + "/source"
	if s.File != "" {
		_, err := w.S3.FPutObject(context.Background(), w.Bucket, key, w.Dir+s.File, miniogo.PutObjectOptions{})
		if err != nil {
			tb.Fatalf("exporttest: upload %s: %v", s.File, err)
		}
	}
	now := time.Now().UTC()
	var mpp any
	if s.MPP > 0 {
		mpp = s.MPP
	}
	return w.exec(tb, `INSERT INTO slides (project_id, case_id, stain, name, status, width, height, levels, mpp_x, mpp_y,
		source_key, created_at, updated_at) VALUES (?, ?, ?, ?, 'ready', ?, ?, 1, ?, ?, ?, ?, ?)`,
		w.Project, s.CaseID, s.Stain, fmt.Sprintf("%s-%s", s.CaseID, s.File), s.Width, s.Height, mpp, mpp, key, now, now)
}

// MustMark stores one mark the way the annotation service does (grid cell,
// millipixel box, compact rings) and returns its id.
func (w *World) MustMark(tb testing.TB, slide, category int64, g geometry.Geometry, state string) int64 {
	tb.Helper()
	w.next++
	id := w.Project*1_000_000 + w.next
	b := g.BBox()
	now := time.Now().UTC()
	w.exec(tb, `INSERT INTO annotations (slide_id, cell, id, category_id, author_id, kind, review, version, minx, miny, maxx, maxy,
		created_at, updated_at, rings) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
		slide, geometry.CellKey(b), id, category, w.Author, g.Kind, review.Code(state),
		b.MinX, b.MinY, b.MaxX, b.MaxY, now, now, geometry.EncodeRings(g))
	return id
}

// Point is a dot at (x, y) pixels with radius r pixels.
func Point(x, y, r float64) geometry.Geometry {
	return geometry.Geometry{Kind: geometry.KindPoint, Radius: geometry.ToUnits(r),
		Rings: [][]geometry.Pt{{{X: geometry.ToUnits(x), Y: geometry.ToUnits(y)}}}}
}

// Polygon is an area shape of rings given in pixels (first outer, then holes).
func Polygon(kind geometry.Kind, rings ...[][2]float64) geometry.Geometry {
	g := geometry.Geometry{Kind: kind}
	for _, r := range rings {
		var ring []geometry.Pt
		for _, p := range r {
			ring = append(ring, geometry.Pt{X: geometry.ToUnits(p[0]), Y: geometry.ToUnits(p[1])})
		}
		g.Rings = append(g.Rings, ring)
	}
	return g
}

// Box is the closed ring of an axis-aligned rectangle.
func Box(x0, y0, x1, y1 float64) [][2]float64 {
	return [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}
