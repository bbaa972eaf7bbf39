package http

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// DefaultLimit is how many marks a viewport query returns unless asked.
const DefaultLimit = 10_000

func (h *Handler) list(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	f, err := h.filter(c, sl)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	switch c.Query("lod") {
	case "":
		h.listMarks(c, f, 0)
	case "grid":
		h.listGrid(c, f, sl)
	case "simplify":
		tol, err := queryFloat(c, "tolerance", 1)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		h.listMarks(c, f, annotation.ToUnits(tol))
	default:
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameter \"lod\" must be grid or simplify"))
	}
}

// filter reads a viewport query on sl, the slide the route's rule read.
func (h *Handler) filter(c *gin.Context, sl annotation.Slide) (annotation.Filter, error) {
	f := annotation.Filter{SlideID: sl.ID}
	var err error
	if f.BBox, err = parseBBox(c.Query("bbox")); err != nil {
		return f, err
	}
	if f.CategoryID, err = queryID(c, "category_id"); err != nil {
		return f, err
	}
	if f.AuthorID, err = queryID(c, "author_id"); err != nil {
		return f, err
	}
	// A blinded annotator reads only their own marks and counts, whatever was asked.
	if only := annotation.OnlyAuthor(access.PrincipalOf(c), sl); only != 0 {
		f.AuthorID = only
	}
	f.Limit, err = httpapi.QueryInt(c, "limit", DefaultLimit, 1, h.Config.MaxResults)
	return f, err
}

func (h *Handler) listMarks(c *gin.Context, f annotation.Filter, tol int64) {
	marks, truncated, err := h.Store.Find(c.Request.Context(), f)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	for i := range marks {
		marks[i].Geometry = marks[i].Geometry.Simplify(tol)
	}
	c.Data(http.StatusOK, "application/geo+json", annotation.FeatureCollection(marks, truncated))
}

// listGrid answers counts per cell; without cell= it picks the cell so the
// box (or else slide sl) is at most 32 cells wide: a heat map, not a
// second copy of the marks.
func (h *Handler) listGrid(c *gin.Context, f annotation.Filter, sl annotation.Slide) {
	width := sl.Width
	if !f.BBox.Empty() {
		width = (f.BBox.MaxX - f.BBox.MinX) / annotation.Scale
	}
	def := int64(annotation.CountCell)
	for def*32 < width {
		def *= 2 // from 4096 on the coarser counts answer
	}
	cell, err := httpapi.QueryInt(c, "cell", int(def), annotation.CountCell, 1<<30)
	if err != nil || cell%annotation.CountCell != 0 {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "query parameter \"cell\" must be a multiple of %d pixels", annotation.CountCell))
		return
	}
	counts, err := h.Store.Grid(c.Request.Context(), f, int64(cell))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/geo+json", annotation.GridCollection(counts, int64(cell)))
}

func parseBBox(s string) (annotation.BBox, error) {
	if s == "" {
		return annotation.BBox{}, nil
	}
	bad := platform.Errorf(platform.EINVALID, "query parameter \"bbox\" must be x0,y0,x1,y1 in level-0 pixels with x0<=x1 and y0<=y1")
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return annotation.BBox{}, bad
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return annotation.BBox{}, bad
		}
		v[i] = f
	}
	a, err1 := annotation.PtOf(v[0], v[1])
	b, err2 := annotation.PtOf(v[2], v[3])
	if err1 != nil || err2 != nil || a.X > b.X || a.Y > b.Y {
		return annotation.BBox{}, bad
	}
	return annotation.BBox{MinX: a.X, MinY: a.Y, MaxX: b.X, MaxY: b.Y}, nil
}

func queryID(c *gin.Context, name string) (int64, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.Errorf(platform.EINVALID, "query parameter %q must be a positive id", name)
	}
	return id, nil
}

func queryFloat(c *gin.Context, name string, def float64) (float64, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1e6 {
		return 0, platform.Errorf(platform.EINVALID, "query parameter %q must be a number of pixels from 0 to 1000000", name)
	}
	return v, nil
}
