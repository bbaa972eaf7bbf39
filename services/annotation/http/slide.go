package http

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

const slideKey = "annotation.slide"

// MaxBody bounds a create, batch or import body: 50,000 points in GeoJSON.
const MaxBody = 64 << 20

// slideRequest is a JSON body that names its slide.
type slideRequest interface{ slide() int64 }

// slideOfQuery finds the project through ?slide_id=.
func (h *Handler) slideOfQuery(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Query("slide_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "query parameter \"slide_id\" must be a slide id")
	}
	return h.remember(c, id)
}

// slideOfBody finds the project through the slide the bound body names
// (httpapi.Bind ran before the rule).
func (h *Handler) slideOfBody(c *gin.Context) (int64, error) {
	v, err := httpapi.Bound(c)
	if err != nil {
		return 0, err
	}
	body, ok := v.(slideRequest)
	if !ok {
		return 0, fmt.Errorf("route %s binds %T, which names no slide", c.FullPath(), v)
	}
	if body.slide() <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "field \"slide_id\" is required")
	}
	return h.remember(c, body.slide())
}

// slideOfMark finds the project through the mark in the path.
func (h *Handler) slideOfMark(c *gin.Context) (int64, error) {
	id, err := httpapi.IDParam(c, "id")
	if err != nil {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such annotation %q", c.Param("id"))
	}
	sl, err := h.Store.SlideOfMark(c.Request.Context(), id)
	c.Set(slideKey, sl)
	return sl.ProjectID, err
}

// remember keeps the slide the rule read for the handler: it is read once
// per request.
func (h *Handler) remember(c *gin.Context, id int64) (int64, error) {
	sl, err := h.Store.Slide(c.Request.Context(), id)
	c.Set(slideKey, sl)
	return sl.ProjectID, err
}

// slideOf is the slide the route's rule read (slideOfQuery, slideOfBody,
// slideOfMark, slideOfHistory or the suggestion rules). A route that lost
// its rule (a wiring mistake) answers a 500, logged with the route; it never
// acts on the zero slide, slide 0 of project 0, which no rule authorised
// and which is blinded to no one.
func slideOf(c *gin.Context) (annotation.Slide, error) {
	return httpapi.Kept[annotation.Slide](c, slideKey)
}
