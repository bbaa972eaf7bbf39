package export

import (
	"encoding/json"
	"math"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// COCOPath is where the coco format writes.
const COCOPath = "coco/annotations.json"

type cocoDoc struct {
	Info        cocoInfo         `json:"info"`
	Images      []cocoImage      `json:"images"`
	Categories  []cocoCategory   `json:"categories"`
	Annotations []cocoAnnotation `json:"annotations"`
}

type cocoInfo struct {
	Description string `json:"description"`
	Version     string `json:"version"`
}

type cocoImage struct {
	ID       int64  `json:"id"`
	FileName string `json:"file_name"`
	Width    int64  `json:"width"`
	Height   int64  `json:"height"`
}

type cocoCategory struct {
	ID            int    `json:"id"`
	Name          string `json:"name"`
	Supercategory string `json:"supercategory"`
}

// cocoRLE is COCO's uncompressed run-length encoding, as the COCO
// dataset's own crowd annotations are stored: counts alternate runs of 0
// and 1 (starting with 0) over the image in column-major order; size is
// [height, width].
type cocoRLE struct {
	Counts []int64  `json:"counts"`
	Size   [2]int64 `json:"size"`
}

type cocoAnnotation struct {
	ID           int64      `json:"id"`
	ImageID      int64      `json:"image_id"`
	CategoryID   int        `json:"category_id"`
	Segmentation any        `json:"segmentation"` // [][]float64 polygons, or cocoRLE
	Area         float64    `json:"area"`
	BBox         [4]float64 `json:"bbox"`
	IsCrowd      int        `json:"iscrowd"`
	Attributes   cocoAttrs  `json:"attributes"`
}

// cocoAttrs is an annotation's provenance, in the "attributes" object
// CVAT and other COCO tools keep per annotation: provenance is hand,
// model, model_edited or hard_negative (Mark.Provenance); the rest names
// the model's suggestion and is left out for a mark drawn by hand.
type cocoAttrs struct {
	Provenance   string   `json:"provenance"`
	MarkID       int64    `json:"mark_id,omitempty"`
	SuggestionID int64    `json:"suggestion_id,omitempty"`
	Model        string   `json:"model,omitempty"`
	ModelVersion string   `json:"model_version,omitempty"`
	Score        *float64 `json:"score,omitempty"`
}

// COCO writes COCO instances: one image per slide (level 0), categories by
// class id, one annotation per area mark (polygon, rectangle, ellipse,
// freehand). A shape without holes is its outer ring as a polygon
// (iscrowd 0) with its shoelace area. A shape with holes cannot be
// polygons: COCO readers fill every polygon and merge them, so a hole
// would be filled. It is a run-length encoding instead (iscrowd 1, as
// COCO defines it for RLE), whose pixels are those with their centre inside
// the shape (the masks' rule) and whose area is their number, so a reader
// decodes exactly the mark. Points and polylines have no area and are left
// to the other formats.
func COCO(s *Snapshot, software string) []byte {
	ix := s.index()
	doc := cocoDoc{Info: cocoInfo{Description: "Patholabel export of project " + itoa(s.ProjectID), Version: software},
		Images: []cocoImage{}, Categories: []cocoCategory{}, Annotations: []cocoAnnotation{}}
	for _, sl := range s.Slides {
		doc.Images = append(doc.Images, cocoImage{sl.ID, sl.Name, sl.Width, sl.Height})
	}
	for _, c := range s.Categories {
		doc.Categories = append(doc.Categories, cocoCategory{c.ClassID, c.Name, ""})
	}
	// Hard negatives are suggestions, whose ids may be a mark's: their
	// annotation ids follow the highest mark id (attributes name the
	// suggestion), so every annotation id is unique.
	var top int64
	for _, m := range s.Marks {
		if m.Provenance() != ProvenanceHardNegative {
			top = max(top, m.ID)
		}
	}
	for _, m := range s.Marks {
		if c := ix.categories[m.CategoryID]; c != nil && m.Geometry.Kind.Area() {
			a := cocoOf(m, c.ClassID, ix.slides[m.SlideID])
			if a.Attributes = cocoAttrsOf(m); m.Provenance() == ProvenanceHardNegative {
				a.ID = top + m.ID
			}
			doc.Annotations = append(doc.Annotations, a)
		}
	}
	b, _ := json.Marshal(doc) // plain data: cannot fail
	return append(b, '\n')
}

func cocoOf(m Mark, class int, sl *Slide) cocoAnnotation {
	a := cocoAnnotation{ID: m.ID, ImageID: m.SlideID, CategoryID: class}
	b := m.Geometry.BBox()
	a.BBox = [4]float64{geometry.Pixels(b.MinX), geometry.Pixels(b.MinY), geometry.Pixels(b.MaxX - b.MinX), geometry.Pixels(b.MaxY - b.MinY)}
	if len(m.Geometry.Rings) > 1 && sl != nil {
		rle, n := rleOf(m.Geometry, sl.Width, sl.Height)
		a.Segmentation, a.Area, a.IsCrowd = rle, float64(n), 1
		return a
	}
	r := m.Geometry.Rings[0]
	seg := make([]float64, 0, 2*len(r))
	for _, p := range r {
		seg = append(seg, geometry.Pixels(p.X), geometry.Pixels(p.Y))
	}
	a.Segmentation, a.Area = [][]float64{seg}, math.Abs(ringArea(r))
	return a
}

func cocoAttrsOf(m Mark) cocoAttrs {
	a := cocoAttrs{Provenance: m.Provenance(), MarkID: m.ID}
	if src := m.Source; src != nil {
		a.SuggestionID, a.Model, a.ModelVersion, a.Score = src.Suggestion, src.Model, src.Version, &src.Score
	}
	if src := m.Source; src != nil && src.Rejected {
		a.MarkID = 0 // not a mark
	}
	return a
}

// rleOf encodes the pixels of a w×h image whose centre lies inside g
// (even-odd over every ring, so holes are out), column by column, and
// counts them. Only the columns of g's box are scanned: a huge slide costs
// nothing beyond the shape.
func rleOf(g geometry.Geometry, w, h int64) (cocoRLE, int64) {
	rle := cocoRLE{Counts: []int64{}, Size: [2]int64{h, w}}
	var pos, n int64                // pixels encoded so far; pixels set
	run := func(start, end int64) { // a run of 1s over [start, end), start >= pos
		if k := len(rle.Counts); k > 0 && k%2 == 0 && start == pos {
			rle.Counts[k-1] += end - start // abuts the previous run of 1s (across columns)
		} else {
			rle.Counts = append(rle.Counts, start-pos, end-start)
		}
		pos, n = end, n+end-start
	}
	t := transpose(g) // columns of g are rows of t: the masks' crossings apply
	b := g.BBox()
	for i := max(b.MinX/geometry.Scale, 0); i <= min(b.MaxX/geometry.Scale, w-1); i++ {
		ys := crossings(t, float64((2*i+1)*geometry.Scale/2))
		for k := 0; k+1 < len(ys); k += 2 {
			// pixels j whose centre (j+0.5) lies in [ys[k], ys[k+1])
			j0 := max(int64(math.Ceil(ys[k]/geometry.Scale-0.5)), 0)
			j1 := min(int64(math.Ceil(ys[k+1]/geometry.Scale-0.5)), h)
			if j0 < j1 {
				run(i*h+j0, i*h+j1)
			}
		}
	}
	if pos < w*h || len(rle.Counts) == 0 {
		rle.Counts = append(rle.Counts, w*h-pos)
	}
	return rle, n
}

// transpose swaps x and y of every vertex.
func transpose(g geometry.Geometry) geometry.Geometry {
	t := geometry.Geometry{Kind: g.Kind, Rings: make([][]geometry.Pt, len(g.Rings))}
	for i, r := range g.Rings {
		t.Rings[i] = make([]geometry.Pt, len(r))
		for k, p := range r {
			t.Rings[i][k] = geometry.Pt{X: p.Y, Y: p.X}
		}
	}
	return t
}

// ringArea is the shoelace area in square pixels (signed).
func ringArea(r []geometry.Pt) float64 {
	var twice float64 // each product fits an int64 (coordinates are bounded by MaxCoord); the sum may not
	for i := range r {
		p, q := r[i], r[(i+1)%len(r)]
		twice += float64(p.X*q.Y - q.X*p.Y)
	}
	return float64(twice) / 2 / (geometry.Scale * geometry.Scale)
}
