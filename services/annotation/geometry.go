package annotation

import "github.com/patholabel/patholabel/services/platform/geometry"

// A mark's shape lives in platform/geometry, shared with the export service
// that reads marks; these names keep the annotation service's code reading
// as it did.

type (
	Kind     = geometry.Kind
	Pt       = geometry.Pt
	Geometry = geometry.Geometry
	BBox     = geometry.BBox
	GeoJSON  = geometry.GeoJSON
	KeyRange = geometry.KeyRange
)

const (
	KindPoint     = geometry.KindPoint
	KindPolygon   = geometry.KindPolygon
	KindRectangle = geometry.KindRectangle
	KindEllipse   = geometry.KindEllipse
	KindPolyline  = geometry.KindPolyline
	KindFreehand  = geometry.KindFreehand

	Scale            = geometry.Scale
	MaxCoord         = geometry.MaxCoord
	MaxRadius        = geometry.MaxRadius
	CellSize         = geometry.CellSize
	Levels           = geometry.Levels
	CountCell        = geometry.CountCell
	CountFanout      = geometry.CountFanout
	EdgePairsPerEdge = geometry.EdgePairsPerEdge
)

func ParseKind(s string) (Kind, bool)            { return geometry.ParseKind(s) }
func ToUnits(px float64) int64                   { return geometry.ToUnits(px) }
func Pixels(v int64) float64                     { return geometry.Pixels(v) }
func FormatUnits(v int64) string                 { return geometry.FormatUnits(v) }
func PtOf(x, y float64) (Pt, error)              { return geometry.PtOf(x, y) }
func EncodeRings(g Geometry) []byte              { return geometry.EncodeRings(g) }
func CellKey(b BBox) int64                       { return geometry.CellKey(b) }
func LevelKeys(level int) (int64, int64)         { return geometry.LevelKeys(level) }
func CountCellOf(g Geometry) (col, row int64)    { return geometry.CountCellOf(g) }
func Inside(ring []Pt, p Pt) bool                { return geometry.Inside(ring, p) }
func AppendGeometry(b []byte, g Geometry) []byte { return geometry.AppendGeometry(b, g) }
func KeyRanges(b BBox, levels uint) []KeyRange   { return geometry.KeyRanges(b, levels) }
func ParseGeometry(j GeoJSON, shape string, radius *float64) (Geometry, error) {
	return geometry.ParseGeometry(j, shape, radius)
}
func DecodeGeometry(k Kind, box BBox, rings []byte) (Geometry, error) {
	return geometry.DecodeGeometry(k, box, rings)
}
