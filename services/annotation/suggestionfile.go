package annotation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Suggestion file formats (the import endpoint's and the pull tool's
// format): GeoJSON as posted, or QuPath's GeoJSON export.
const FormatGeoJSON = "geojson"

// SuggestionFile reads a file of suggestions, all or nothing: any feature
// that cannot be one fails the file with its index and line. geojson
// features are as posted (properties.scores, properties.category_id).
// qupath features name their class in properties.classification.name (a
// category's name or colour, any case; def for features without one, 0:
// unclassified features are an error); their probabilities come from
// properties.measurements (QuPathScores), else the class scores 1.
// Multi-geometries become one suggestion per part. Both accept a
// FeatureCollection, a bare list of Features or one Feature. Each
// suggestion is checked against the slide and categories
// (CheckSuggestion), so a bad one is named by its feature here.
func SuggestionFile(format string, b []byte, sl Slide, cats map[int64]Category, def int64, maxVertices int) ([]SuggestionDraft, error) {
	if format != FormatGeoJSON && format != FormatQuPath {
		return nil, fmt.Errorf("format must be %s or %s", FormatGeoJSON, FormatQuPath)
	}
	feats, err := splitFeatures(b)
	if err != nil {
		return nil, err
	}
	keys := categoryKeys(cats)
	var out []SuggestionDraft
	for i, f := range feats {
		var ds []SuggestionDraft
		if format == FormatGeoJSON {
			ds, err = geojsonSuggestion(f.raw)
		} else {
			ds, err = qupathSuggestions(f.raw, keys, def)
		}
		for j := 0; err == nil && j < len(ds); j++ {
			ds[j], err = CheckSuggestion(ds[j], sl, cats, maxVertices)
		}
		if err != nil {
			return nil, fmt.Errorf("feature %d (line %d): %v", i, f.line, err)
		}
		out = append(out, ds...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the file holds no features")
	}
	return out, nil
}

// rawFeature is one feature's JSON and the line it starts on.
type rawFeature struct {
	raw  json.RawMessage
	line int
}

// splitFeatures finds the features of a FeatureCollection, a list or one
// Feature, each with its line; a syntax error names its line and column.
func splitFeatures(b []byte) ([]rawFeature, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a BOM, as Windows tools write
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(b, dec, err)
	}
	switch tok {
	case json.Delim('['):
		return featureList(b, dec)
	case json.Delim('{'):
	default:
		return nil, fmt.Errorf("not GeoJSON: the file starts with %v, not an object or a list", tok)
	}
	start := int(dec.InputOffset()) - 1
	var typ string
	var feats []rawFeature
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, jsonError(b, dec, err)
		}
		switch key {
		case "features":
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return nil, fmt.Errorf("line %d: \"features\" must be a list", lineAt(b, dec.InputOffset()))
			}
			if feats, err = featureList(b, dec); err != nil {
				return nil, err
			}
			continue
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, jsonError(b, dec, err)
			}
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, jsonError(b, dec, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(b, dec, err)
	}
	switch typ {
	case "FeatureCollection":
		return feats, nil
	case "Feature":
		return []rawFeature{{raw: b[start:dec.InputOffset()], line: lineAt(b, int64(start))}}, nil
	}
	return nil, fmt.Errorf("GeoJSON type %q is neither FeatureCollection nor Feature", typ)
}

// featureList reads the elements of a list whose '[' was just read.
func featureList(b []byte, dec *json.Decoder) ([]rawFeature, error) {
	var out []rawFeature
	for dec.More() {
		off := skipSpace(b, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(b, dec, err)
		}
		out = append(out, rawFeature{raw: raw, line: lineAt(b, off)})
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, jsonError(b, dec, err)
	}
	return out, nil
}

// skipSpace is the offset of the next value from off: past blanks and
// the comma between list elements.
func skipSpace(b []byte, off int64) int64 {
	for off < int64(len(b)) && strings.IndexByte(" \t\r\n,", b[off]) >= 0 {
		off++
	}
	return off
}

func lineAt(b []byte, off int64) int {
	return bytes.Count(b[:clamp(off, b)], []byte("\n")) + 1
}

// clamp keeps an offset within b.
func clamp(off int64, b []byte) int64 { return max(0, min(off, int64(len(b)))) }

