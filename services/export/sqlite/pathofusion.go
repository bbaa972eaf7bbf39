// Package sqlite writes PathoFusion's patch databases with a pure-Go SQLite:
// one file per patch size with its PICTURES and LABELS tables, so
// PathoFusion's training code reads them unchanged.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/patholabel/patholabel/services/export"
)

// The tables as PathoFusion's ExtractImagePatches creates them. PICTURE is
// the patch's raw RGB bytes (PIL's tobytes()), row by row; TYPE is the class
// id; X and Y the centre in level-0 pixels; PATIENT_ID the slide id.
const schema = `
CREATE TABLE PICTURES (
  ID INTEGER PRIMARY KEY AUTOINCREMENT,
  PATIENT_ID INTEGER,
  TYPE INTEGER,
  GRADE INTEGER,
  ORIGIN_SIZE INTEGER,
  SIZE INTEGER,
  X INTEGER,
  Y INTEGER,
  PICTURE BLOB
);
CREATE TABLE LABELS (
  ID INTEGER PRIMARY KEY AUTOINCREMENT,
  PATIENT_ID INTEGER,
  THUMB_IMAGE TEXT,
  IMAGE TEXT,
  LABELS TEXT
);`

// splitsSchema is added when the export has splits: each slide
// (PATIENT_ID, as in PICTURES) with its case label and split, so a
// training script selects a split with a join and the row ids still pair
// across sizes. PathoFusion's own code ignores the table.
const splitsSchema = `
CREATE TABLE SPLITS (
  PATIENT_ID INTEGER PRIMARY KEY,
  CASE_ID TEXT,
  SPLIT TEXT
);`

// Path is where the database of one size goes in the export.
func Path(size int) string { return fmt.Sprintf("pathofusion/patches_%d.db", size) }

// Writer fills one database per size in a local folder.
type Writer struct {
	dir    string
	grade  int
	splits bool
	dbs    map[int]*db
}

type db struct {
	conn *sql.DB
	tx   *sql.Tx
	ins  *sql.Stmt
	path string
}

// New creates the databases in dir (a fresh temporary folder), with a
// SPLITS table when splits is set.
func New(ctx context.Context, dir string, sizes []int, grade int, splits bool) (*Writer, error) {
	w := &Writer{dir: dir, grade: grade, splits: splits, dbs: map[int]*db{}}
	tables := schema
	if splits {
		tables += splitsSchema
	}
	for _, s := range sizes {
		d, err := open(ctx, filepath.Join(dir, fmt.Sprintf("patches_%d.db", s)), tables)
		if err != nil {
			w.Close()
			return nil, err
		}
		w.dbs[s] = d
	}
	return w, nil
}

// open creates a database and keeps one transaction open for all inserts:
// a commit per row (as PathoFusion did) would fsync per patch.
func open(ctx context.Context, path, tables string) (*db, error) {
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	d := &db{conn: conn, path: path}
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"+tables); err != nil {
		conn.Close()
		return nil, fmt.Errorf("create tables in %s: %w", path, err)
	}
	if d.tx, err = conn.BeginTx(ctx, nil); err == nil {
		d.ins, err = d.tx.PrepareContext(ctx, `INSERT INTO PICTURES (PATIENT_ID, TYPE, GRADE, ORIGIN_SIZE, SIZE, X, Y, PICTURE)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("prepare %s: %w", path, err)
	}
	return d, nil
}

type label struct {
	X    int64  `json:"x"`
	Y    int64  `json:"y"`
	Type int    `json:"type"`
	Name string `json:"category"`
}

// AddSlide writes a slide's LABELS row into every database: its point marks
// as PathoFusion kept them (a JSON list of centres with their type); and
// its SPLITS row when the export has splits.
func (w *Writer) AddSlide(ctx context.Context, sl *export.Slide, marks []export.Mark, cats map[int64]*export.Category, split string) error {
	labels := []label{}
	for i := range marks {
		cat := cats[marks[i].CategoryID]
		if cat == nil || marks[i].Shape != "point" {
			continue
		}
		c := export.Centres(marks[i:i+1], &export.Params{})[0]
		labels = append(labels, label{c.X, c.Y, cat.ClassID, cat.Name})
	}
	b, _ := json.Marshal(labels) // plain data: cannot fail
	for _, s := range w.sizes() {
		_, err := w.dbs[s].tx.ExecContext(ctx, `INSERT INTO LABELS (PATIENT_ID, THUMB_IMAGE, IMAGE, LABELS) VALUES (?, '', ?, ?)`,
			sl.ID, sl.Name, string(b))
		if err != nil {
			return fmt.Errorf("insert labels of slide %d: %w", sl.ID, err)
		}
		if w.splits {
			_, err := w.dbs[s].tx.ExecContext(ctx, `INSERT INTO SPLITS (PATIENT_ID, CASE_ID, SPLIT) VALUES (?, ?, ?)`,
				sl.ID, export.CaseOf(sl), split)
			if err != nil {
				return fmt.Errorf("insert split of slide %d: %w", sl.ID, err)
			}
		}
	}
	return nil
}

// Add inserts one patch into its size's database.
func (w *Writer) Add(ctx context.Context, p export.Patch) error {
	d := w.dbs[p.Size]
	if d == nil {
		return fmt.Errorf("no database for patch size %d", p.Size)
	}
	_, err := d.ins.ExecContext(ctx, p.Slide.ID, p.Category.ClassID, w.grade, p.OriginSize, p.Size, p.Centre.X, p.Centre.Y, p.RGB)
	if err != nil {
		return fmt.Errorf("insert patch into %s: %w", filepath.Base(d.path), err)
	}
	return nil
}

// Finish commits and closes every database and returns their local paths
// by size.
func (w *Writer) Finish() (map[int]string, error) {
	out := map[int]string{}
	for _, s := range w.sizes() {
		d := w.dbs[s]
		d.ins.Close()
		if err := d.tx.Commit(); err != nil {
			return nil, fmt.Errorf("commit %s: %w", d.path, err)
		}
		d.tx = nil
		if err := d.conn.Close(); err != nil {
			return nil, fmt.Errorf("close %s: %w", d.path, err)
		}
		d.conn = nil
		out[s] = d.path
	}
	return out, nil
}

// Close releases whatever Finish did not.
func (w *Writer) Close() {
	for _, d := range w.dbs {
		if d.tx != nil {
			_ = d.tx.Rollback()
		}
		if d.conn != nil {
			_ = d.conn.Close()
		}
	}
}

func (w *Writer) sizes() []int {
	out := make([]int, 0, len(w.dbs))
	for s := range w.dbs {
		out = append(out, s)
	}
	for i := 1; i < len(out); i++ { // tiny list: insertion sort keeps the order fixed
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
