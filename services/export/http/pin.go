package http

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// pin pins (PUT) or unpins (DELETE) an export: a pinned export is never
// removed by retention, for the datasets models were trained on.
func (h *Handler) pin(pinned bool) gin.HandlerFunc {
	action := map[bool]string{true: "export.pin", false: "export.unpin"}[pinned]
	return func(c *gin.Context) {
		id, _ := httpapi.IDParam(c, "export_id") // checked by the access rule
		e, err := h.Store.SetPinned(c.Request.Context(), id, pinned)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		h.Audit.RecordAfter(c, audit.Event{Action: action, TargetType: "export", TargetID: strconv.FormatInt(id, 10),
			ProjectID: e.ProjectID})
		c.JSON(http.StatusOK, h.view(e))
	}
}
