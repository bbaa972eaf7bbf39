package annotation

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// The answers are written by hand rather than through encoding/json: a
// viewport of 10,000 marks is the hot path, and exact decimal millipixels
// need no float formatting.

// AppendFeature appends m as a GeoJSON Feature.
func AppendFeature(b []byte, m Mark) []byte {
	return timeCache{}.appendFeature(b, m)
}

// timeCache remembers formatted times: marks created in one batch share
// their timestamps, and formatting was a tenth of a viewport's cost.
type timeCache map[time.Time][]byte

func (c timeCache) append(b []byte, t time.Time) []byte {
	enc, ok := c[t]
	if !ok {
		if len(c) >= 4096 {
			clear(c)
		}
		enc = appendTime(nil, t)
		c[t] = enc
	}
	return append(b, enc...)
}

func (c timeCache) appendFeature(b []byte, m Mark) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendInt(b, m.ID, 10)
	b = append(b, `,"geometry":`...)
	b = AppendGeometry(b, m.Geometry)
	b = append(b, `,"properties":{"category_id":`...)
	b = strconv.AppendInt(b, m.CategoryID, 10)
	b = append(b, `,"author_id":`...)
	b = strconv.AppendInt(b, m.AuthorID, 10)
	b = append(b, `,"shape":"`...)
	b = append(b, m.Geometry.Kind.String()...)
	b = append(b, '"')
	if m.Geometry.Kind == KindPoint {
		b = append(b, `,"radius":`...)
		b = geometry.AppendUnits(b, m.Geometry.Radius)
	}
	if m.Note != "" {
		note, _ := json.Marshal(m.Note)
		b = append(append(b, `,"note":`...), note...)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, m.Version, 10)
	b = append(append(append(b, `,"review":"`...), m.Review...), '"')
	b = c.append(append(b, `,"created_at":`...), m.CreatedAt)
	b = c.append(append(b, `,"updated_at":`...), m.UpdatedAt)
	return append(b, "}}"...)
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// FeatureCollection encodes marks; truncated tells the viewer the query
// hit its limit and it should zoom in or ask for level of detail.
func FeatureCollection(marks []Mark, truncated bool) []byte {
	size := 64
	for _, m := range marks {
		size += 280 + 24*m.Geometry.Vertices() + 2*len(m.Note)
	}
	b := make([]byte, 0, size)
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	tc := timeCache{}
	for i, m := range marks {
		if i > 0 {
			b = append(b, ',')
		}
		b = tc.appendFeature(b, m)
	}
	b = append(b, `],"truncated":`...)
	b = strconv.AppendBool(b, truncated)
	return append(b, '}')
}

// GridCount is the number of marks of one category whose centre lies in
// one grid cell; Size is the cell's side in pixels.
type GridCount struct {
	Col, Row, Size int64
	CategoryID     int64
	Count          int64
}

// GridCollection encodes counts as a FeatureCollection of square cells, so
// a viewer draws a zoomed-out slide as a heat map with the GeoJSON it has.
func GridCollection(cells []GridCount, cellPx int64) []byte {
	b := make([]byte, 0, 64+len(cells)*160)
	b = append(b, `{"type":"FeatureCollection","lod":"grid","cell":`...)
	b = strconv.AppendInt(b, cellPx, 10)
	b = append(b, `,"features":[`...)
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		x0, y0 := c.Col*c.Size*Scale, c.Row*c.Size*Scale
		x1, y1 := x0+c.Size*Scale, y0+c.Size*Scale
		g := Geometry{Kind: KindRectangle, Rings: [][]Pt{{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}}}}
		b = AppendGeometry(append(b, `{"type":"Feature","geometry":`...), g)
		b = append(b, `,"properties":{"shape":"cell","category_id":`...)
		b = strconv.AppendInt(b, c.CategoryID, 10)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, c.Count, 10)
		b = append(b, "}}"...)
	}
	return append(b, `],"truncated":false}`...)
}
