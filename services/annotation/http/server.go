// Package http serves the annotation service's API with gin. It depends on
// the service's interfaces (annotation.Store, annotation.Publisher,
// annotation.Feed), never on their implementations: cmd/annotation wires
// those in.
package http

import (
	_ "embed"
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
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
	Config annotation.Config // the limits: MaxResults bounds ?limit=
	Store  annotation.Store
	Models annotation.ModelMarks // the agreement endpoint's model parties
	Events annotation.Publisher
	Feed   annotation.Feed // nil: no live updates
	Authn  access.Gate
	Audit  audit.Recorder // imports
	Log    *slog.Logger
}

// Handler holds what the endpoints need.
type Handler struct{ Deps }

// Handlers pass c.Request.Context(), never c, to the store: database/sql
// keeps watching a query's context from its own goroutine, which must not
// outlive the request while gin recycles c for the next one.

// Register adds the annotation service's routes to e. Every route names
// the rule it requires, so the endpoint-by-role test can walk them; the
// rule reads the slide once and the handler passes it on (see
// annotation.Store for what the store still checks). Routes whose body
// names the slide bind the body first (httpapi.Bind), so the rule reads
// the slide from it and the handler takes the same value.
func Register(e *gin.Engine, d Deps) {
	h := &Handler{Deps: d}
	httpapi.ServeOpenAPI(e, "/api/v1/annotations/openapi.json", openAPI)
	g := e.Group("/api/v1/annotations", d.Authn.Middleware())
	member := access.Require(access.InProject(h.slideOfQuery))
	writer := access.Require(access.InProject(h.slideOfBody, annotation.Writers...))
	g.POST("", httpapi.Bind[createRequest](MaxBody), writer, h.create)
	g.GET("", member, h.list)
	g.GET("/events", member, h.live)
	g.POST("/batch", httpapi.Bind[batchRequest](MaxBody), writer, h.batch)
	g.GET("/:id", access.Require(access.InProject(h.slideOfMark)), h.get)
	g.PATCH("/:id", access.Require(access.InProject(h.slideOfMark, annotation.Writers...)), h.patch)
	g.DELETE("/:id", access.Require(access.InProject(h.slideOfMark, annotation.Writers...)), h.delete)
	h.registerHistory(g, writer)
	h.registerReview(g, member, writer)
	h.registerImport(g)
}
