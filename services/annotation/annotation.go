// Package annotation stores marks (points and regions per category) on
// slides, with history, review and agreement. Each mark is its own record:
// no save ever rewrites another mark, and every change is kept.
//
// This file holds the domain types; geometry.go and validate.go the
// geometry rules, mysql/ stores marks, http/ serves them, redis/ announces
// committed changes.
package annotation

import (
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/review"
)

// Config bounds what one request may ask for.
type Config struct {
	MaxVertices int // per mark, over all its rings
	MaxFeatures int // per create, batch or import request
	MaxResults  int // marks one viewport query may return
}

// DefaultConfig is what an unset variable means: limits sized for a
// pathologist's brush strokes and a dense cell-counting viewport.
func DefaultConfig() Config {
	return Config{MaxVertices: 20_000, MaxFeatures: 50_000, MaxResults: 50_000}
}

// Validate names the first impossible setting by its variable
// (PATHOLABEL_ANNOTATION_MAX_*, read by cmd/annotation).
func (c Config) Validate() error {
	switch {
	case c.MaxVertices < 4:
		return config.Invalid("PATHOLABEL_ANNOTATION_MAX_VERTICES", c.MaxVertices, "at least 4")
	case c.MaxFeatures < 1:
		return config.Invalid("PATHOLABEL_ANNOTATION_MAX_FEATURES", c.MaxFeatures, "at least 1")
	case c.MaxResults < 100:
		return config.Invalid("PATHOLABEL_ANNOTATION_MAX_RESULTS", c.MaxResults, "at least 100")
	}
	return nil
}

// Review states of a mark (platform/review, shared with export).
const (
	ReviewPending  = review.Pending
	ReviewAccepted = review.Accepted
	ReviewRejected = review.Rejected
)

// ReviewCode is the stored number of a review state, -1 when unknown.
func ReviewCode(s string) int { return review.Code(s) }

// ReviewName is the review state stored as code.
func ReviewName(code int) string { return review.Name(code) }

// Mark is one annotation on a slide.
type Mark struct {
	ID         int64
	SlideID    int64
	CategoryID int64
	AuthorID   int64
	Geometry   Geometry
	Note       string
	Version    int64
	Review     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Draft is what a caller sends for a new or changed mark.
type Draft struct {
	CategoryID int64
	Geometry   Geometry
	Note       string
}

// Slide is what the service needs to know of a slide.
type Slide struct {
	ID        int64
	ProjectID int64
	Width     int64 // level-0 pixels
	Height    int64
	// Blind is the project's setting "annotators see only their own marks".
	Blind bool
}

// Filter selects marks on one slide. A zero BBox means the whole slide.
type Filter struct {
	SlideID    int64
	BBox       BBox
	CategoryID int64 // 0: any
	AuthorID   int64 // 0: anyone
	Limit      int
}

// Change is one committed write, announced as annotations.changed.
type Change struct {
	SlideID   int64
	ProjectID int64
	AuthorID  int64 // who made the change
	Kind      ChangeKind
	IDs       []int64
	At        time.Time
}

// ChangeKind is what a change did; the numbers are the proto enum's.
type ChangeKind int

// Change kinds.
const (
	ChangeCreated  ChangeKind = 1
	ChangeUpdated  ChangeKind = 2
	ChangeDeleted  ChangeKind = 3
	ChangeRestored ChangeKind = 4
	ChangeReviewed ChangeKind = 5
)

// EventStream is the Redis stream (after the installation's key prefix)
// that carries annotations.changed events.
const EventStream = "events:annotations.changed"

// Created is the answer of a create: the marks and their encoding, which a
// retry with the same Idempotency-Key gets back (Replayed, no new marks).
type Created struct {
	Marks    []Mark
	Body     []byte
	Replayed bool
	Changes  []Change
}

// Edit changes one mark that the caller last saw at Version.
type Edit struct {
	ID      int64
	Version int64
	Feature Feature
}

// Ref names one mark at the version the caller last saw.
type Ref struct {
	ID      int64
	Version int64
}

// Result is what a batch of edits and deletions did.
type Result struct {
	Updated []Mark
	Deleted []int64
	Changes []Change
}

// Event is one recorded change of a mark: who, when, what before and after
// (nil before a creation and after a deletion).
type Event struct {
	ID           int64
	SlideID      int64
	AnnotationID int64
	OwnerID      int64 // the mark's author
	ActorID      int64 // who made the change
	At           time.Time
	Action       ChangeKind
	Version      int64 // the mark's version after the change (deleted: the version removed)
	Before       *State
	After        *State
	Comment      string
}

// Annotator statuses on a slide (the original's labeled/unlabeled tabs).
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
)

// Progress is one annotator's status on a slide and their marks per category.
type Progress struct {
	UserID    int64           `json:"user_id"`
	Username  string          `json:"username"`
	Status    string          `json:"status"`
	UpdatedAt *time.Time      `json:"updated_at"`
	Counts    map[int64]int64 `json:"counts"` // category id → marks
	Total     int64           `json:"total"`
}

var changeNames = [...]string{"", "created", "updated", "deleted", "restored", "reviewed"}

func (k ChangeKind) String() string {
	if k > 0 && int(k) < len(changeNames) {
		return changeNames[k]
	}
	return "unknown"
}

// MarkAt is the mark an event's state describes.
func (e Event) MarkAt(s *State) Mark {
	return Mark{
		ID: e.AnnotationID, SlideID: e.SlideID, CategoryID: s.CategoryID, AuthorID: e.OwnerID,
		Geometry: s.Geometry, Note: s.Note, Version: e.Version, Review: s.Review, CreatedAt: e.At, UpdatedAt: e.At,
	}
}

// Feed tells a viewer, live, about committed changes on one slide: other
// readers' marks appear without a reload. Changes are hints to refetch
// (the client reads the marks through the usual, access-checked
// endpoints), so a change lost to a Redis hiccup costs only freshness.
type Feed interface {
	// Subscribe delivers the changes of slide on the channel until cancel
	// is called or the feed stops (then the channel is closed). A
	// subscriber too slow to take a change misses it.
	Subscribe(slide int64) (changes <-chan Change, cancel func())
}
