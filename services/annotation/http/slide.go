package http

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

const (
	slideKey = "annotation.slide"
	bodyKey  = "annotation.body"
)

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

// slideOfBody decodes the body once, here, because the project it is about
// is inside it; the handler takes the decoded body from the context.
func (h *Handler) slideOfBody(newBody func() slideRequest) func(c *gin.Context) (int64, error) {
	return func(c *gin.Context) (int64, error) {
		body := newBody()
		if err := httpapi.DecodeJSONLimit(c, body, MaxBody); err != nil {
			return 0, err
		}
		if body.slide() <= 0 {
			return 0, platform.Errorf(platform.EINVALID, "field \"slide_id\" is required")
		}
		c.Set(bodyKey, body)
		return h.remember(c, body.slide())
	}
}

// slideOfMark finds the project through the mark in the path.
func (h *Handler) slideOfMark(c *gin.Context) (int64, error) {
	id, err := httpapi.IDParam(c, "id")
	if err != nil {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such annotation %q", c.Param("id"))
	}
	sl, err := h.store.SlideOfMark(c.Request.Context(), id)
	c.Set(slideKey, sl)
	return sl.ProjectID, err
}

func (h *Handler) remember(c *gin.Context, id int64) (int64, error) {
	sl, err := h.store.Slide(c.Request.Context(), id)
	c.Set(slideKey, sl)
	return sl.ProjectID, err
}

func slideOf(c *gin.Context) annotation.Slide { return c.MustGet(slideKey).(annotation.Slide) }
