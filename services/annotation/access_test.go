package annotation_test

import (
	"testing"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

// principal is a user with one role in project 1 ("" for none).
func principal(id int64, role string) *access.Principal {
	p := &access.Principal{UserID: id, Projects: map[int64]string{}}
	if role != "" {
		p.Projects[1] = role
	}
	return p
}

// The rules the routes' access rules and the store apply: who may draw,
// change another's marks and review. The endpoint-by-role test in
// cmd/annotation checks that each route applies the right one.
func TestWriteAndReviewRules(t *testing.T) {
	sl := annotation.Slide{ID: 7, ProjectID: 1}
	admin := &access.Principal{UserID: 9, SystemRole: access.RoleAdmin}
	for _, tc := range []struct {
		name                string
		p                   *access.Principal
		own, others, review string // want error codes, "" allowed
	}{
		{"admin", admin, "", "", ""},
		{"manager", principal(2, access.ProjectManager), "", "", ""},
		{"reviewer", principal(2, access.ProjectReviewer), "", "", ""},
		{"annotator", principal(2, access.ProjectAnnotator), "", platform.EFORBIDDEN, platform.EFORBIDDEN},
		{"viewer", principal(2, access.ProjectViewer), platform.EFORBIDDEN, platform.EFORBIDDEN, platform.EFORBIDDEN},
		{"outsider", principal(2, ""), platform.ENOTFOUND, platform.ENOTFOUND, platform.ENOTFOUND},
	} {
		if got := platform.ErrorCode(annotation.CheckWrite(tc.p, sl, tc.p.UserID)); got != tc.own {
			t.Errorf("%s writes own marks: %q, want %q", tc.name, got, tc.own)
		}
		if got := platform.ErrorCode(annotation.CheckWrite(tc.p, sl, 3)); got != tc.others {
			t.Errorf("%s writes another's marks: %q, want %q", tc.name, got, tc.others)
		}
		if got := platform.ErrorCode(annotation.CheckReview(tc.p, sl)); got != tc.review {
			t.Errorf("%s reviews: %q, want %q", tc.name, got, tc.review)
		}
	}
}

// A blinded annotator sees only their own marks; reviewers see everyone's.
func TestOnlyAuthor(t *testing.T) {
	blind := annotation.Slide{ID: 7, ProjectID: 1, Blind: true}
	ann, rev := principal(2, access.ProjectAnnotator), principal(4, access.ProjectReviewer)
	if got := annotation.OnlyAuthor(ann, blind); got != 2 {
		t.Errorf("blinded annotator sees %d's marks, want only their own (2)", got)
	}
	if got := annotation.OnlyAuthor(rev, blind); got != 0 {
		t.Errorf("reviewer on a blinded project narrowed to %d", got)
	}
	if got := annotation.OnlyAuthor(ann, annotation.Slide{ID: 7, ProjectID: 1}); got != 0 {
		t.Errorf("annotator on an open project narrowed to %d", got)
	}
	if err := annotation.CheckSee(ann, blind, annotation.Mark{ID: 5, AuthorID: 3}); platform.ErrorCode(err) != platform.ENOTFOUND {
		t.Errorf("blinded annotator sees another's mark: %v", err)
	}
}
