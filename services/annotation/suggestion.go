package annotation

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// Suggestions are a model's predicted marks, posted by an ML team and
// decided by a person: accepted (a real mark is made, linked back to the
// suggestion for provenance) or rejected. They are kept apart from marks,
// so nothing reads them as marks until a person says so.

// Suggestion states.
const (
	SuggestionUndecided = "undecided"
	SuggestionAccepted  = "accepted"
	SuggestionRejected  = "rejected"
)

var suggestionStates = [...]string{SuggestionUndecided, SuggestionAccepted, SuggestionRejected}

// SuggestionStateCode is the stored number of a state, -1 when unknown.
func SuggestionStateCode(s string) int {
	for i, n := range suggestionStates {
		if n == s {
			return i
		}
	}
	return -1
}

// SuggestionStateName is the state stored as code.
func SuggestionStateName(code int) string {
	if code >= 0 && code < len(suggestionStates) {
		return suggestionStates[code]
	}
	return "unknown"
}

// Next orderings of undecided suggestions.
const (
	ByUncertainty  = "uncertainty"  // smallest margin between the two best scores first
	ByDisagreement = "disagreement" // as uncertainty, among those a mark of another category overlaps
)

// Model names a model version, as ML teams tag their runs.
type Model struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func (m Model) String() string { return m.Name + "@" + m.Version }

// Validate bounds the names to what is stored.
func (m Model) Validate() error {
	switch {
	case m.Name == "" || len(m.Name) > 128:
		return fmt.Errorf("model.name must be 1 to 128 characters")
	case m.Version == "" || len(m.Version) > 64:
		return fmt.Errorf("model.version must be 1 to 64 characters")
	}
	return nil
}

// ParseModelRef reads "model:<name>@<version>" (the agreement endpoint's
// a and b) or "<name>@<version>"; the version is after the last @.
func ParseModelRef(s string) (Model, error) {
	s = strings.TrimPrefix(s, "model:")
	i := strings.LastIndexByte(s, '@')
	if i < 0 {
		return Model{}, fmt.Errorf("a model is named <name>@<version>, not %q", s)
	}
	m := Model{Name: s[:i], Version: s[i+1:]}
	return m, m.Validate()
}

// Suggestion is one predicted mark.
type Suggestion struct {
	ID         int64
	SlideID    int64
	ProjectID  int64
	Model      Model
	CategoryID int64             // the suggested category
	Scores     map[int64]float64 // category id → probability
	Score      float64           // of the suggested category
	Margin     float64           // best minus second best score
	Geometry   Geometry
	PostedBy   int64
	CreatedAt  time.Time
	State      string
	Decision   *Decision // nil while undecided
}

// Decision records who decided a suggestion and when; MarkID is the mark
// an accept made (0 for a reject), Edited an accept with another category
// or shape than suggested.
type Decision struct {
	By     int64
	At     time.Time
	MarkID int64
	Edited bool
}

// SuggestionDraft is one suggestion as posted, before it is checked
// against the slide and the project's categories.
type SuggestionDraft struct {
	CategoryID int64
	Scores     map[int64]float64
	Geometry   Geometry
}

// SuggestionFilter selects suggestions of one slide; zero fields select all.
type SuggestionFilter struct {
	SlideID int64
	State   string
	Model   Model
	BBox    BBox
	Limit   int
}

// SuggestionProgress counts a slide's or project's suggestions by state:
// "Reviewed of Total reviewed".
type SuggestionProgress struct {
	Total     int64 `json:"total"`
	Reviewed  int64 `json:"reviewed"`
	Undecided int64 `json:"undecided"`
	Accepted  int64 `json:"accepted"`
	Rejected  int64 `json:"rejected"`
}

// ProjectProgress is a project's SuggestionProgress with each slide's, by
// slide id; only slides with suggestions (of the model asked for) are
// listed.
type ProjectProgress struct {
	SuggestionProgress
	Slides []SlideProgress `json:"slides"`
	// Models are the versions ("name@version") that posted suggestions to
	// the project, whichever was asked for: the choices of a comparison.
	Models []string `json:"models"`
}

// SlideProgress is one slide's part of a ProjectProgress.
type SlideProgress struct {
	SlideID int64 `json:"slide_id"`
	SuggestionProgress
}

