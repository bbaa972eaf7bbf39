package annotation

import (
	"context"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

// The annotation service's use cases as its handlers see them: http/
// depends on these interfaces only; mysql/ and redis/ implement them.
//
// Authorisation: the route's access rule is the gate. It reads the slide
// once, checks the caller's role in its project (Writers, Reviewers or
// any member) and hands the slide to the handler, which passes it on. The
// store checks only what needs the locked rows: whose marks the caller may
// change (CheckWrite against each mark's author, inside the transaction).

// Store keeps marks, their history and the annotators' progress, running
// each write in one transaction (mysql.Store).
type Store interface {
	// Slide reads what the service needs of a slide. Errors: not_found,
	// conflict (its size is not known yet).
	Slide(ctx context.Context, id int64) (Slide, error)
	// SlideOfMark is the slide a mark is on, deleted or not. Errors: not_found.
	SlideOfMark(ctx context.Context, id int64) (Slide, error)
	// ProjectSlides lists a project's slides whose size is known, by id:
	// those a project's agreement compares.
	ProjectSlides(ctx context.Context, project int64) ([]Slide, error)

	// Mark reads one live mark. Errors: not_found.
	Mark(ctx context.Context, id int64) (Mark, error)
	// Find lists marks; the bool is true when f.Limit cut the list.
	Find(ctx context.Context, f Filter) ([]Mark, bool, error)
	// Grid counts marks per cell of cell units, for zoomed-out views.
	Grid(ctx context.Context, f Filter, cell int64) ([]GridCount, error)

	// Create adds p's marks to sl, all or none; with an idempotency key a
	// retry gets the first answer back. Errors: invalid (names the
	// feature), conflict (key reused for another request), too_large.
	Create(ctx context.Context, p *access.Principal, sl Slide, drafts []Draft, key string) (*Created, error)
	// Apply edits and deletes marks of sl, all or none; a stale version
	// fails with a *ConflictError. Errors: not_found, forbidden (another
	// author's mark), invalid, conflict, too_large.
	Apply(ctx context.Context, p *access.Principal, sl Slide, edits []Edit, dels []Ref) (*Result, error)
	// Import resolves parsed items to sl's categories, skips the ones that
	// do not fit and creates the rest. Errors as Create.
	Import(ctx context.Context, p *access.Principal, sl Slide, items []Item, def int64) (*ImportReport, *Created, error)
	// Review records a decision on marks of sl. Errors: not_found, invalid.
	Review(ctx context.Context, p *access.Principal, sl Slide, ids []int64, decision, comment string) (*Result, error)

	// History lists recorded changes, newest first.
	History(ctx context.Context, f HistoryFilter) ([]Event, error)
	// RestoreMark puts one mark, on whichever slide, back to its state at
	// a time. Errors: not_found, forbidden.
	RestoreMark(ctx context.Context, p *access.Principal, id int64, at time.Time) (*Result, error)
	// RestoreAuthor puts every mark of author on sl back to its state at a
	// time. Errors: not_found, forbidden.
	RestoreAuthor(ctx context.Context, p *access.Principal, sl Slide, author int64, at time.Time) (*Result, error)

	// SetStatus sets p's own status on sl. Errors: invalid.
	SetStatus(ctx context.Context, p *access.Principal, sl Slide, status string) error
	// Progress is every annotator's status and counts on sl.
	Progress(ctx context.Context, sl Slide) ([]Progress, error)
}

// Publisher announces committed changes (redis.Publisher); it never fails
// a request: a lost announcement costs viewers only freshness.
type Publisher interface {
	Publish(ctx context.Context, changes []Change, requestID string)
}
