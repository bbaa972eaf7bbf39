package export

import (
	"context"
	"time"
)

// The export service's use cases as its handlers see them: http/ depends
// on these interfaces only; mysql/, minio/ and worker/ implement them.

// Exports records exports and their state (mysql.Store).
type Exports interface {
	// Create records a queued export of p asked for by user by.
	Create(ctx context.Context, p Params, by int64) (*Export, error)
	// Get returns an export without its manifest. Errors: not_found.
	Get(ctx context.Context, id int64) (*Export, error)
	// WithManifest adds a done export's manifest to e.
	WithManifest(ctx context.Context, e *Export) error
	// ProjectOf is the project an export belongs to, for access rules.
	ProjectOf(ctx context.Context, id int64) (int64, error)
	// List pages through a project's exports, newest first.
	List(ctx context.Context, f ListFilter) ([]*Export, error)
	// Cancel stops a queued or running export. Errors: not_found, conflict.
	Cancel(ctx context.Context, id int64) (*Export, error)
	// SetPinned pins (never removed by retention) or unpins an export.
	// Errors: not_found, conflict once retention removes it.
	SetPinned(ctx context.Context, id int64, pinned bool) (*Export, error)
}

// Files are the exports' stored files (minio.Store).
type Files interface {
	Bucket() string
	// PresignGet is a time-limited download link of one file of an export.
	PresignGet(ctx context.Context, prefix, path string, ttl time.Duration) (string, error)
	// Opener streams the files of the export under prefix, for WriteZip.
	Opener(prefix string) Opener
}

// Waker tells idle workers of any replica that an export is due (worker.Waker).
// Losing a wake-up is harmless: workers also scan for due jobs.
type Waker interface {
	Wake(ctx context.Context, e *Export, requestID string) error
}
