// Package http serves the auth service's API with gin.
package http

import (
	_ "embed"
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/auth/mysql"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the service's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Handler holds what the endpoints need.
type Handler struct {
	cfg   auth.Config
	store *mysql.Store
	authn *access.Authenticator
	log   *slog.Logger
}

// Register adds the auth service's routes to e. Every route names the rule
// it requires, so the endpoint-by-role test can walk them.
func Register(e *gin.Engine, cfg auth.Config, store *mysql.Store, authn *access.Authenticator, log *slog.Logger) {
	h := &Handler{cfg: cfg, store: store, authn: authn, log: log}
	httpapi.ServeOpenAPI(e, "/api/v1/auth/openapi.json", openAPI)
	g := e.Group("/", authn.Middleware())
	g.POST("/api/v1/auth/login", access.Require(access.Anyone), h.login)
	g.POST("/api/v1/auth/logout", access.Require(access.SignedIn), h.logout)
	g.GET("/api/v1/auth/me", access.Require(access.SignedIn), h.me)
}
