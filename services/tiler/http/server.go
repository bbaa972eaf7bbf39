// Package http serves the tiler service's API with gin.
package http

import (
	_ "embed"
	"fmt"
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/tiler"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the service's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Deps are what the endpoints need.
type Deps struct {
	Config  tiler.Config
	Store   tiler.Store
	Objects tiler.Objects
	Tiles   tiler.Tiles
	Sources tiler.SourceCopies // nil: uploads are viewable once their pyramid is ready
	Waker   tiler.Waker        // nil without Redis: workers then find jobs by scanning
	Authn   access.Gate
	Audit   audit.Recorder // uploads and views of patient images
	Log     *slog.Logger
}

// Handler holds what the endpoints need.
type Handler struct {
	Deps
	cacheControl []string            // of every tile, made once: it is on the hot path
	contentTypes map[string][]string // by tile format, likewise
}

// uploaders may add slides to a project; viewers only look.
var uploaders = []string{access.ProjectManager, access.ProjectReviewer, access.ProjectAnnotator}

// Register adds the tiler service's routes to e. Every route names the
// rule it requires.
func Register(e *gin.Engine, d Deps) {
	h := &Handler{Deps: d, cacheControl: []string{fmt.Sprintf("private, max-age=%d", int(d.Config.MaxAge.Seconds()))},
		contentTypes: map[string][]string{}}
	for _, f := range []string{"jpeg", "png", "webp"} {
		h.contentTypes[f] = []string{"image/" + f}
	}
	httpapi.ServeOpenAPI(e, "/api/v1/slides/openapi.json", openAPI)
	g := e.Group("/", d.Authn.Middleware())
	g.POST("/api/v1/slides", access.Require(access.SignedIn), h.upload)
	g.GET("/api/v1/slides", access.Require(access.InProject(queryProject)), h.list)
	g.GET("/api/v1/slides/:id", access.Require(access.InProject(h.slideProject("id"))), h.get)
	slideWriter := access.Require(access.InProject(h.slideProject("id"), uploaders...))
	g.POST("/api/v1/slides/:id/retry", slideWriter, h.retry)
	g.POST("/api/v1/slides/:id/overlays", slideWriter, h.uploadOverlay)
	g.GET("/api/v1/slides/:id/overlays", access.Require(access.InProject(h.slideProject("id"))), h.listOverlays)
	up := access.Require(access.InProject(h.uploadProject, uploaders...))
	g.POST("/api/v1/uploads", access.Require(access.SignedIn), h.startUpload)
	g.GET("/api/v1/uploads/:id", access.Require(access.InProject(h.uploadProject)), h.getUpload)
	g.PUT("/api/v1/uploads/:id/parts/:n", up, h.putPart)
	g.POST("/api/v1/uploads/:id/complete", up, h.completeUpload)
	g.DELETE("/api/v1/uploads/:id", up, h.abortUpload)
	t := g.Group("/tiles", rejectEscapedPaths)
	t.GET("/:name", access.Require(access.InProject(h.slideProject("name"))), h.dzi)
	t.GET("/:name/thumbnail.jpeg", access.Require(access.InProject(h.slideProject("name"))), h.thumbnail)
	for _, name := range tiler.AssociatedImages {
		t.GET("/:name/"+name+".jpeg", access.Require(access.InProject(h.slideProject("name"))), h.associated(name))
	}
	t.GET("/:name/:level/:tile", access.Require(access.InProject(h.slideProject("name"))), h.tile)
	t.GET("/overlays/:name", access.Require(access.InProject(h.overlayProject)), h.overlayDZI)
	t.GET("/overlays/:name/:level/:tile", access.Require(access.InProject(h.overlayProject)), h.overlayTile)
}
