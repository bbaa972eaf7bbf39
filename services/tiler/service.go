package tiler

import (
	"context"
	"io"
)

// The tiler's use cases as its handlers see them: http/ depends on these
// interfaces only; mysql/, minio/, cache/ and worker/ implement them.

// Store records slides, uploads and overlays (mysql.Store).
type Store interface {
	// CreateSlide records an uploaded slide and queues its ingest.
	CreateSlide(ctx context.Context, sl *Slide) error
	// Slide reads one slide fresh, past the caches. Errors: not_found.
	Slide(ctx context.Context, id int64) (*Slide, error)
	// Slides pages through slides; the int is the total that match.
	Slides(ctx context.Context, f SlideFilter) ([]*Slide, int, error)
	// RetrySlide queues a failed slide's ingest again. Errors: not_found, conflict.
	RetrySlide(ctx context.Context, id int64) (*Slide, error)
	// AllowsAssociatedImages reports whether a project shows slide labels and macros.
	AllowsAssociatedImages(ctx context.Context, project int64) (bool, error)
	CreateUpload(ctx context.Context, u *Upload) error
	Upload(ctx context.Context, id string) (*Upload, error)
	// CompleteUpload closes an upload as the slide sl and queues its ingest.
	CompleteUpload(ctx context.Context, id string, sl *Slide) error
	AbortUpload(ctx context.Context, id string) error
	// CreateOverlay records an uploaded overlay and queues its ingest.
	CreateOverlay(ctx context.Context, o *Overlay) error
	Overlays(ctx context.Context, slide int64) ([]*Overlay, error)
}

// Objects are the slides bucket's files (minio.Store).
type Objects interface {
	// PutStream stores r at key, at most maxBytes (too_large past it),
	// and returns its size and SHA-256.
	PutStream(ctx context.Context, key string, r io.Reader, maxBytes int64) (n int64, sum string, err error)
	Get(ctx context.Context, key string) ([]byte, error)
	Remove(ctx context.Context, key string) error
	StartMultipart(ctx context.Context, key string) (string, error)
	PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error)
	Parts(ctx context.Context, key, uploadID string) ([]Part, error)
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	AbortMultipart(ctx context.Context, key, uploadID string) error
}

// Part is one received part of a multipart upload.
type Part struct {
	Number int    `json:"number"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
}

// Tiles serves slides, overlays and their tiles through the caches (cache.Tiles).
type Tiles interface {
	Slide(ctx context.Context, id int64) (*Slide, error)
	Overlay(ctx context.Context, id int64) (*Overlay, error)
	// Tile reads a tile of a ready pyramid; when ifNoneMatch is already
	// its ETag, it reads nothing and returns the tag alone (Data nil).
	Tile(ctx context.Context, p PyramidRef, level, col, row int, ifNoneMatch string) (Tile, error)
	Thumbnail(ctx context.Context, sl *Slide) (Tile, error)
	// SourceTile renders a tile of a slide whose pyramid is being built
	// from its source, on the pyramid's grid (Slide.FromSource).
	SourceTile(ctx context.Context, sl *Slide, level, col, row int) (Tile, error)
}

// SourceCopies keeps an upload's bytes on this replica's disk as they
// arrive, so its tiles are served from the source moments after the upload
// ends (cache.Sources).
type SourceCopies interface {
	// TempPath names a new local file to receive an upload into.
	TempPath() (string, error)
	// Probe reads the received file's header; false when it is not a
	// source readable in part within the limits (it then waits for its
	// pyramid, and the ingest job gives the reason if it fails).
	Probe(path string) (Metadata, bool)
	// Keep adopts the received file as slide id's source copy.
	Keep(id int64, path string) error
}

// Tile is a tile's bytes and its entity tag.
type Tile struct {
	Data []byte
	ETag string
}

// Waker tells idle ingest workers of any replica that a job is due
// (worker.Waker). Losing a wake-up is harmless: workers also scan.
type Waker interface {
	Wake(ctx context.Context, kind string, id, project int64, requestID string) error
}
