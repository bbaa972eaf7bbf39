package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Export is an export job as GET /api/v1/exports/{id} answers it.
type Export struct {
	ID             int64           `json:"id"`
	ProjectID      int64           `json:"project_id"`
	Name           string          `json:"name"`
	Pinned         bool            `json:"pinned"`
	Status         string          `json:"status"`
	Progress       int             `json:"progress"`
	Files          int64           `json:"files"`
	Bytes          int64           `json:"bytes"`
	Marks          int64           `json:"marks"`
	Error          string          `json:"error"`
	Bucket         string          `json:"bucket"`
	Prefix         string          `json:"prefix"`
	SnapshotSHA256 string          `json:"snapshot_sha256"`
	Params         json.RawMessage `json:"params"`
	CreatedAt      time.Time       `json:"created_at"`
	FinishedAt     *time.Time      `json:"finished_at"`
}

// Finished reports a status that no longer changes by itself.
func (e *Export) Finished() bool {
	switch e.Status {
	case "done", "failed", "cancelled", "expiring", "expired":
		return true
	}
	return false
}

// FileLink is one file of an export with a presigned download URL.
type FileLink struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	URL    string `json:"url"`
}

// FilesPage is one page of an export's download links.
type FilesPage struct {
	Files  []FileLink `json:"files"`
	Total  int        `json:"total"`
	Offset int        `json:"offset"`
}

// Exports lists a project's exports, newest first.
func (c *Client) Exports(ctx context.Context, project int64, limit int) ([]Export, error) {
	var out struct{ Exports []Export }
	q := url.Values{"project_id": {fmt.Sprint(project)}, "limit": {fmt.Sprint(limit)}}
	return out.Exports, c.Do(ctx, "GET", "/api/v1/exports?"+q.Encode(), nil, "", &out)
}

// Export reads one export.
func (c *Client) Export(ctx context.Context, id int64) (*Export, error) {
	var e Export
	return &e, c.Do(ctx, "GET", fmt.Sprintf("/api/v1/exports/%d", id), nil, "", &e)
}

// CreateExport queues an export; request is the API's request body.
func (c *Client) CreateExport(ctx context.Context, request json.RawMessage) (*Export, error) {
	var e Export
	return &e, c.Do(ctx, "POST", "/api/v1/exports", []byte(request), "application/json", &e)
}

// Pin pins or unpins an export.
func (c *Client) Pin(ctx context.Context, id int64, pinned bool) (*Export, error) {
	method := map[bool]string{true: "PUT", false: "DELETE"}[pinned]
	var e Export
	return &e, c.Do(ctx, method, fmt.Sprintf("/api/v1/exports/%d/pin", id), nil, "", &e)
}

// Files reads one page of an export's download links.
func (c *Client) Files(ctx context.Context, id int64, offset, limit int) (*FilesPage, error) {
	var p FilesPage
	return &p, c.Do(ctx, "GET", fmt.Sprintf("/api/v1/exports/%d/files?offset=%d&limit=%d", id, offset, limit), nil, "", &p)
}

// Wait polls an export every interval until it finishes or ctx ends;
// progress, if not nil, sees every poll.
func (c *Client) Wait(ctx context.Context, id int64, interval time.Duration, progress func(*Export)) (*Export, error) {
	for {
		e, err := c.Export(ctx, id)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(e)
		}
		if e.Finished() {
			return e, nil
		}
		select {
		case <-ctx.Done():
			return e, fmt.Errorf("export %d is still %s: %w", id, e.Status, ctx.Err())
		case <-time.After(interval):
		}
	}
}
