package annotation_test

import (
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
)

func pointAt(x, y float64, cat int64) annotation.Draft {
	p, _ := annotation.PtOf(x, y)
	return annotation.Draft{CategoryID: cat, Geometry: annotation.Geometry{Kind: annotation.KindPoint, Rings: [][]annotation.Pt{{p}}, Radius: 5000}}
}

// A new mark needs a live category its author may use; a mark keeps the
// category it has even once that is archived or unassigned.
func TestCategoryRules(t *testing.T) {
	sl := annotation.Slide{ID: 7, ProjectID: 1, Width: 1000, Height: 800}
	cats := map[int64]annotation.Category{
		1: {ID: 1, Name: "tumor"},
		2: {ID: 2, Name: "old", Archived: true},
		3: {ID: 3, Name: "mine", Assigned: map[int64]bool{5: true}},
	}
	for _, tc := range []struct {
		name        string
		cat, author int64
		kept        int64
		want        string // part of the error, "" for none
	}{
		{"live", 1, 6, 0, ""},
		{"missing", 9, 6, 0, "does not exist"},
		{"archived", 2, 6, 0, "archived"},
		{"archived but kept", 2, 6, 2, ""},
		{"assigned to the author", 3, 5, 0, ""},
		{"assigned to another", 3, 6, 0, "not assigned"},
		{"unassigned but kept", 3, 6, 3, ""},
	} {
		_, err := annotation.CheckDraft(pointAt(10, 10, tc.cat), sl, cats, tc.author, tc.kept, 100)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := annotation.CheckDefault(cats, 2, sl, 6); platform.ErrorCode(err) != platform.EINVALID {
		t.Errorf("archived default category: %v", err)
	}
	if err := annotation.CheckDefault(cats, 3, sl, 5); err != nil {
		t.Errorf("default category assigned to the importer: %v", err)
	}
	drafts := []annotation.Draft{pointAt(10, 10, 1), pointAt(20, 20, 2)}
	if err := annotation.CheckDrafts(drafts, sl, cats, 6, 100); err == nil || !strings.Contains(err.Error(), "feature 1") {
		t.Errorf("second draft archived: %v, want it named", err)
	}
}

func TestRequestRules(t *testing.T) {
	cfg := annotation.Config{MaxVertices: 4, MaxFeatures: 2, MaxResults: 100}
	if err := cfg.CheckCount(3, "features"); platform.ErrorCode(err) != platform.ETOOLARGE {
		t.Errorf("3 features over a limit of 2: %v", err)
	}
	if err := cfg.CheckCount(2, "features"); err != nil {
		t.Errorf("2 features at the limit: %v", err)
	}
	for _, tc := range []struct {
		ids      []int64
		decision string
		comment  string
		ok       bool
	}{
		{[]int64{1}, annotation.ReviewAccepted, "", true},
		{nil, annotation.ReviewAccepted, "", false},
		{[]int64{1}, "approved", "", false},
		{[]int64{1}, annotation.ReviewRejected, strings.Repeat("x", 1001), false},
	} {
		if err := annotation.CheckReviewRequest(tc.ids, tc.decision, tc.comment); (err == nil) != tc.ok {
			t.Errorf("review %v %q (%d bytes of comment): %v", tc.ids, tc.decision, len(tc.comment), err)
		}
	}
	if annotation.CheckStatus(annotation.StatusDone) != nil || annotation.CheckStatus("finished") == nil {
		t.Error("status names")
	}
}
