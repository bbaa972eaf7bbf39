package annotation

import (
	"fmt"

	"github.com/patholabel/patholabel/services/platform"
)

// The rules a mark must keep: a live category its author may use, a
// geometry on the slide, a request within the limits. The store applies
// them inside its transactions (it loads the categories and the current
// marks), but they are decided here, so a new rule ("no marks on archived
// slides") has one obvious home.

// Category is what validation and import need of a project's category.
type Category struct {
	ID       int64
	Name     string
	Color    string // #rrggbb
	Archived bool
	Assigned map[int64]bool // users who may use it; nil: everyone
}

// UsableBy reports whether user may give new marks this category: it is
// not archived and is assigned to everyone or to user.
func (c Category) UsableBy(user int64) bool {
	return !c.Archived && (c.Assigned == nil || c.Assigned[user])
}

// CheckDraft checks one mark of author and answers it cut to the slide
// (a stroke that runs off the edge is kept, not refused); kept is the
// category the mark already has, which stays allowed after it is archived
// or unassigned (0 for a new mark).
func CheckDraft(d Draft, sl Slide, cats map[int64]Category, author, kept int64, maxVertices int) (Draft, error) {
	c, ok := cats[d.CategoryID]
	switch {
	case !ok:
		return d, fmt.Errorf("category %d does not exist in project %d", d.CategoryID, sl.ProjectID)
	case d.CategoryID == kept:
	case c.Archived:
		return d, fmt.Errorf("category %d (%s) is archived", d.CategoryID, c.Name)
	case c.Assigned != nil && !c.Assigned[author]:
		return d, fmt.Errorf("category %d (%s) is not assigned to the mark's author", d.CategoryID, c.Name)
	}
	d.Geometry = d.Geometry.Clip(sl.Width, sl.Height)
	return d, d.Geometry.Validate(sl.Width, sl.Height, maxVertices)
}

// CheckDrafts checks the drafts of new marks by author, cutting them to
// the slide in place; the first bad one fails the whole request, named by
// its index. Errors: invalid.
func CheckDrafts(drafts []Draft, sl Slide, cats map[int64]Category, author int64, maxVertices int) error {
	for i, d := range drafts {
		clipped, err := CheckDraft(d, sl, cats, author, 0, maxVertices)
		if err != nil {
			return platform.Errorf(platform.EINVALID, "feature %d: %v", i, err)
		}
		drafts[i] = clipped
	}
	return nil
}

// CheckDefault checks the category an import gives unclassified marks
// (0: none). Errors: invalid.
func CheckDefault(cats map[int64]Category, def int64, sl Slide, author int64) error {
	if c, ok := cats[def]; def != 0 && (!ok || !c.UsableBy(author)) {
		return platform.Errorf(platform.EINVALID, "category_id %d is not a live category of project %d that you may use", def, sl.ProjectID)
	}
	return nil
}

// CheckCount bounds the marks one request creates or changes
// (what: "features", "changes"). Errors: too_large.
func (c Config) CheckCount(n int, what string) error {
	if n > c.MaxFeatures {
		return platform.Errorf(platform.ETOOLARGE, "%d %s in one request, more than the limit of %d", n, what, c.MaxFeatures)
	}
	return nil
}

// CheckReviewRequest checks a review decision before any mark is read.
// Errors: invalid.
func CheckReviewRequest(ids []int64, decision, comment string) error {
	switch {
	case len(ids) == 0:
		return platform.Errorf(platform.EINVALID, "field \"ids\" must name at least one annotation")
	case ReviewCode(decision) < 0:
		return platform.Errorf(platform.EINVALID, "field \"decision\" must be accepted, rejected or pending")
	case len(comment) > 1000:
		return platform.Errorf(platform.EINVALID, "field \"comment\" is longer than 1000 bytes")
	}
	return nil
}

// CheckStatus checks an annotator status name. Errors: invalid.
func CheckStatus(status string) error {
	if status != StatusNotStarted && status != StatusInProgress && status != StatusDone {
		return platform.Errorf(platform.EINVALID, "field \"status\" must be not_started, in_progress or done")
	}
	return nil
}
