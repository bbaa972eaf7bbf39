// Package export turns a project's marks into training datasets in the object
// store: GeoJSON, CSV, COCO, patches, PathoFusion SQLite and masks.
//
// An export is a durable job (mysql/ keeps it, worker/ runs it). Its first
// attempt reads the marks in one consistent snapshot and stores that
// snapshot with the job, so a retried or re-run export writes the same
// bytes. This file holds the domain types; params.go the request,
// snapshot.go the snapshot, manifest.go the completion marker, and the
// format files (geojson.go, csv.go, coco.go, patches.go, masks.go) build
// each format from a snapshot.
package export

import (
	"encoding/json"
	"time"

	"github.com/patholabel/patholabel/services/platform/jobqueue"
)

// Job statuses.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusDone      = "done"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	// Retention (PATHOLABEL_EXPORT_RETENTION) removes the files of a
	// finished, unpinned export: expiring while it does, expired after.
	StatusExpiring = "expiring"
	StatusExpired  = "expired"
)

// Export is one export job as the API shows it.
type Export struct {
	ID             int64           `json:"id"`
	ProjectID      int64           `json:"project_id"`
	Name           string          `json:"name"`   // params.name, "" when unnamed
	Pinned         bool            `json:"pinned"` // never removed by retention
	CreatedBy      int64           `json:"created_by"`
	Status         string          `json:"status"`
	Params         Params          `json:"params"`
	Progress       int             `json:"progress"`
	Attempts       int             `json:"attempts"`
	Marks          int64           `json:"marks"`
	Files          int64           `json:"files"`
	Bytes          int64           `json:"bytes"`
	SnapshotSHA256 string          `json:"snapshot_sha256,omitempty"`
	Error          string          `json:"error,omitempty"`
	Bucket         string          `json:"bucket"`
	Prefix         string          `json:"prefix"`
	Manifest       json.RawMessage `json:"manifest,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	FinishedAt     *time.Time      `json:"finished_at"`
}

// Finished reports a status no worker will change again.
func (e *Export) Finished() bool {
	switch e.Status {
	case StatusDone, StatusFailed, StatusCancelled, StatusExpiring, StatusExpired:
		return true
	}
	return false
}

// Prefix is where an export's files live in the exports bucket.
func Prefix(project, id int64) string {
	return itoa(project) + "/" + itoa(id) + "/"
}

// Job is a claimed export: what a worker needs to run it.
type Job struct {
	jobqueue.Lease
	ProjectID int64
	Params    Params
	Snapshot  []byte // gzip of the canonical snapshot; nil until taken
	CreatedAt time.Time
}

// ListFilter selects a project's exports, newest first.
type ListFilter struct {
	ProjectID int64
	BeforeID  int64 // 0: from the newest
	Limit     int
}
