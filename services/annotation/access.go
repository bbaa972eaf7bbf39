package annotation

import (
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
)

// Who may do what. The routes' access rules are the gate: they check the
// caller's role in the slide's project (Writers, Reviewers, or any member,
// which is what CheckWrite for the caller's own marks, CheckReview and
// CheckRead decide). Only one check is left for the store, because it
// needs the locked rows: CheckWrite against each mark's author, so an
// annotator cannot change another's marks (see Store in service.go).

// Roles that may draw marks of their own.
var Writers = []string{access.ProjectAnnotator, access.ProjectReviewer, access.ProjectManager}

// Roles that may change anyone's marks and review them.
var Reviewers = []string{access.ProjectReviewer, access.ProjectManager}

// CheckRead allows any member of the slide's project.
func CheckRead(p *access.Principal, s Slide) error {
	if !p.CanRead(s.ProjectID) {
		return platform.Errorf(platform.ENOTFOUND, "no such slide %d", s.ID)
	}
	return nil
}

// OnlyAuthor answers whose marks p may see on s: 0 for everyone's, or
// p's own id on a blinded project (Slide.Blind) where p is neither a
// reviewer nor a manager (nor an admin). Every read of marks, counts,
// progress and history narrows to it, so a blinded annotator cannot see
// another reader's marks through any endpoint, not only in the viewer.
func OnlyAuthor(p *access.Principal, s Slide) int64 {
	if !s.Blind || p.Can(s.ProjectID, Reviewers...) {
		return 0
	}
	return p.UserID
}

// CheckSee answers not_found for a mark p may not see (another reader's on
// a blinded project), as for a mark that does not exist.
func CheckSee(p *access.Principal, s Slide, m Mark) error {
	if only := OnlyAuthor(p, s); only != 0 && m.AuthorID != only {
		return platform.Errorf(platform.ENOTFOUND, "no such annotation %d", m.ID)
	}
	return nil
}

// CheckWrite allows annotators on their own marks and reviewers and
// managers on anyone's; author is the mark's author (the caller for new
// marks).
func CheckWrite(p *access.Principal, s Slide, author int64) error {
	if err := CheckRead(p, s); err != nil {
		return err
	}
	switch {
	case p.Can(s.ProjectID, Reviewers...):
		return nil
	case !p.Can(s.ProjectID, Writers...):
		return platform.Errorf(platform.EFORBIDDEN, "your role in project %d cannot change marks", s.ProjectID)
	case author != p.UserID:
		return platform.Errorf(platform.EFORBIDDEN, "only reviewers and managers may change another annotator's marks")
	}
	return nil
}

// CheckReview allows reviewers, managers and admins.
func CheckReview(p *access.Principal, s Slide) error {
	if err := CheckRead(p, s); err != nil {
		return err
	}
	if !p.Can(s.ProjectID, Reviewers...) {
		return platform.Errorf(platform.EFORBIDDEN, "only reviewers and managers may review marks")
	}
	return nil
}

// ConflictError is a stale If-Match: the caller's version is not the
// current one. It carries the current marks, so the caller can merge.
type ConflictError struct {
	Current []Mark
	Missing []int64 // ids that no longer exist (deleted meanwhile)
}

func (e *ConflictError) Error() string { return e.Unwrap().Error() }

// Unwrap makes a ConflictError a conflict for platform.ErrorCode.
func (e *ConflictError) Unwrap() error {
	return platform.Errorf(platform.ECONFLICT, "the mark changed since you read it: %d stale, %d deleted; the current marks are attached", len(e.Current), len(e.Missing))
}

// OnlyOf keeps only author's entry of a slide's progress (all for 0).
func OnlyOf(ps []Progress, author int64) []Progress {
	if author == 0 {
		return ps
	}
	out := []Progress{}
	for _, p := range ps {
		if p.UserID == author {
			out = append(out, p)
		}
	}
	return out
}
