package http

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// zip streams a finished export as one zip archive (GET
// /api/v1/exports/{id}/zip): the files are read from storage and written to
// the response as they come, with no copy kept anywhere. Once the archive
// has started, a storage failure can only cut it short: it is logged, and
// the broken archive tells the downloader (a zip without its directory).
func (h *Handler) zip(c *gin.Context) {
	id, _ := httpapi.IDParam(c, "export_id")
	ctx := c.Request.Context()
	e, err := h.Store.Get(ctx, id)
	if err == nil && e.Status != export.StatusDone {
		err = platform.Errorf(platform.ECONFLICT, "export %d is %s; it can be downloaded once it is done", id, e.Status)
	}
	if err == nil {
		err = h.Store.WithManifest(ctx, e)
	}
	var m *export.Manifest
	if err == nil {
		m, err = export.ParseManifest(e.Manifest)
	}
	if err == nil {
		// The archive is patient data leaving: no trace, no archive.
		err = h.Audit.Record(c, audit.Event{Action: "export.zip", TargetType: "export", TargetID: strconv.FormatInt(id, 10),
			ProjectID: e.ProjectID, Detail: map[string]any{"files": len(m.Files) + 1}})
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="export-%d.zip"`, id))
	c.Status(http.StatusOK)
	if err := export.WriteZip(ctx, c.Writer, m.Files, h.Objects.Opener(e.Prefix), e.UpdatedAt); err != nil {
		h.Log.Warn("export zip cut short", "export", id, "err", err)
	}
}
