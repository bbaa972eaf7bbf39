package export

import (
	"bytes"
	"encoding/json"

	"github.com/patholabel/patholabel/services/platform/geometry"
)

// GeoJSON builds one QuPath-compatible FeatureCollection per slide that has
// marks: objectType "annotation", classification {name, color [r,g,b]},
// coordinates in level-0 pixels. Keys are written in a fixed order by hand
// so the bytes never depend on a map's order.
func GeoJSON(s *Snapshot) map[string][]byte {
	ix := s.index()
	out := map[string][]byte{}
	for _, sl := range s.Slides {
		marks := s.MarksOf(sl.ID)
		if len(marks) == 0 {
			continue
		}
		var b bytes.Buffer
		b.WriteString(`{"type":"FeatureCollection","features":[`)
		for i, m := range marks {
			if i > 0 {
				b.WriteByte(',')
			}
			writeFeature(&b, m, ix)
		}
		b.WriteString("]}\n")
		out["geojson/"+SlideStem(&sl)+".geojson"] = b.Bytes()
	}
	return out
}

func writeFeature(b *bytes.Buffer, m Mark, ix index) {
	c := ix.categories[m.CategoryID]
	name, color := CategoryLabel(c, m.CategoryID), [3]int{128, 128, 128}
	if c != nil {
		name, color = c.Name, rgb(c.Color)
	}
	b.WriteString(`{"type":"Feature","geometry":`)
	b.Write(geometry.AppendGeometry(nil, m.Geometry))
	b.WriteString(`,"properties":{"objectType":"annotation","classification":{"name":`)
	writeJSON(b, name)
	b.WriteString(`,"color":`)
	writeJSON(b, color)
	b.WriteString(`},"isLocked":false,"patholabel":{"id":`)
	writeJSON(b, m.ID)
	b.WriteString(`,"shape":`)
	writeJSON(b, m.Shape)
	if m.Geometry.Kind == geometry.KindPoint {
		b.WriteString(`,"radius":` + px(m.Radius))
	}
	b.WriteString(`,"author":`)
	writeJSON(b, ix.authors[m.AuthorID])
	b.WriteString(`,"review":`)
	writeJSON(b, m.Review)
	b.WriteString(`,"version":`)
	writeJSON(b, m.Version)
	if m.Source != nil {
		b.WriteString(`,"source":`)
		writeJSON(b, m.Source) // an accepted model suggestion; absent: drawn by hand
	}
	b.WriteString("}}}")
}

func writeJSON(b *bytes.Buffer, v any) {
	enc, _ := json.Marshal(v) // strings, numbers and arrays: cannot fail
	b.Write(enc)
}
