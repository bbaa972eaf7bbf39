package export

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// Snapshot is everything an export reads from the database, taken in one
// consistent read: the slides, categories, authors and marks it uses. Every
// format is built from it alone, so the same snapshot gives the same files.
type Snapshot struct {
	ProjectID  int64      `json:"project_id"`
	Slides     []Slide    `json:"slides"`     // by id
	Categories []Category `json:"categories"` // by id; archived ones too, marks may still use them
	Authors    []Author   `json:"authors"`    // by id
	Marks      []Mark     `json:"marks"`      // by slide, then id (hard negatives after a slide's marks)
}

// Slide is what an export needs of a slide.
type Slide struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	CaseID    string   `json:"case_id"`
	Stain     string   `json:"stain"`
	Width     int64    `json:"width"`
	Height    int64    `json:"height"`
	MPPX      *float64 `json:"mpp_x"`
	MPPY      *float64 `json:"mpp_y"`
	Status    string   `json:"status"`
	SourceKey string   `json:"source_key"`
	SHA256    string   `json:"sha256"`
}

// Category is a class marks belong to; ClassID is the number written into
// masks, COCO and PathoFusion's TYPE.
type Category struct {
	ID      int64  `json:"id"`
	ClassID int    `json:"class_id"`
	Name    string `json:"name"`
	Color   string `json:"color"` // #rrggbb
	// HardNegativeOf is, for the class of rejected suggestions of a
	// category (Params.HardNegatives), that category's id; 0 otherwise.
	HardNegativeOf int64 `json:"hard_negative_of,omitempty"`
}

// Author is who drew marks.
type Author struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// Mark is one mark as the snapshot keeps it: coordinates in integer
// millipixels (geometry.Scale per pixel), exactly as stored.
type Mark struct {
	ID         int64             `json:"id"`
	SlideID    int64             `json:"slide_id"`
	CategoryID int64             `json:"category_id"`
	AuthorID   int64             `json:"author_id"`
	Review     string            `json:"review"`
	Version    int64             `json:"version"`
	Geometry   geometry.Geometry `json:"-"`
	Shape      string            `json:"shape"`
	Rings      [][][2]int64      `json:"rings"`
	Radius     int64             `json:"radius"`
	// Source is the accepted model suggestion the mark came from; nil for a
	// mark drawn by hand.
	Source *Source `json:"source,omitempty"`
}

// Source is a mark's provenance: the model version whose suggestion a
// person accepted, and the score it gave the suggested category. Edited:
// the person changed the category or the shape when accepting. Rejected:
// not a mark at all but a rejected suggestion, exported as a hard
// negative (Params.HardNegatives). Both are left out when false, so the
// snapshots of exports before them hash as they did.
type Source struct {
	Suggestion int64   `json:"suggestion"`
	Model      string  `json:"model"`
	Version    string  `json:"version"`
	Score      float64 `json:"score"`
	Edited     bool    `json:"edited,omitempty"`
	Rejected   bool    `json:"rejected,omitempty"`
}

// Provenance kinds, as the CSV, patch index and COCO attributes name them.
const (
	ProvenanceHand         = "hand"          // drawn by a person
	ProvenanceModel        = "model"         // a model's suggestion accepted as it was
	ProvenanceModelEdited  = "model_edited"  // accepted with another category or shape
	ProvenanceHardNegative = "hard_negative" // a rejected suggestion
)

// Provenance names where the mark came from.
func (m *Mark) Provenance() string {
	switch s := m.Source; {
	case s == nil:
		return ProvenanceHand
	case s.Rejected:
		return ProvenanceHardNegative
	case s.Edited:
		return ProvenanceModelEdited
	}
	return ProvenanceModel
}

// provenanceCells are the provenance columns of the CSV and the patch
// index: kind, model, model version, score (empty for a hand-drawn mark).
func (m *Mark) provenanceCells() []string {
	s := m.Source
	if s == nil {
		return []string{ProvenanceHand, "", "", ""}
	}
	return []string{m.Provenance(), cell(s.Model), cell(s.Version), strconv.FormatFloat(s.Score, 'g', -1, 64)}
}

