// Package http serves the annotation service's API with gin.
package http

import (
	"context"
	_ "embed"
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/mysql"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the service's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Publisher announces committed changes; it never fails a request.
type Publisher interface {
	Publish(ctx context.Context, changes []annotation.Change, requestID string)
}

// Handler holds what the endpoints need.
type Handler struct {
	store  *mysql.Store
	events Publisher
	feed   annotation.Feed // nil: no live updates
	audit  *audit.Log
	log    *slog.Logger
}

// Handlers pass c.Request.Context(), never c, to the store: database/sql
// keeps watching a query's context from its own goroutine, which must not
// outlive the request while gin recycles c for the next one.

// Register adds the annotation service's routes to e. Every route names
// the rule it requires, so the endpoint-by-role test can walk them; rules
// on a mark's author are checked by the store, inside the transaction.
func Register(e *gin.Engine, store *mysql.Store, authn *access.Authenticator, events Publisher, feed annotation.Feed, audits *audit.Log, log *slog.Logger) {
	h := &Handler{store: store, events: events, feed: feed, audit: audits, log: log}
	httpapi.ServeOpenAPI(e, "/api/v1/annotations/openapi.json", openAPI)
	g := e.Group("/api/v1/annotations", authn.Middleware())
	member := access.Require(access.InProject(h.slideOfQuery))
	writer := func(body func() slideRequest) gin.HandlerFunc {
		return access.Require(access.InProject(h.slideOfBody(body), annotation.Writers...))
	}
	g.POST("", writer(func() slideRequest { return &createRequest{} }), h.create)
	g.GET("", member, h.list)
	g.GET("/events", member, h.live)
	g.POST("/batch", writer(func() slideRequest { return &batchRequest{} }), h.batch)
	g.GET("/:id", access.Require(access.InProject(h.slideOfMark)), h.get)
	g.PATCH("/:id", access.Require(access.InProject(h.slideOfMark, annotation.Writers...)), h.patch)
	g.DELETE("/:id", access.Require(access.InProject(h.slideOfMark, annotation.Writers...)), h.delete)
	h.registerHistory(g, member, writer)
	h.registerReview(g, member, writer)
	h.registerImport(g)
}
