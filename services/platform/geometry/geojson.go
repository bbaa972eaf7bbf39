package geometry

import (
	"encoding/json"
	"fmt"
	"math"
)

// GeoJSON is a geometry object; coordinates are parsed by type.
type GeoJSON struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// AppendGeometry appends g as a GeoJSON geometry object in pixels.
func AppendGeometry(b []byte, g Geometry) []byte {
	switch {
	case g.Kind == KindPoint:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPt(b, g.Rings[0][0])
	case g.Kind == KindPolyline:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = appendRing(b, g.Rings[0])
	default:
		b = append(b, `{"type":"Polygon","coordinates":[`...)
		for i, r := range g.Rings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRing(b, r)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendRing(b []byte, r []Pt) []byte {
	b = append(b, '[')
	for i, p := range r {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPt(b, p)
	}
	return append(b, ']')
}

func appendPt(b []byte, p Pt) []byte {
	b = AppendUnits(append(b, '['), p.X)
	return append(AppendUnits(append(b, ','), p.Y), ']')
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