// Add counts n suggestions in state.
func (pr *SuggestionProgress) Add(state string, n int64) {
	switch state {
	case SuggestionUndecided:
		pr.Undecided += n
	case SuggestionAccepted:
		pr.Accepted += n
	case SuggestionRejected:
		pr.Rejected += n
	}
	pr.Reviewed = pr.Accepted + pr.Rejected
	pr.Total = pr.Reviewed + pr.Undecided
}

// AcceptEdit is an accept with changes: another category, another shape
// (each zero or nil to keep the suggested one).
type AcceptEdit struct {
	CategoryID int64
	Geometry   *Geometry
}

// Changes reports whether accepting sg as d (the mark e makes, checked
// and cut to the slide) is an edit: another category, or a shape given
// that is not the suggested one. Sending the suggested shape back
// unchanged is no edit.
func (e AcceptEdit) Changes(sg Suggestion, d Draft) bool {
	return d.CategoryID != sg.CategoryID || (e.Geometry != nil && !sameGeometry(d.Geometry, sg.Geometry))
}

func sameGeometry(a, b Geometry) bool {
	return a.Kind == b.Kind && a.Radius == b.Radius &&
		slices.EqualFunc(a.Rings, b.Rings, func(r, q []Pt) bool { return slices.Equal(r, q) })
}

// Accepted is what an accept did.
type Accepted struct {
	Mark       Mark
	Suggestion Suggestion
	Changes    []Change
}

// Suggestions is the use case of a model in the loop.
// ModelMarks reads a model version's work as marks, for the agreement
// endpoint's model:<name>@<version> and accepted:<name>@<version> parties.
type ModelMarks interface {
	// ModelMarks are the version's suggestions on f's slide as marks;
	// AcceptedMarks the marks people made by accepting them. Both are
	// truncated at f.Limit (the bool).
	ModelMarks(ctx context.Context, f Filter, m Model) ([]Mark, bool, error)
	AcceptedMarks(ctx context.Context, f Filter, m Model) ([]Mark, bool, error)
}

type Suggestions interface {
	// Slide and SlideOfSuggestion find the project a request is about.
	// Errors: not_found.
	Slide(ctx context.Context, id int64) (Slide, error)
	SlideOfSuggestion(ctx context.Context, id int64) (Slide, error)
	// PostSuggestions stores a model's suggestions for sl, all or none,
	// and answers their ids in order. The route's rule has let p post
	// (SuggestionPosters). Errors: invalid (names the feature), too_large.
	PostSuggestions(ctx context.Context, p *access.Principal, sl Slide, m Model, drafts []SuggestionDraft) ([]int64, error)
	// FindSuggestions lists suggestions, truncated at f.Limit (the bool).
	FindSuggestions(ctx context.Context, f SuggestionFilter) ([]Suggestion, bool, error)
	// Suggestion reads one. Errors: not_found.
	Suggestion(ctx context.Context, id int64) (Suggestion, error)
	// AcceptSuggestion makes suggestion id of sl a mark of the caller's
	// and records the decision, in one transaction; RejectSuggestion
	// records a reject. The route's rule has let p decide on sl (Writers:
	// whoever may draw marks of their own). Errors: not_found (no such
	// suggestion on sl), invalid (edited category or shape), conflict
	// (already decided).
	AcceptSuggestion(ctx context.Context, p *access.Principal, sl Slide, id int64, edit AcceptEdit) (*Accepted, error)
	RejectSuggestion(ctx context.Context, p *access.Principal, sl Slide, id int64) (Suggestion, error)
	// NextSuggestion is the undecided suggestion of slide that comes
	// after the one named by after (0: the first) in the order by.
	// Errors: not_found when none is left.
	NextSuggestion(ctx context.Context, slideID int64, by string, after int64) (Suggestion, error)
	// SuggestionProgress counts a slide's suggestions by state;
	// ProjectSuggestionProgress a project's, and each slide's. A model
	// with a name counts only that version's suggestions.
	SuggestionProgress(ctx context.Context, slideID int64, m Model) (SuggestionProgress, error)
	ProjectSuggestionProgress(ctx context.Context, projectID int64, m Model) (ProjectProgress, error)
	// Categories are a project's categories (to resolve imported classes).
	Categories(ctx context.Context, project int64) (map[int64]Category, error)
}

