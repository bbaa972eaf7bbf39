package http

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// associated serves the slide's label or macro image. The project's
// setting is read on every request, so turning it off hides images
// already stored; and they are never cached, since they can name the
// patient.
func (h *Handler) associated(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		sl, err := slideOf(c)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		notFound := platform.Errorf(platform.ENOTFOUND, "no %s image for this slide", name)
		if c.Param("name") != strconv.FormatInt(sl.ID, 10) || !sl.Pyramid().Ready {
			httpapi.Fail(c, notFound)
			return
		}
		allowed, err := h.Store.AllowsAssociatedImages(c.Request.Context(), sl.ProjectID)
		if err == nil && !allowed {
			err = notFound
		}
		var b []byte
		if err == nil {
			b, err = h.Objects.Get(c.Request.Context(), sl.PyramidKey+name+".jpeg")
		}
		if err == nil { // these images can name the patient: no trace, no image
			err = h.Audit.Record(c, audit.Event{Action: "slide." + name + ".view", TargetType: "slide",
				TargetID: strconv.FormatInt(sl.ID, 10), ProjectID: sl.ProjectID})
		}
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.Header("Cache-Control", "private, no-store")
		c.Data(http.StatusOK, "image/jpeg", b)
	}
}
