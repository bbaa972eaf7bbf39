package client

import (
	"context"
	"fmt"
	"io"
	"net/url"
)

// Upload is a resumable slide upload (POST /api/v1/uploads).
type Upload struct {
	ID            string `json:"id"`
	ProjectID     int64  `json:"project_id"`
	Name          string `json:"name"`
	Size          int64  `json:"size"`
	PartSize      int64  `json:"part_size"`
	Parts         int    `json:"parts"`
	Status        string `json:"status"`
	SlideID       *int64 `json:"slide_id"`
	ReceivedParts []struct {
		Number int   `json:"number"`
		Size   int64 `json:"size"`
	} `json:"received_parts"`
}

// StartUpload opens a resumable upload of a file of size bytes.
func (c *Client) StartUpload(ctx context.Context, project int64, name string, size int64, caseID, stain string) (*Upload, error) {
	var u Upload
	body := map[string]any{"project_id": project, "name": name, "size": size, "case_id": caseID, "stain": stain}
	return &u, c.Do(ctx, "POST", "/api/v1/uploads", body, "", &u)
}

// GetUpload reads an upload with the parts that arrived.
func (c *Client) GetUpload(ctx context.Context, id string) (*Upload, error) {
	var u Upload
	return &u, c.Do(ctx, "GET", "/api/v1/uploads/"+url.PathEscape(id), nil, "", &u)
}

// PutPart sends part n (1-based).
func (c *Client) PutPart(ctx context.Context, id string, n int, part io.ReadSeeker) error {
	return c.Do(ctx, "PUT", fmt.Sprintf("/api/v1/uploads/%s/parts/%d", url.PathEscape(id), n), part, "application/octet-stream", nil)
}

// CompleteUpload assembles the parts and queues the slide; the answer is
// the slide ({"id","status"}).
func (c *Client) CompleteUpload(ctx context.Context, id string) (map[string]any, error) {
	var out map[string]any
	return out, c.Do(ctx, "POST", "/api/v1/uploads/"+url.PathEscape(id)+"/complete", nil, "", &out)
}

// ExportAnnotations writes a slide's marks as GeoJSON to w.
func (c *Client) ExportAnnotations(ctx context.Context, slide int64, w io.Writer) error {
	return c.Do(ctx, "GET", fmt.Sprintf("/api/v1/annotations?slide_id=%d&limit=50000", slide), nil, "", w)
}

// ImportAnnotations imports a file of marks in format (qupath, asap,
// patholabelling); category (0: none) takes unclassified marks.
func (c *Client) ImportAnnotations(ctx context.Context, slide int64, format string, category int64, file io.Reader) (map[string]any, error) {
	q := url.Values{"slide_id": {fmt.Sprint(slide)}, "format": {format}}
	if category > 0 {
		q.Set("category_id", fmt.Sprint(category))
	}
	var out map[string]any
	return out, c.Do(ctx, "POST", "/api/v1/annotations/import?"+q.Encode(), file, "application/octet-stream", &out)
}

// ImportSuggestions sends a file of a model's suggestions for a slide
// (format geojson or qupath, model <name>@<version>; category: the class
// of QuPath features without one, 0 for none) and answers the report:
// the suggestions' ids. The server stores the whole file or nothing.
func (c *Client) ImportSuggestions(ctx context.Context, slide int64, format, model string, category int64, file io.Reader) (map[string]any, error) {
	q := url.Values{"slide_id": {fmt.Sprint(slide)}, "format": {format}, "model": {model}}
	if category > 0 {
		q.Set("category_id", fmt.Sprint(category))
	}
	var out map[string]any
	return out, c.Do(ctx, "POST", "/api/v1/annotations/suggestions/import?"+q.Encode(), file, "application/octet-stream", &out)
}
