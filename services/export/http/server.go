// Package http serves the export service's API with gin.
package http

import (
	_ "embed"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the service's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Deps are what the endpoints need.
type Deps struct {
	Store   export.Exports
	Objects export.Files
	Waker   export.Waker // nil without Redis: workers then find jobs by scanning
	Authn   access.Gate
	LinkTTL time.Duration
	Audit   audit.Recorder // export creation and download links
	Log     *slog.Logger
}

// Handler holds what the endpoints need. Handlers hand the store the
// request's context, never the *gin.Context (gin reuses it).
type Handler struct{ Deps }

// Register adds the export service's routes to e. Every route names the
// rule it requires: managers of the export's project, and admins.
func Register(e *gin.Engine, d Deps) {
	h := &Handler{Deps: d}
	httpapi.ServeOpenAPI(e, "/api/v1/exports/openapi.json", openAPI)
	g := e.Group("/api/v1/exports", d.Authn.Middleware())
	manager := func(f access.ProjectFunc) gin.HandlerFunc {
		return access.Require(access.InProject(f, access.ProjectManager))
	}
	g.POST("", httpapi.Bind[export.Params](httpapi.MaxJSONBody), manager(projectOfBody), h.create)
	g.GET("", manager(projectOfQuery), h.list)
	g.GET("/:export_id", manager(h.projectOfExport), h.get)
	g.GET("/:export_id/files", manager(h.projectOfExport), h.files)
	g.GET("/:export_id/zip", manager(h.projectOfExport), h.zip)
	g.POST("/:export_id/cancel", manager(h.projectOfExport), h.cancel)
	g.PUT("/:export_id/pin", manager(h.projectOfExport), h.pin(true))
	g.DELETE("/:export_id/pin", manager(h.projectOfExport), h.pin(false))
}
