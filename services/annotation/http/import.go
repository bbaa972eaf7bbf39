package http

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) registerImport(g *gin.RouterGroup) {
	g.POST("/import", access.Require(access.InProject(h.slideOfQuery, annotation.Writers...)), h.importFile)
}

// importFile takes the file as the body:
// POST ?slide_id&format=patholabelling|qupath|asap[&category_id=] (the
// category for marks the file leaves unclassified).
func (h *Handler) importFile(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	def, err := queryID(c, "category_id")
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	body, err := readFile(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	items, skips, err := annotation.ParseImport(c.Query("format"), body)
	if err != nil {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "%v", err))
		return
	}
	rep, out, err := h.Store.Import(c.Request.Context(), access.PrincipalOf(c), sl, items, def)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	rep.Skipped = append(skips, rep.Skipped...)
	sort.SliceStable(rep.Skipped, func(i, j int) bool { return rep.Skipped[i].Index < rep.Skipped[j].Index })
	if rep.Skipped == nil {
		rep.Skipped = []annotation.Skip{}
	}
	h.publish(c, out.Changes)
	h.Audit.RecordAfter(c, audit.Event{Action: "annotation.import", TargetType: "slide", TargetID: strconv.FormatInt(sl.ID, 10),
		ProjectID: sl.ProjectID, Detail: map[string]any{"format": c.Query("format"), "imported": rep.Imported, "skipped": len(rep.Skipped)}})
	c.JSON(http.StatusOK, rep)
}

// readFile reads an uploaded file (the request body) up to MaxBody.
// Errors: too_large, invalid.
func readFile(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return nil, platform.Errorf(platform.ETOOLARGE, "file is larger than %d bytes", big.Limit)
	}
	if err != nil {
		return nil, platform.Errorf(platform.EINVALID, "read file: %v", err)
	}
	return body, nil
}
