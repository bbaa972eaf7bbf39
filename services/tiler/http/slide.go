package http

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

const slideKey = "tiler.slide"

// slideProject finds the slide a path names (by "12", "12.dzi" or
// "12_files") and returns its project; the slide is kept for the handler.
func (h *Handler) slideProject(param string) func(c *gin.Context) (int64, error) {
	return func(c *gin.Context) (int64, error) {
		id, ok := slideID(c.Param(param))
		if !ok {
			return 0, platform.Errorf(platform.ENOTFOUND, "no such slide %q", c.Param(param))
		}
		sl, err := h.Tiles.Slide(c.Request.Context(), id)
		if err != nil {
			return 0, err
		}
		c.Set(slideKey, sl)
		return sl.ProjectID, nil
	}
}

// slideOf is the slide the route's rule read (slideProject or
// overlayProject).
func slideOf(c *gin.Context) (*tiler.Slide, error) { return httpapi.Kept[*tiler.Slide](c, slideKey) }

func queryProject(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Query("project_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "query parameter project_id (a project id) is required")
	}
	return id, nil
}

// slideView is a slide as the API shows it.
type slideView struct {
	*tiler.Slide
	ThumbnailURL string      `json:"thumbnail_url,omitempty"`
	DZIURL       string      `json:"dzi_url,omitempty"`
	Paired       []pairedRef `json:"paired,omitempty"`
}

// pairedRef is another slide of the same case, e.g. the IHC beside an H&E.
type pairedRef struct {
	ID     int64  `json:"id"`
	Stain  string `json:"stain"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

func view(sl *tiler.Slide) slideView {
	v := slideView{Slide: sl}
	if sl.Status == tiler.StatusReady {
		id := strconv.FormatInt(sl.ID, 10)
		v.ThumbnailURL, v.DZIURL = "/tiles/"+id+"/thumbnail.jpeg", "/tiles/"+id+".dzi"
	}
	return v
}

func (h *Handler) get(c *gin.Context) {
	sl, err := slideOf(c)
	if err == nil {
		sl, err = h.Store.Slide(c.Request.Context(), sl.ID) // fresh: status and progress move
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	v := view(sl)
	if v.Paired, err = h.paired(c, sl); err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *Handler) paired(c *gin.Context, sl *tiler.Slide) ([]pairedRef, error) {
	if sl.CaseID == "" {
		return nil, nil
	}
	same, _, err := h.Store.Slides(c.Request.Context(), tiler.SlideFilter{ProjectID: sl.ProjectID, CaseID: sl.CaseID, Limit: 100})
	out := []pairedRef{}
	for _, o := range same {
		if o.ID != sl.ID {
			out = append(out, pairedRef{o.ID, o.Stain, o.Name, o.Status})
		}
	}
	return out, err
}

func (h *Handler) list(c *gin.Context) {
	f := tiler.SlideFilter{Status: c.Query("status"), Stain: c.Query("stain"), CaseID: c.Query("case_id")}
	var err error
	f.ProjectID, _ = queryProject(c)
	if f.Offset, err = httpapi.QueryInt(c, "offset", 0, 0, 1<<30); err == nil {
		f.Limit, err = httpapi.QueryInt(c, "limit", 50, 1, 500)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	slides, total, err := h.Store.Slides(c.Request.Context(), f)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	views := make([]slideView, len(slides))
	for i, sl := range slides {
		views[i] = view(sl)
	}
	c.JSON(http.StatusOK, gin.H{"slides": views, "total": total, "offset": f.Offset, "limit": f.Limit})
}

// retry queues a failed slide's ingest again (attempts reset), once what
// made it fail is gone; its source was kept, so nothing is re-uploaded.
func (h *Handler) retry(c *gin.Context) {
	sl, err := slideOf(c)
	if err == nil {
		sl, err = h.Store.RetrySlide(c.Request.Context(), sl.ID)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.wake(c, tiler.KindSlide, sl.ID, sl.ProjectID)
	h.Audit.RecordAfter(c, audit.Event{Action: "slide.retry", TargetType: "slide", TargetID: strconv.FormatInt(sl.ID, 10),
		ProjectID: sl.ProjectID})
	c.JSON(http.StatusAccepted, view(sl))
}
