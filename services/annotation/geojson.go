package annotation

import (
	"encoding/json"
	"fmt"
)

// Feature is a GeoJSON Feature as clients send it. Server-set properties
// are accepted and ignored, so a client may send back what it received.
type Feature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id,omitempty"`
	BBox       json.RawMessage `json:"bbox,omitempty"`
	Geometry   *GeoJSON        `json:"geometry"`
	Properties Properties      `json:"properties"`
}

// Properties of a mark. Pointers tell "absent" from zero for PATCH.
type Properties struct {
	CategoryID *int64   `json:"category_id,omitempty"`
	Radius     *float64 `json:"radius,omitempty"`
	Note       *string  `json:"note,omitempty"`
	Shape      string   `json:"shape,omitempty"`

	ServerID  json.RawMessage `json:"id,omitempty"`
	AuthorID  json.RawMessage `json:"author_id,omitempty"`
	Version   json.RawMessage `json:"version,omitempty"`
	Review    json.RawMessage `json:"review,omitempty"`
	CreatedAt json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt json.RawMessage `json:"updated_at,omitempty"`
}

// MaxNote bounds a mark's note, in bytes.
const MaxNote = 4000

// Draft reads a complete new mark: geometry and category are required.
func (f Feature) Draft() (Draft, error) {
	var d Draft
	if err := f.checkType(); err != nil {
		return d, err
	}
	if f.Geometry == nil {
		return d, fmt.Errorf("geometry is required")
	}
	if f.Properties.CategoryID == nil || *f.Properties.CategoryID <= 0 {
		return d, fmt.Errorf("properties.category_id is required")
	}
	return f.Apply(Draft{})
}

// Apply changes d by what f carries; absent fields keep d's values.
func (f Feature) Apply(d Draft) (Draft, error) {
	if err := f.checkType(); err != nil {
		return d, err
	}
	p := f.Properties
	if p.CategoryID != nil {
		d.CategoryID = *p.CategoryID
	}
	if p.Note != nil {
		if len(*p.Note) > MaxNote {
			return d, fmt.Errorf("properties.note is longer than %d bytes", MaxNote)
		}
		d.Note = *p.Note
	}
	if f.Geometry == nil {
		if p.Radius != nil || p.Shape != "" {
			return d, fmt.Errorf("properties.radius and properties.shape need the geometry too")
		}
		return d, nil
	}
	g, err := ParseGeometry(*f.Geometry, p.Shape, p.Radius)
	d.Geometry = g
	return d, err
}

func (f Feature) checkType() error {
	if f.Type != "Feature" {
		return fmt.Errorf("type must be \"Feature\", not %q", f.Type)
	}
	return nil
}