// Roles that may post suggestions: managers and the model role, whose
// tokens can do nothing else that writes.
var SuggestionPosters = []string{access.ProjectManager, access.ProjectModel}

// MarginOf is the suggested category (the best score's, ties to the
// smaller id) and the margin between the two best scores. A "none of
// these" class takes what the scores leave of 1, so a detector's lone
// 0.5 is as uncertain as a 0.5/0.5 split between two classes.
func MarginOf(scores map[int64]float64) (best int64, margin float64) {
	ps := make([]float64, 0, len(scores)+1)
	sum := 0.0
	for id, p := range scores {
		if best == 0 || p > scores[best] || (p == scores[best] && id < best) {
			best = id
		}
		ps = append(ps, p)
		sum += p
	}
	ps = append(ps, max(0, 1-sum))
	sort.Sort(sort.Reverse(sort.Float64Slice(ps)))
	return best, ps[0] - ps[1]
}

// SuggestionFeature is a GeoJSON Feature of a posted suggestion.
type SuggestionFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id,omitempty"`   // accepted and ignored, as exporters add one
	BBox       json.RawMessage `json:"bbox,omitempty"` // likewise
	Geometry   *GeoJSON        `json:"geometry"`
	Properties struct {
		CategoryID *int64                     `json:"category_id"`
		Scores     map[string]json.RawMessage `json:"scores"`
		Radius     *float64                   `json:"radius,omitempty"`
		Shape      string                     `json:"shape,omitempty"`
	} `json:"properties"`
}

// Draft reads one posted suggestion: geometry and scores are required,
// each score a probability keyed by a category id; the category defaults
// to the best score's.
func (f SuggestionFeature) Draft() (SuggestionDraft, error) {
	d := SuggestionDraft{Scores: map[int64]float64{}}
	if f.Type != "Feature" {
		return d, fmt.Errorf("type must be \"Feature\", not %q", f.Type)
	}
	if f.Geometry == nil {
		return d, fmt.Errorf("geometry is required")
	}
	if len(f.Properties.Scores) == 0 {
		return d, fmt.Errorf("properties.scores must hold at least one {\"<category id>\": probability}")
	}
	for k, raw := range f.Properties.Scores {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id <= 0 {
			return d, fmt.Errorf("properties.scores: key %q is not a category id", k)
		}
		var p float64
		if err := json.Unmarshal(raw, &p); err != nil || math.IsNaN(p) || p < 0 || p > 1 {
			return d, fmt.Errorf("properties.scores[%q] must be a probability from 0 to 1, not %s", k, raw)
		}
		d.Scores[id] = p
	}
	d.CategoryID, _ = MarginOf(d.Scores)
	if c := f.Properties.CategoryID; c != nil {
		if *c <= 0 {
			return d, fmt.Errorf("properties.category_id must be a category id")
		}
		d.CategoryID = *c
	}
	g, err := ParseGeometry(*f.Geometry, f.Properties.Shape, f.Properties.Radius)
	if err != nil {
		return d, fmt.Errorf("geometry: %v", err)
	}
	d.Geometry = g
	return d, nil
}

// CheckSuggestion checks a draft against the slide and the project's
// categories and answers it cut to the slide. Unlike a mark it ignores
// category assignments: those bind the people who decide, not the model.
func CheckSuggestion(d SuggestionDraft, sl Slide, cats map[int64]Category, maxVertices int) (SuggestionDraft, error) {
	ids := make([]int64, 0, len(d.Scores)+1)
	for id := range d.Scores {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range append([]int64{d.CategoryID}, ids...) {
		c, ok := cats[id]
		switch {
		case !ok:
			return d, fmt.Errorf("category %d does not exist in project %d", id, sl.ProjectID)
		case c.Archived:
			return d, fmt.Errorf("category %d (%s) is archived", id, c.Name)
		}
	}
	d.Geometry = d.Geometry.Clip(sl.Width, sl.Height)
	return d, d.Geometry.Validate(sl.Width, sl.Height, maxVertices)
}
