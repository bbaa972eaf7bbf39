package http

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// projectOfBody reads the project from the params httpapi.Bind decoded
// before the access rule, normalised in place for the handler.
func projectOfBody(c *gin.Context) (int64, error) {
	p, err := httpapi.Body[export.Params](c)
	if err != nil {
		return 0, err
	}
	if err := p.Normalize(); err != nil {
		return 0, err
	}
	return p.ProjectID, nil
}

func projectOfQuery(c *gin.Context) (int64, error) {
	n, err := httpapi.QueryInt(c, "project_id", 0, 1, 1<<62)
	if err == nil && n == 0 {
		err = platform.Errorf(platform.EINVALID, "query parameter %q is required", "project_id")
	}
	return int64(n), err
}

func (h *Handler) projectOfExport(c *gin.Context) (int64, error) {
	id, err := httpapi.IDParam(c, "export_id")
	if err != nil {
		return 0, err
	}
	return h.Store.ProjectOf(c.Request.Context(), id)
}

func (h *Handler) view(e *export.Export) *export.Export {
	e.Bucket = h.Objects.Bucket()
	return e
}

func (h *Handler) create(c *gin.Context) {
	p, err := httpapi.Body[export.Params](c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	e, err := h.Store.Create(ctx, *p, access.PrincipalOf(c).UserID)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.Audit.RecordAfter(c, audit.Event{Action: "export.create", TargetType: "export", TargetID: strconv.FormatInt(e.ID, 10),
		ProjectID: e.ProjectID, Detail: map[string]any{"formats": p.Formats, "slide_ids": p.SlideIDs}}) // no slide ids: all
	if h.Waker != nil {
		// The id the middleware assigned (and answered with), not the
		// client's header, which it replaces when empty or overlong.
		if err := h.Waker.Wake(ctx, e, httpapi.RequestID(c)); err != nil {
			httpapi.Logger(c).Warn("wake export workers; they will find the job by scanning", "err", err)
		}
	}
	c.JSON(http.StatusAccepted, h.view(e))
}

// get answers an export; its manifest only with include=manifest, so the
// polls that wait for an export stay small however many files it has.
func (h *Handler) get(c *gin.Context) {
	id, _ := httpapi.IDParam(c, "export_id") // checked by the access rule
	include := c.Query("include")
	if include != "" && include != "manifest" {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameter include may only be %q", "manifest"))
		return
	}
	e, err := h.Store.Get(c.Request.Context(), id)
	if err == nil && include == "manifest" {
		err = h.Store.WithManifest(c.Request.Context(), e)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.view(e))
}

func (h *Handler) list(c *gin.Context) {
	project, _ := projectOfQuery(c) // checked by the access rule
	limit, err := httpapi.QueryInt(c, "limit", 50, 1, 500)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	before, err := httpapi.QueryInt(c, "before", 0, 0, 1<<62)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	list, err := h.Store.List(c.Request.Context(), export.ListFilter{ProjectID: project, BeforeID: int64(before), Limit: limit})
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	for _, e := range list {
		h.view(e)
	}
	c.JSON(http.StatusOK, gin.H{"exports": list})
}

func (h *Handler) cancel(c *gin.Context) {
	id, _ := httpapi.IDParam(c, "export_id")
	e, err := h.Store.Cancel(c.Request.Context(), id)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.view(e))
}

// fileLink is a manifest entry with a presigned download URL.
type fileLink struct {
	export.File
	URL string `json:"url"`
}

// Paging of the files endpoint: each link is signed on its own, so a
// page is bounded however many files an export has.
const (
	filesPage    = 1000
	maxFilesPage = 10000
)

// files lists a page of a finished export's files with presigned download
// links: manifest.json first (it lists every file, so the first page
// always leads to all of them), then the manifest's files in path order.
func (h *Handler) files(c *gin.Context) {
	id, _ := httpapi.IDParam(c, "export_id")
	offset, err := httpapi.QueryInt(c, "offset", 0, 0, 1<<62)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	limit, err := httpapi.QueryInt(c, "limit", filesPage, 1, maxFilesPage)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	e, err := h.Store.Get(ctx, id)
	if err == nil && e.Status != export.StatusDone {
		err = platform.Errorf(platform.ECONFLICT, "export %d is %s; files are listed once it is done", id, e.Status)
	}
	if err == nil {
		err = h.Store.WithManifest(ctx, e)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	m, err := export.ParseManifest(e.Manifest)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	all := append([]export.File{{Path: export.ManifestPath}}, m.Files...)
	page := all[min(offset, len(all)):min(offset+limit, len(all))]
	// The links are bearer URLs to patient data: no trace, no links.
	if err := h.Audit.Record(c, audit.Event{Action: "export.links", TargetType: "export", TargetID: strconv.FormatInt(id, 10),
		ProjectID: e.ProjectID, Detail: map[string]any{"offset": offset, "links": len(page), "expires_in": int(h.LinkTTL.Seconds())}}); err != nil {
		httpapi.Fail(c, err)
		return
	}
	out := make([]fileLink, 0, len(page))
	for _, f := range page {
		u, err := h.Objects.PresignGet(ctx, e.Prefix, f.Path, h.LinkTTL)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		out = append(out, fileLink{f, u})
	}
	c.JSON(http.StatusOK, gin.H{"bucket": h.Objects.Bucket(), "prefix": e.Prefix, "expires_in": int(h.LinkTTL.Seconds()),
		"total": len(all), "offset": offset, "limit": limit, "files": out})
}
