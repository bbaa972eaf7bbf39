package annotation

import (
	"encoding/json"
	"fmt"
	"math"
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

// GeoJSON is a geometry object; coordinates are parsed by type.
type GeoJSON struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
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

// ParseGeometry reads a GeoJSON geometry in level-0 pixels. shape picks the
// kind of a Polygon (polygon, rectangle, ellipse, freehand); radius is a
// point's marker radius in pixels.
func ParseGeometry(j GeoJSON, shape string, radius *float64) (Geometry, error) {
	switch j.Type {
	case "Point":
		return parsePoint(j.Coordinates, shape, radius)
	case "LineString":
		return parseLine(j.Coordinates, shape)
	case "Polygon":
		return parsePolygon(j.Coordinates, shape)
	}
	return Geometry{}, fmt.Errorf("geometry type %q is not supported (Point, LineString, Polygon)", j.Type)
}

func parsePoint(raw json.RawMessage, shape string, radius *float64) (Geometry, error) {
	g := Geometry{Kind: KindPoint}
	if shape != "" && shape != "point" {
		return g, fmt.Errorf("shape %q does not fit a Point geometry", shape)
	}
	var c []float64
	if err := json.Unmarshal(raw, &c); err != nil {
		return g, fmt.Errorf("Point coordinates must be [x, y] or [x, y, z]")
	}
	p, err := position(c)
	if err != nil {
		return g, err
	}
	g.Rings = [][]Pt{{p}}
	if radius != nil {
		if !finite(*radius) {
			return g, fmt.Errorf("radius is not a finite number")
		}
		if *radius < 0 || *radius > MaxRadius/Scale {
			// checked before ToUnits: a huge radius would overflow int64
			return g, fmt.Errorf("radius %g is not between 0 and %s", *radius, FormatUnits(MaxRadius))
		}
		g.Radius = ToUnits(*radius)
	}
	return g, nil
}

func parseLine(raw json.RawMessage, shape string) (Geometry, error) {
	g := Geometry{Kind: KindPolyline}
	if shape != "" && shape != "polyline" {
		return g, fmt.Errorf("shape %q does not fit a LineString geometry", shape)
	}
	var c [][]float64
	if err := json.Unmarshal(raw, &c); err != nil {
		return g, fmt.Errorf("LineString coordinates must be [[x, y], …]")
	}
	r, err := ring(c)
	g.Rings = [][]Pt{r}
	return g, err
}

func parsePolygon(raw json.RawMessage, shape string) (Geometry, error) {
	g := Geometry{Kind: KindPolygon}
	if shape != "" {
		k, ok := ParseKind(shape)
		if !ok || !k.Area() {
			return g, fmt.Errorf("shape %q does not fit a Polygon geometry (polygon, rectangle, ellipse, freehand)", shape)
		}
		g.Kind = k
	}
	var c [][][]float64
	if err := json.Unmarshal(raw, &c); err != nil {
		return g, fmt.Errorf("Polygon coordinates must be [[[x, y], …], …]")
	}
	for i, rc := range c {
		r, err := ring(rc)
		if err != nil {
			return g, fmt.Errorf("ring %d: %w", i, err)
		}
		g.Rings = append(g.Rings, r)
	}
	return g, nil
}

func ring(c [][]float64) ([]Pt, error) {
	r := make([]Pt, len(c))
	for i, pc := range c {
		p, err := position(pc)
		if err != nil {
			return nil, fmt.Errorf("position %d: %w", i, err)
		}
		r[i] = p
	}
	return r, nil
}

// position reads [x, y], or [x, y, z] as RFC 7946 allows (HistomicsTK and
// large_image write z = 0): marks are flat, so z is dropped.
func position(c []float64) (Pt, error) {
	if len(c) != 2 && len(c) != 3 {
		return Pt{}, fmt.Errorf("a position is [x, y] or [x, y, z], got %d numbers", len(c))
	}
	return PtOf(c[0], c[1])
}

// PtOf converts pixel coordinates, rejecting NaN, infinities and values
// beyond MaxCoord.
func PtOf(x, y float64) (Pt, error) {
	if !finite(x) || !finite(y) {
		return Pt{}, fmt.Errorf("coordinates must be finite numbers")
	}
	if math.Abs(x) > MaxCoord/Scale || math.Abs(y) > MaxCoord/Scale {
		return Pt{}, fmt.Errorf("coordinate (%g, %g) is beyond %d pixels", x, y, MaxCoord/Scale)
	}
	return Pt{ToUnits(x), ToUnits(y)}, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
