// Package tiler ingests slides, builds their Deep Zoom pyramids in the object store and
// serves tiles through a Redis cache.
// This file holds its domain types; mysql/, minio/, vips/, cache/, worker/ and http/
// implement them.
package tiler

import (
	"fmt"
	"time"

	"github.com/patholabel/patholabel/services/platform/jobqueue"
)

// Slide and overlay statuses. A slide is servable only when ready.
const (
	StatusQueued     = "queued"
	StatusProcessing = "processing"
	StatusReady      = "ready"
	StatusFailed     = "failed"
)

// Slide is one whole-slide image and, once ready, its pyramid.
type Slide struct {
	ID        int64  `json:"id"`
	ProjectID int64  `json:"project_id"`
	CaseID    string `json:"case_id"`
	Stain     string `json:"stain"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	// Viewable: tiles are served, from the pyramid or (queued or
	// processing) from the source while the pyramid is built.
	Viewable    bool     `json:"viewable"`
	Progress    int      `json:"progress"`
	Error       string   `json:"error"`
	Width       int64    `json:"width"`
	Height      int64    `json:"height"`
	Levels      int      `json:"levels"`
	MPPX        *float64 `json:"mpp_x"`
	MPPY        *float64 `json:"mpp_y"`
	Objective   *float64 `json:"objective"`
	Vendor      string   `json:"vendor"`
	Format      string   `json:"format"`
	Bytes       int64    `json:"bytes"`
	SHA256      string   `json:"sha256"`
	TileSize    int      `json:"tile_size"`
	TileOverlap int      `json:"tile_overlap"`
	TileFormat  string   `json:"tile_format"`
	SourceKey   string   `json:"-"`
	PyramidKey  string   `json:"-"`
	// SourceCopy is the upload's local copy between its probe and its row.
	SourceCopy string     `json:"-"`
	CreatedBy  *int64     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ReadyAt    *time.Time `json:"ready_at"`
}

// SlideFilter selects slides of one project; empty fields match all.
type SlideFilter struct {
	ProjectID int64
	Status    string
	Stain     string
	CaseID    string
	Offset    int
	Limit     int
}

// Metadata is what probing a source file tells about it.
type Metadata struct {
	Width     int64
	Height    int64
	MPPX      *float64
	MPPY      *float64
	Objective *float64
	Vendor    string // "aperio", "hamamatsu"; "" for plain images
	Format    string // the libvips loader ("openslideload", "pngload"…) or "dicom"
}

// Pixels is the pixel count, the figure the configured limit bounds.
func (m Metadata) Pixels() int64 { return m.Width * m.Height }

// Object names inside a pyramid prefix. The tiles live in one stored (not
// compressed) zip read with range requests; README.md explains why.
const (
	PyramidZip       = "tiles.zip"
	PyramidIndex     = "index.bin"
	PyramidThumbnail = "thumbnail.jpeg"
)

// AssociatedImages are the slide's label and macro images. They can show
// the patient's name, so they are stored and served only for projects whose
// settings hold SettingAssociatedImages: true; each lives at the pyramid
// prefix as <name>.jpeg.
var AssociatedImages = []string{"label", "macro"}

// SettingAssociatedImages is the key in projects.settings (JSON) that
// allows a project's label and macro images.
const SettingAssociatedImages = "store_associated_images"

// PyramidKey is where the pyramid of slide id lives in the slides bucket.
func PyramidKey(kind string, id int64) string { return fmt.Sprintf("pyramids/%s-%d/", kind, id) }

// SlideReadyStream is the Redis stream (after the installation's key
// prefix) of slide.ready events: a patholabel.v1.Envelope holding a
// SlideReady, sent once a slide's ingest committed.
const SlideReadyStream = "events:slide.ready"

// Job kinds.
const (
	KindSlide   = "slide"
	KindOverlay = "overlay"
)

// Job is a claimed ingest job: its lease, whose Target is the slide or
// overlay it builds, and its kind.
type Job struct {
	jobqueue.Lease
	Kind string
}

// Upload statuses.
const (
	UploadOpen      = "open"
	UploadCompleted = "completed"
	UploadAborted   = "aborted"
)

// Upload is a resumable upload: an S3 multipart upload whose parts the
// client sends one PUT at a time, retrying any that failed.
type Upload struct {
	ID         string    `json:"id"`
	ProjectID  int64     `json:"project_id"`
	CaseID     string    `json:"case_id"`
	Stain      string    `json:"stain"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	PartSize   int64     `json:"part_size"`
	Status     string    `json:"status"`
	SlideID    *int64    `json:"slide_id"`
	Key        string    `json:"-"`
	S3UploadID string    `json:"-"`
	CreatedBy  *int64    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// PartCount is how many parts make up the file.
func (u *Upload) PartCount() int { return int((u.Size + u.PartSize - 1) / u.PartSize) }

// PartLength is the exact size part n (1-based) must have.
func (u *Upload) PartLength(n int) int64 {
	if n < u.PartCount() {
		return u.PartSize
	}
	return u.Size - int64(u.PartCount()-1)*u.PartSize
}

// PartSizeFor picks a part size: at least 8 MiB (S3 needs 5), and large
// enough that no file needs more than S3's 10,000 parts.
func PartSizeFor(size int64) int64 {
	const mib = 1 << 20
	p := max(int64(8*mib), (size+9999)/10000)
	return (p + mib - 1) / mib * mib
}

// Overlay is a model output (heatmap, prediction) shown over a slide. Its
// image is scaled to the slide's full size, so overlay tiles line up with
// slide tiles one to one.
type Overlay struct {
	ID         int64     `json:"id"`
	SlideID    int64     `json:"slide_id"`
	Name       string    `json:"name"`
	Opacity    float64   `json:"opacity"`
	Status     string    `json:"status"`
	Progress   int       `json:"progress"`
	Error      string    `json:"error"`
	Width      int64     `json:"width"`
	Height     int64     `json:"height"`
	Levels     int       `json:"levels"`
	Bytes      int64     `json:"bytes"`
	SourceKey  string    `json:"-"`
	PyramidKey string    `json:"-"`
	CreatedBy  *int64    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Model is the model version the heatmap came from (the one whose
	// suggestions are reviewed on the slide); nil when none was named.
	Model *OverlayModel `json:"model"`
}

// OverlayModel names a model version, as the annotation service's
// suggestions do.
type OverlayModel struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// OverlayTileFormat keeps the overlays' alpha: a prediction is usually
// transparent where the model saw nothing.
const OverlayTileFormat = "png"

// PyramidRef names the pyramid of a slide or an overlay for the tile path.
type PyramidRef struct {
	Kind   string
	ID     int64
	Key    string // prefix in the slides bucket
	Ready  bool
	Format string // tile suffix without the dot
}

// Pyramid is the slide's pyramid.
func (s *Slide) Pyramid() PyramidRef {
	return PyramidRef{KindSlide, s.ID, s.PyramidKey, s.Status == StatusReady, s.TileFormat}
}

// Pyramid is the overlay's pyramid.
func (o *Overlay) Pyramid() PyramidRef {
	return PyramidRef{KindOverlay, o.ID, o.PyramidKey, o.Status == StatusReady, OverlayTileFormat}
}
