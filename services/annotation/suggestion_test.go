package annotation_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
)

func TestMarginOf(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores map[int64]float64
		best   int64
		margin float64
	}{
		{"softmax", map[int64]float64{1: 0.7, 2: 0.2, 3: 0.1}, 1, 0.5},
		{"tie goes to the smaller id", map[int64]float64{4: 0.5, 2: 0.5}, 2, 0},
		{"lone detector score against none", map[int64]float64{3: 0.5}, 3, 0},
		{"confident detector", map[int64]float64{3: 0.9}, 3, 0.8},
		{"weak detector: none wins", map[int64]float64{3: 0.1}, 3, 0.8},
		{"multi-label sums above 1", map[int64]float64{1: 0.9, 2: 0.8}, 1, 0.1},
	} {
		best, margin := annotation.MarginOf(tc.scores)
		if best != tc.best || math.Abs(margin-tc.margin) > 1e-9 {
			t.Errorf("%s: best %d margin %v, want %d %v", tc.name, best, margin, tc.best, tc.margin)
		}
	}
}

func TestSuggestionFeatureDraft(t *testing.T) {
	for _, tc := range []struct {
		name, feature, err string
		category           int64
	}{
		{"best score's category", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"scores":{"3":0.2,"5":0.8}}}`, "", 5},
		{"named category", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"category_id":3,"scores":{"3":0.2,"5":0.8}}}`, "", 3},
		{"no scores", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}`, "properties.scores must hold", 0},
		{"negative", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"scores":{"3":-0.1}}}`, `properties.scores["3"] must be a probability`, 0},
		{"string score", `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"scores":{"3":"high"}}}`, `properties.scores["3"] must be a probability`, 0},
		{"not a feature", `{"type":"Point","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"scores":{"3":1}}}`, `type must be "Feature"`, 0},
	} {
		var f annotation.SuggestionFeature
		if err := json.Unmarshal([]byte(tc.feature), &f); err != nil {
			t.Fatal(err)
		}
		d, err := f.Draft()
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case tc.err == "" && d.CategoryID != tc.category:
			t.Errorf("%s: category %d, want %d", tc.name, d.CategoryID, tc.category)
		}
	}
}

func TestParseModelRef(t *testing.T) {
	m, err := annotation.ParseModelRef("model:patho@fusion@v3")
	if err != nil || m.Name != "patho@fusion" || m.Version != "v3" {
		t.Fatalf("got %+v %v", m, err)
	}
	for _, bad := range []string{"model:nover", "model:@v1", "model:x@"} {
		if _, err := annotation.ParseModelRef(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