// jsonError says where the JSON broke.
func jsonError(b []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// A Decoder's offsets count from the value it was reading; the
		// whole file's parse gives the place in the file.
		var v any
		if errors.As(json.Unmarshal(b, &v), &se) {
			off, err = se.Offset-1, se // Offset is just past the bad byte
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || (se != nil && strings.HasPrefix(se.Error(), "unexpected end")) {
		return fmt.Errorf("not GeoJSON: the file ends early (line %d)", lineAt(b, int64(len(b))))
	}
	line := lineAt(b, off)
	col := off - int64(bytes.LastIndexByte(b[:clamp(off, b)], '\n'))
	return fmt.Errorf("not GeoJSON: line %d, column %d: %v", line, col, err)
}

// geojsonSuggestion reads one posted-style feature.
func geojsonSuggestion(raw json.RawMessage) ([]SuggestionDraft, error) {
	var f SuggestionFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	d, err := f.Draft()
	return []SuggestionDraft{d}, err
}

type qupathSuggestion struct {
	qupathFeature
	Properties struct {
		Classification *struct {
			Name string `json:"name"`
		} `json:"classification"`
		Measurements json.RawMessage `json:"measurements"`
	} `json:"properties"`
}

// qupathSuggestions reads one QuPath feature.
func qupathSuggestions(raw json.RawMessage, keys map[string]int64, def int64) ([]SuggestionDraft, error) {
	var f qupathSuggestion
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	class := ""
	if c := f.Properties.Classification; c != nil {
		class = c.Name
	}
	cat, err := classCategory(class, def, keys)
	if err != nil {
		return nil, err
	}
	scores, err := QuPathScores(f.Properties.Measurements, cat, keys)
	if err != nil {
		return nil, err
	}
	gs, err := qupathGeometries(f.qupathFeature)
	if err != nil {
		return nil, fmt.Errorf("geometry: %v", err)
	}
	out := make([]SuggestionDraft, len(gs))
	for i, g := range gs {
		out[i] = SuggestionDraft{CategoryID: cat, Scores: scores, Geometry: g}
	}
	return out, nil
}

// QuPathScores reads a QuPath object's probabilities from its
// measurements (a list of {name, value}, or an object name → value, as
// QuPath writes either): "Probability" or "Class probability" is the
// score of the object's class cat; "Probability: <class>" or "<class>:
// Probability" (case aside) the score of another class, named as
// classifications are. Without any the class scores 1: QuPath's class
// was certain. Other measurements (areas, intensities) are ignored.
func QuPathScores(raw json.RawMessage, cat int64, keys map[string]int64) (map[int64]float64, error) {
	ms, err := measurements(raw)
	if err != nil {
		return nil, err
	}
	scores := map[int64]float64{}
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		class, ok := probabilityClass(name)
		if !ok {
			continue
		}
		id := cat
		if class != "" {
			if id, err = classCategory(class, 0, keys); err != nil {
				return nil, fmt.Errorf("measurement %q: %v", name, err)
			}
		}
		p := ms[name]
		if math.IsNaN(p) || p < 0 || p > 1 {
			return nil, fmt.Errorf("measurement %q must be a probability from 0 to 1, not %v", name, p)
		}
		scores[id] = p
	}
	if len(scores) == 0 {
		scores[cat] = 1
	}
	return scores, nil
}

// probabilityClass recognises a probability measurement and its class
// ("" for the object's own).
func probabilityClass(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case n == "probability" || n == "class probability":
		return "", true
	case strings.HasPrefix(n, "probability:"):
		return strings.TrimSpace(name[len("probability:"):]), true
	case strings.HasSuffix(n, ": probability"):
		return strings.TrimSpace(name[:len(name)-len(": probability")]), true
	}
	return "", false
}

func measurements(raw json.RawMessage) (map[string]float64, error) {
	out := map[string]float64{}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	if raw[0] == '[' {
		var list []struct {
			Name  string   `json:"name"`
			Value *float64 `json:"value"` // QuPath writes NaN as null
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("measurements must be a list of {name, value} or an object: %v", err)
		}
		for _, m := range list {
			if m.Value != nil {
				out[m.Name] = *m.Value
			}
		}
		return out, nil
	}
	var obj map[string]*float64
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("measurements must be a list of {name, value} or an object: %v", err)
	}
	for n, v := range obj {
		if v != nil {
			out[n] = *v
		}
	}
	return out, nil
}
