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

type cocoAnnotation struct {
	ID           int64       `json:"id"`
	ImageID      int64       `json:"image_id"`
	CategoryID   int         `json:"category_id"`
	Segmentation [][]float64 `json:"segmentation"`
	Area         float64     `json:"area"`
	BBox         [4]float64  `json:"bbox"`
	IsCrowd      int         `json:"iscrowd"`
}

// COCO writes COCO instances: one image per slide (level 0), categories by
// class id, one annotation per area mark (polygon, rectangle, ellipse,
// freehand) with every ring as a segmentation polygon and the area of the
// outer ring less its holes. Points and polylines have no area and are left
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
	for _, m := range s.Marks {
		if c := ix.categories[m.CategoryID]; c != nil && m.Geometry.Kind.Area() {
			doc.Annotations = append(doc.Annotations, cocoOf(m, c.ClassID))
		}
	}
	b, _ := json.Marshal(doc) // plain data: cannot fail
	return append(b, '\n')
}

func cocoOf(m Mark, class int) cocoAnnotation {
	a := cocoAnnotation{ID: m.ID, ImageID: m.SlideID, CategoryID: class}
	for i, r := range m.Geometry.Rings {
		seg := make([]float64, 0, 2*len(r))
		for _, p := range r {
			seg = append(seg, geometry.Pixels(p.X), geometry.Pixels(p.Y))
		}
		a.Segmentation = append(a.Segmentation, seg)
		area := math.Abs(ringArea(r))
		if i > 0 {
			area = -area
		}
		a.Area += area
	}
	b := m.Geometry.BBox()
	a.BBox = [4]float64{geometry.Pixels(b.MinX), geometry.Pixels(b.MinY), geometry.Pixels(b.MaxX - b.MinX), geometry.Pixels(b.MaxY - b.MinY)}
	return a
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
