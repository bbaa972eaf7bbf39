package http

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

const overlayKey = "tiler.overlay"

// overlayProject finds the overlay a tile path names ("5.dzi", "5_files")
// and returns its slide's project.
func (h *Handler) overlayProject(c *gin.Context) (int64, error) {
	id, ok := slideID(c.Param("name"))
	if !ok {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such overlay %q", c.Param("name"))
	}
	o, err := h.Tiles.Overlay(c.Request.Context(), id)
	if err != nil {
		return 0, err
	}
	sl, err := h.Tiles.Slide(c.Request.Context(), o.SlideID)
	if err != nil {
		return 0, err
	}
	c.Set(overlayKey, o)
	c.Set(slideKey, sl)
	return sl.ProjectID, nil
}

// overlayOf is the overlay the route's rule read (overlayProject).
func overlayOf(c *gin.Context) (*tiler.Overlay, error) {
	return httpapi.Kept[*tiler.Overlay](c, overlayKey)
}

type overlayView struct {
	*tiler.Overlay
	DZIURL string `json:"dzi_url,omitempty"`
}

func viewOverlay(o *tiler.Overlay) overlayView {
	v := overlayView{Overlay: o}
	if o.Status == tiler.StatusReady {
		v.DZIURL = "/tiles/overlays/" + strconv.FormatInt(o.ID, 10) + ".dzi"
	}
	return v
}

// uploadOverlay streams a heatmap or prediction image for a ready slide
// (fields name and opacity before the file) and queues its pyramid.
func (h *Handler) uploadOverlay(c *gin.Context) {
	sl, err := slideOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if sl.Status != tiler.StatusReady {
		httpapi.Fail(c, platform.Errorf(platform.ECONFLICT, "slide %d is %s; overlays need a ready slide", sl.ID, sl.Status))
		return
	}
	o, err := h.receiveOverlay(c, sl)
	if err == nil {
		err = h.Store.CreateOverlay(c.Request.Context(), o)
	}
	if err != nil {
		if o != nil && o.SourceKey != "" {
			_ = h.Objects.Remove(c.Request.Context(), o.SourceKey)
		}
		httpapi.Fail(c, err)
		return
	}
	h.wake(c, tiler.KindOverlay, o.ID, sl.ProjectID)
	h.Audit.RecordAfter(c, audit.Event{Action: "overlay.upload", TargetType: "overlay", TargetID: strconv.FormatInt(o.ID, 10),
		ProjectID: sl.ProjectID, Detail: map[string]any{"slide": sl.ID, "bytes": o.Bytes}})
	c.JSON(http.StatusAccepted, gin.H{"id": o.ID, "status": o.Status})
}

func (h *Handler) receiveOverlay(c *gin.Context, sl *tiler.Slide) (*tiler.Overlay, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, platform.Errorf(platform.EINVALID, "send the overlay as multipart/form-data with a file field")
	}
	fields, part, err := nextFile(mr, []string{"name", "opacity", "model"})
	if err != nil {
		return nil, err
	}
	o, err := overlayFields(fields, sl, access.PrincipalOf(c).UserID)
	if err != nil {
		return nil, err
	}
	o.SourceKey = "overlays/" + newKey() + "/source"
	o.Bytes, _, err = h.Objects.PutStream(c.Request.Context(), o.SourceKey, part, h.Config.MaxUploadBytes)
	return o, err
}

func overlayFields(f map[string]string, sl *tiler.Slide, user int64) (*tiler.Overlay, error) {
	o := &tiler.Overlay{SlideID: sl.ID, Name: f["name"], Opacity: 0.5, CreatedBy: &user}
	if f["opacity"] != "" {
		op, err := strconv.ParseFloat(f["opacity"], 64)
		if err != nil || !(op >= 0 && op <= 1) { // NaN passes "op < 0 || op > 1"
			return nil, platform.Errorf(platform.EINVALID, "opacity must be a number from 0 to 1")
		}
		o.Opacity = op
	}
	if o.Name == "" || len(o.Name) > 128 {
		return nil, platform.Errorf(platform.EINVALID, "field name (1–128 characters) is required before the file")
	}
	if f["model"] != "" {
		m, err := overlayModel(f["model"])
		if err != nil {
			return nil, err
		}
		o.Model = m
	}
	return o, nil
}

// overlayModel reads "<name>@<version>", the version after the last @ (as
// the annotation service names a model's suggestions).
func overlayModel(s string) (*tiler.OverlayModel, error) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 || i > 128 || len(s)-i-1 > 64 {
		return nil, platform.Errorf(platform.EINVALID, "field model must be <name>@<version> (name up to 128, version up to 64 characters), not %q", s)
	}
	return &tiler.OverlayModel{Name: s[:i], Version: s[i+1:]}, nil
}

func (h *Handler) listOverlays(c *gin.Context) {
	sl, err := slideOf(c)
	var list []*tiler.Overlay
	if err == nil {
		list, err = h.Store.Overlays(c.Request.Context(), sl.ID)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	views := make([]overlayView, len(list))
	for i, o := range list {
		views[i] = viewOverlay(o)
	}
	c.JSON(http.StatusOK, gin.H{"overlays": views})
}

func (h *Handler) overlayDZI(c *gin.Context) {
	o, err := overlayOf(c)
	var sl *tiler.Slide
	if err == nil {
		sl, err = slideOf(c)
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.serveDZI(c, o.Pyramid(), dziImage{Format: tiler.OverlayTileFormat, Overlap: sl.TileOverlap, TileSize: sl.TileSize, Size: dziSize{o.Width, o.Height}})
}

func (h *Handler) overlayTile(c *gin.Context) {
	o, err := overlayOf(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.serveTile(c, o.Pyramid())
}
