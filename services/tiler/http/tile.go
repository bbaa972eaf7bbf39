package http

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

// slideID reads "12", "12.dzi" or "12_files": digits only, so nothing
// else (dots, signs, encoded separators, a second suffix) ever reaches a
// lookup.
func slideID(s string) (int64, bool) {
	for _, suffix := range []string{".dzi", "_files"} {
		if stem, ok := strings.CutSuffix(s, suffix); ok {
			return digits(stem)
		}
	}
	return digits(s)
}

func digits(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// rejectEscapedPaths refuses percent-encoded tile paths: an encoded slash
// or dot would name the same tile a second way, which only tricks use.
func rejectEscapedPaths(c *gin.Context) {
	if c.Request.URL.RawPath != "" || strings.Contains(c.Request.URL.Path, "..") {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "malformed tile path"))
	}
}

type dziSize struct {
	Width  int64 `xml:"Width,attr"`
	Height int64 `xml:"Height,attr"`
}

type dziImage struct {
	XMLName  xml.Name `xml:"http://schemas.microsoft.com/deepzoom/2008 Image"`
	Format   string   `xml:"Format,attr"`
	Overlap  int      `xml:"Overlap,attr"`
	TileSize int      `xml:"TileSize,attr"`
	Size     dziSize  `xml:"Size"`
}

// dzi serves a slide's descriptor. The viewer reads it once each time it
// opens the slide, so the audit log records it as the view of the case
// (tiles, a thousand per view, are not recorded one by one).
func (h *Handler) dzi(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	p := sl.Pyramid()
	p.Ready = p.Ready || sl.FromSource() // the same descriptor either way
	if strings.HasSuffix(c.Param("name"), ".dzi") && p.Ready {
		err := h.Audit.Record(c, audit.Event{Action: "slide.view", TargetType: "slide", TargetID: strconv.FormatInt(sl.ID, 10), ProjectID: sl.ProjectID})
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
	}
	h.serveDZI(c, p, dziImage{Format: sl.TileFormat, Overlap: sl.TileOverlap, TileSize: sl.TileSize, Size: dziSize{sl.Width, sl.Height}})
}

func (h *Handler) serveDZI(c *gin.Context, p tiler.PyramidRef, img dziImage) {
	if !strings.HasSuffix(c.Param("name"), ".dzi") || !p.Ready {
		httpapi.Fail(c, platform.Errorf(platform.ENOTFOUND, "no such pyramid %q", c.Param("name")))
		return
	}
	b, _ := xml.Marshal(img)
	h.cacheable(c, []string{fmt.Sprintf(`"%.1s%d-dzi-%d"`, p.Kind, p.ID, img.Size.Width)})
	c.Data(http.StatusOK, "application/xml", append([]byte(xml.Header), b...))
}

func (h *Handler) thumbnail(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if c.Param("name") != strconv.FormatInt(sl.ID, 10) {
		httpapi.Fail(c, platform.Errorf(platform.ENOTFOUND, "no such thumbnail"))
		return
	}
	t, err := h.Tiles.Thumbnail(c.Request.Context(), sl)
	h.serve(c, t, err, "jpeg")
}

func (h *Handler) tile(c *gin.Context) {
	sl, err := slideOf(c)
	switch {
	case err != nil:
		httpapi.Fail(c, err)
	case sl.FromSource():
		h.sourceTile(c, sl)
	default:
		h.serveTile(c, sl.Pyramid())
	}
}

// sourceTile serves a tile of a slide whose pyramid is being built, read
// from its source on the same grid and with the same URL.
func (h *Handler) sourceTile(c *gin.Context, sl *tiler.Slide) {
	level, okL := digits(c.Param("level"))
	col, row, okT := tileName(c.Param("tile"), sl.TileFormat)
	if !strings.HasSuffix(c.Param("name"), "_files") || !okL || !okT {
		httpapi.Fail(c, platform.Errorf(platform.ENOTFOUND, "no such tile"))
		return
	}
	t, err := h.Tiles.SourceTile(c.Request.Context(), sl, int(level), col, row)
	h.serve(c, t, err, sl.TileFormat)
}

func (h *Handler) serveTile(c *gin.Context, p tiler.PyramidRef) {
	level, okL := digits(c.Param("level"))
	col, row, okT := tileName(c.Param("tile"), p.Format)
	if !strings.HasSuffix(c.Param("name"), "_files") || !okL || !okT {
		httpapi.Fail(c, platform.Errorf(platform.ENOTFOUND, "no such tile"))
		return
	}
	t, err := h.Tiles.Tile(c.Request.Context(), p, int(level), col, row, c.GetHeader("If-None-Match"))
	h.serve(c, t, err, p.Format)
}

// tileName reads "{col}_{row}.{format}".
func tileName(s, format string) (col, row int, ok bool) {
	stem, ok := strings.CutSuffix(s, "."+format)
	if !ok {
		return 0, 0, false
	}
	cs, rs, ok := strings.Cut(stem, "_")
	c, okC := digits(cs)
	r, okR := digits(rs)
	return int(c), int(r), ok && okC && okR
}

func (h *Handler) serve(c *gin.Context, t tiler.Tile, err error, format string) {
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if c.GetHeader("If-None-Match") == t.ETag {
		h.cacheable(c, []string{t.ETag})
		c.Status(http.StatusNotModified)
		return
	}
	// The tile's length is set here (gin's Data sets none, and net/http
	// then frames in chunks), as WriteWhole needs. The two values made
	// per tile share one allocation.
	v := &[2]string{t.ETag, strconv.Itoa(len(t.Data))}
	h.cacheable(c, v[0:1:1])
	hdr := c.Writer.Header()
	hdr["Content-Length"] = v[1:2:2] // keys already canonical: Set would canonicalise them per tile
	hdr["Content-Type"] = h.contentType(format)
	httpapi.WriteWhole(c, http.StatusOK, t.Data) // headers and tile in one write, the tile not copied
}

// contentType is the header value of a tile format, made once for the
// formats the tiler writes.
func (h *Handler) contentType(format string) []string {
	if v, ok := h.contentTypes[format]; ok {
		return v
	}
	return []string{"image/" + format}
}

// cacheable lets the browser alone (tiles are private to the project) keep
// a response for PATHOLABEL_TILER_MAX_AGE, then revalidate it with its
// ETag: a pyramid never changes, so a revalidation is a cheap 304, yet it
// passes the access check again, so someone removed from the project (or
// signed out on a shared workstation) stops seeing the slide within
// minutes rather than a year. etag is the header's value, so that a tile
// can make it in the allocation it makes anyway.
func (h *Handler) cacheable(c *gin.Context, etag []string) {
	hdr := c.Writer.Header()
	hdr["Etag"] = etag // the canonical form of ETag
	hdr["Cache-Control"] = h.cacheControl
}