// HardNegativeName is the name of the class of rejected suggestions of
// the category named name.
func HardNegativeName(name string) string { return "hard_negative:" + name }

// WithGeometry fills the serialised shape fields from m.Geometry.
func (m Mark) WithGeometry() Mark {
	m.Shape, m.Radius = m.Geometry.Kind.String(), m.Geometry.Radius
	m.Rings = make([][][2]int64, len(m.Geometry.Rings))
	for i, r := range m.Geometry.Rings {
		m.Rings[i] = make([][2]int64, len(r))
		for j, p := range r {
			m.Rings[i][j] = [2]int64{p.X, p.Y}
		}
	}
	return m
}

func (m *Mark) restoreGeometry() error {
	k, ok := geometry.ParseKind(m.Shape)
	if !ok {
		return fmt.Errorf("mark %d: unknown shape %q", m.ID, m.Shape)
	}
	g := geometry.Geometry{Kind: k, Radius: m.Radius, Rings: make([][]geometry.Pt, len(m.Rings))}
	for i, r := range m.Rings {
		g.Rings[i] = make([]geometry.Pt, len(r))
		for j, p := range r {
			g.Rings[i][j] = geometry.Pt{X: p[0], Y: p[1]}
		}
	}
	m.Geometry = g
	return nil
}

// Canonical is the snapshot's stable JSON (struct field order, slices in
// their sorted order), whose SHA-256 names the snapshot.
func (s *Snapshot) Canonical() []byte {
	b, _ := json.Marshal(s) // plain data: cannot fail
	return b
}

// Hash is the hex SHA-256 of the canonical JSON.
func Hash(canonical []byte) string {
	h := sha256.Sum256(canonical)
	return hex.EncodeToString(h[:])
}

// Compress gzips canonical JSON for storage; gzip's header carries no time
// unless set, so the same snapshot compresses to the same bytes.
func Compress(canonical []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = w.Write(canonical)
	_ = w.Close()
	return buf.Bytes()
}

// DecodeSnapshot reads what Compress stored and returns the snapshot with
// its canonical JSON.
func DecodeSnapshot(gz []byte) (*Snapshot, []byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, nil, fmt.Errorf("open snapshot: %w", err)
	}
	canonical, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read snapshot: %w", err)
	}
	var s Snapshot
	if err := json.Unmarshal(canonical, &s); err != nil {
		return nil, nil, fmt.Errorf("decode snapshot: %w", err)
	}
	for i := range s.Marks {
		if err := s.Marks[i].restoreGeometry(); err != nil {
			return nil, nil, err
		}
	}
	return &s, canonical, nil
}

// Lookups the formats share.
type index struct {
	slides     map[int64]*Slide
	categories map[int64]*Category
	authors    map[int64]string
}

func (s *Snapshot) index() index {
	ix := index{slides: map[int64]*Slide{}, categories: map[int64]*Category{}, authors: map[int64]string{}}
	for i := range s.Slides {
		ix.slides[s.Slides[i].ID] = &s.Slides[i]
	}
	for i := range s.Categories {
		ix.categories[s.Categories[i].ID] = &s.Categories[i]
	}
	for _, a := range s.Authors {
		ix.authors[a.ID] = a.Username
	}
	return ix
}

// MarksOf returns the marks of one slide (a sub-slice: marks are sorted by slide).
func (s *Snapshot) MarksOf(slide int64) []Mark {
	lo, hi := -1, -1
	for i, m := range s.Marks {
		if m.SlideID == slide {
			if lo < 0 {
				lo = i
			}
			hi = i + 1
		}
	}
	if lo < 0 {
		return nil
	}
	return s.Marks[lo:hi]
}

// HardNegativeClasses are the classes of rejected suggestions, one per
// category: id the category's negated (marks of it are suggestions, not
// of the category), class id top (the project's highest) plus the
// category's, name HardNegativeName's, the category's colour.
func HardNegativeClasses(cats []Category, top int) []Category {
	out := make([]Category, 0, len(cats))
	for _, c := range cats {
		out = append(out, Category{ID: -c.ID, ClassID: top + c.ClassID, Name: HardNegativeName(c.Name), Color: c.Color, HardNegativeOf: c.ID})
	}
	return out
}
