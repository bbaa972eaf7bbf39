package annotation

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Import formats.
const (
	FormatPatholabelling = "patholabelling"
	FormatQuPath         = "qupath"
	FormatASAP           = "asap"
)

// Item is one mark read from an import file, before its class is resolved
// to a category and its geometry checked against the slide.
type Item struct {
	Index    int    // position in the file, for the report
	Class    string // class name as the file has it; "" when none
	Note     string // the item's own name (QuPath's properties.name), kept as the mark's note
	Geometry Geometry
}

// Skip is an item that was not imported, and why.
type Skip struct {
	Index  int    `json:"item"`
	Reason string `json:"reason"`
}

// ParseImport reads a file of format into items; items the parser cannot
// turn into a geometry are skipped with the reason. The error is for a
// file that is not of the format at all.
func ParseImport(format string, b []byte) ([]Item, []Skip, error) {
	switch format {
	case FormatPatholabelling:
		return parsePatholabelling(b)
	case FormatQuPath:
		return parseQuPath(b)
	case FormatASAP:
		return parseASAP(b)
	}
	return nil, nil, fmt.Errorf("format must be %s, %s or %s", FormatPatholabelling, FormatQuPath, FormatASAP)
}

// parsePatholabelling reads the original tool's labels: a JSON list of
// {"x","y","style"} dots in level-0 pixels, the style a colour name.
func parsePatholabelling(b []byte) ([]Item, []Skip, error) {
	var dots []struct {
		X, Y  json.Number
		Style string
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&dots); err != nil {
		return nil, nil, fmt.Errorf("not a Patholabelling label list ([{\"x\",\"y\",\"style\"}]): %v", err)
	}
	var items []Item
	var skips []Skip
	for i, d := range dots {
		x, errX := strconv.ParseFloat(d.X.String(), 64)
		y, errY := strconv.ParseFloat(d.Y.String(), 64)
		p, err := PtOf(x, y)
		if errX != nil || errY != nil || err != nil {
			skips = append(skips, Skip{i, "x and y must be finite numbers"})
			continue
		}
		items = append(items, Item{Index: i, Class: d.Style, Geometry: Geometry{Kind: KindPoint, Rings: [][]Pt{{p}}}})
	}
	return items, skips, nil
}

type qupathFeature struct {
	Type       string   `json:"type"`
	Geometry   *GeoJSON `json:"geometry"`
	Properties struct {
		Name           string `json:"name"`
		Classification *struct {
			Name string `json:"name"`
		} `json:"classification"`
	} `json:"properties"`
}

// parseQuPath reads QuPath's GeoJSON export: one Feature, a
// FeatureCollection or a bare list of Features. Multi-geometries become
// one mark per part; the class is properties.classification.name.
func parseQuPath(b []byte) ([]Item, []Skip, error) {
	feats, err := qupathFeatures(b)
	if err != nil {
		return nil, nil, err
	}
	var items []Item
	var skips []Skip
	for i, f := range feats {
		class := ""
		if f.Properties.Classification != nil {
			class = f.Properties.Classification.Name
		}
		gs, err := qupathGeometries(f)
		n := len(items)
		items, skips = collect(items, skips, i, class, gs, err)
		for j := n; j < len(items); j++ {
			items[j].Note = noteOf(f.Properties.Name)
		}
	}
	return items, skips, nil
}

// noteOf keeps a name as a note, cut to MaxNote bytes on a rune boundary.
func noteOf(name string) string {
	if len(name) <= MaxNote {
		return name
	}
	cut := MaxNote
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}

// collect adds the marks read from item i, or why it was skipped.
func collect(items []Item, skips []Skip, i int, class string, gs []Geometry, err error) ([]Item, []Skip) {
	if err != nil {
		return items, append(skips, Skip{i, err.Error()})
	}
	for _, g := range gs {
		items = append(items, Item{Index: i, Class: class, Geometry: g})
	}
	return items, skips
}

func qupathFeatures(b []byte) ([]qupathFeature, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var fs []qupathFeature
		if err := json.Unmarshal(b, &fs); err != nil {
			return nil, fmt.Errorf("not a list of GeoJSON Features: %v", err)
		}
		return fs, nil
	}
	var top struct {
		qupathFeature
		Features []qupathFeature `json:"features"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("not GeoJSON: %v", err)
	}
	switch top.Type {
	case "FeatureCollection":
		return top.Features, nil
	case "Feature":
		return []qupathFeature{top.qupathFeature}, nil
	}
	return nil, fmt.Errorf("GeoJSON type %q is neither Feature nor FeatureCollection", top.Type)
}

var singleOf = map[string]string{"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}

func qupathGeometries(f qupathFeature) ([]Geometry, error) {
	if f.Type != "Feature" || f.Geometry == nil {
		return nil, fmt.Errorf("not a Feature with a geometry")
	}
	single, multi := singleOf[f.Geometry.Type]
	if !multi {
		g, err := ParseGeometry(*f.Geometry, "", nil)
		return []Geometry{g}, err
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(f.Geometry.Coordinates, &parts); err != nil {
		return nil, fmt.Errorf("%s coordinates are malformed", f.Geometry.Type)
	}
	out := make([]Geometry, 0, len(parts))
	for _, p := range parts {
		g, err := ParseGeometry(GeoJSON{Type: single, Coordinates: p}, "", nil)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

type asapDoc struct {
	Annotations []struct {
		Type        string `xml:"Type,attr"`
		PartOfGroup string `xml:"PartOfGroup,attr"`
		Coordinates []struct {
			Order int    `xml:"Order,attr"`
			X     string `xml:"X,attr"`
			Y     string `xml:"Y,attr"`
		} `xml:"Coordinates>Coordinate"`
	} `xml:"Annotations>Annotation"`
}

// parseASAP reads ASAP (CAMELYON) XML. Dots become points, PointSets one
// point per coordinate, Polygons and Rectangles closed polygons, Splines
// the closed curve ASAP draws through their points;
// the class is PartOfGroup ("None" means none).
func parseASAP(b []byte) ([]Item, []Skip, error) {
	var doc asapDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("not ASAP XML: %v", err)
	}
	var items []Item
	var skips []Skip
	for i, a := range doc.Annotations {
		class := a.PartOfGroup
		if class == "None" {
			class = ""
		}
		sort.SliceStable(a.Coordinates, func(x, y int) bool { return a.Coordinates[x].Order < a.Coordinates[y].Order })
		pts := make([]Pt, 0, len(a.Coordinates))
		var err error
		for _, c := range a.Coordinates {
			var p Pt
			if p, err = asapPt(c.X, c.Y); err != nil {
				break
			}
			pts = append(pts, p)
		}
		gs, gerr := asapGeometries(a.Type, pts)
		if err == nil {
			err = gerr
		}
		items, skips = collect(items, skips, i, class, gs, err)
	}
	return items, skips, nil
}

// asapPt parses ASAP's coordinates, which some locales write with a
// decimal comma.
func asapPt(xs, ys string) (Pt, error) {
	x, err1 := strconv.ParseFloat(strings.ReplaceAll(xs, ",", "."), 64)
	y, err2 := strconv.ParseFloat(strings.ReplaceAll(ys, ",", "."), 64)
	if err1 != nil || err2 != nil {
		return Pt{}, fmt.Errorf("coordinate (%q, %q) is not a number", xs, ys)
	}
	return PtOf(x, y)
}

func asapGeometries(typ string, pts []Pt) ([]Geometry, error) {
	switch typ {
	case "Dot", "PointSet":
		out := make([]Geometry, len(pts))
		for i, p := range pts {
			out[i] = Geometry{Kind: KindPoint, Rings: [][]Pt{{p}}}
		}
		return out, nil
	case "Polygon", "Spline", "Rectangle":
		if typ == "Spline" {
			pts = catmullRom(pts, splineSteps)
		}
		if len(pts) > 0 && pts[0] != pts[len(pts)-1] {
			pts = append(pts, pts[0])
		}
		k := KindPolygon
		if typ == "Rectangle" {
			k = KindRectangle
		}
		return []Geometry{{Kind: k, Rings: [][]Pt{pts}}}, nil
	}
	return nil, fmt.Errorf("ASAP annotation type %q is not supported (Dot, PointSet, Polygon, Spline, Rectangle)", typ)
}

// splineSteps is how many vertices each span of an ASAP Spline becomes:
// enough for a smooth outline at full resolution, far below the vertex cap.
const splineSteps = 8

// catmullRom returns the closed uniform Catmull-Rom curve through pts, the
// curve ASAP draws for a Spline; storing the control polygon instead cuts
// the corners the pathologist drew round.
func catmullRom(pts []Pt, steps int) []Pt {
	if n := len(pts); n > 1 && pts[0] == pts[n-1] {
		pts = pts[:n-1]
	}
	n := len(pts)
	if n < 3 {
		return pts
	}
	out := make([]Pt, 0, n*steps+1)
	for i := range n {
		p0, p1, p2, p3 := pts[(i+n-1)%n], pts[i], pts[(i+1)%n], pts[(i+2)%n]
		for s := range steps {
			t := float64(s) / float64(steps)
			out = append(out, Pt{X: spline(p0.X, p1.X, p2.X, p3.X, t), Y: spline(p0.Y, p1.Y, p2.Y, p3.Y, t)})
		}
	}
	return append(out, out[0])
}

// spline is one coordinate of the Catmull-Rom span from b to c at t.
func spline(a, b, c, d int64, t float64) int64 {
	fa, fb, fc, fd := float64(a), float64(b), float64(c), float64(d)
	v := 0.5 * (2*fb + (fc-fa)*t + (2*fa-5*fb+4*fc-fd)*t*t + (3*fb-fa-3*fc+fd)*t*t*t)
	return int64(math.Round(v))
}
