// Package http serves the auth service's API with gin.
package http

import (
	"context"
	_ "embed"
	"log/slog"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI is the service's OpenAPI 3 document.
func OpenAPI() []byte { return openAPI }

// Deps are what the endpoints need.
type Deps struct {
	Config auth.Config
	Store  auth.Store
	Authn  Sessions
	Log    *slog.Logger
}

// Sessions is the gate the routes sit behind (*access.Authenticator),
// which sign-out, token revocation and account changes also tell to
// forget what it cached of a session, a token or a user at once, rather
// than when the cache expires.
type Sessions interface {
	access.Gate
	Forget(ctx context.Context, hashes ...string) error
	ForgetUser(ctx context.Context, user int64) error
}

// Handler holds what the endpoints need. Handlers hand the store the
// request's context, never the *gin.Context: gin reuses its Context for
// the next request while database/sql may still watch the previous one's
// Done channel (a data race the race detector catches).
type Handler struct {
	Deps
	oidc *oidcClient // nil when single sign-on is off
}

// Register adds the auth service's routes to e. Every route names the rule
// it requires, so the endpoint-by-role test can walk them.
func Register(e *gin.Engine, d Deps) {
	h := &Handler{Deps: d}
	if d.Config.OIDC.Enabled() {
		h.oidc = newOIDCClient(d.Config.OIDC)
	}
	httpapi.ServeOpenAPI(e, "/api/v1/auth/openapi.json", openAPI)
	// Login needs no principal; outside the middleware a browser holding
	// an old session cookie but no CSRF token can still sign in again.
	e.POST("/api/v1/auth/login", access.Require(access.Anyone), h.login)
	g := e.Group("/", d.Authn.Middleware())
	h.registerSession(g)
	h.registerUsers(g)
	h.registerProjects(g)
	h.registerTokens(g)
	h.registerSSO(e, g)
	g.GET("/api/v1/audit", access.Require(access.Admin), h.listAudit)
}

func (h *Handler) registerSession(g *gin.RouterGroup) {
	g.POST("/api/v1/auth/logout", access.Require(access.SignedIn), h.logout)
	g.GET("/api/v1/auth/me", access.Require(access.SignedIn), h.me)
	g.POST("/api/v1/auth/password", access.Require(access.SignedIn), h.changePassword)
	g.GET("/api/v1/auth/preferences", access.Require(access.SignedIn), h.getPreferences)
	g.PUT("/api/v1/auth/preferences", access.Require(access.SignedIn), h.putPreferences)
	g.GET("/api/v1/auth/oidc", access.Require(access.Anyone), h.oidcInfo)
	g.GET("/api/v1/auth/oidc/login", access.Require(access.Anyone), h.oidcLogin)
	g.GET("/api/v1/auth/oidc/callback", access.Require(access.Anyone), h.oidcCallback)
}

func (h *Handler) registerUsers(g *gin.RouterGroup) {
	g.GET("/api/v1/users", access.Require(access.Admin), h.listUsers)
	g.POST("/api/v1/users", access.Require(access.Admin), h.createUser)
	g.GET("/api/v1/users/:user_id", access.Require(selfOrAdmin), h.getUser)
	g.PATCH("/api/v1/users/:user_id", access.Require(selfOrAdmin), h.patchUser)
}

var (
	inProject = access.ProjectParam("project_id")
	member    = access.InProject(inProject)
	manager   = access.InProject(inProject, access.ProjectManager)
)

func (h *Handler) registerProjects(g *gin.RouterGroup) {
	g.GET("/api/v1/projects", access.Require(access.SignedIn), h.listProjects)
	g.POST("/api/v1/projects", access.Require(access.Admin), h.createProject)
	p := g.Group("/api/v1/projects/:project_id")
	p.GET("", access.Require(member), h.getProject)
	p.PATCH("", access.Require(manager), h.patchProject)
	p.DELETE("", access.Require(access.Admin), h.deleteProject)
	p.GET("/members", access.Require(member), h.listMembers)
	p.POST("/members", access.Require(manager), h.addMember)
	p.PATCH("/members/:user_id", access.Require(manager), h.patchMember)
	p.DELETE("/members/:user_id", access.Require(manager), h.removeMember)
	p.GET("/members/:user_id/categories", access.Require(member), h.getAssignment)
	p.PUT("/members/:user_id/categories", access.Require(manager), h.putAssignment)
	p.GET("/categories", access.Require(member), h.listCategories)
	p.POST("/categories", access.Require(manager), h.createCategory)
	p.PATCH("/categories/:category_id", access.Require(manager), h.patchCategory)
	p.DELETE("/categories/:category_id", access.Require(manager), h.deleteCategory)
}

func (h *Handler) registerTokens(g *gin.RouterGroup) {
	g.GET("/api/v1/tokens", access.Require(access.SignedIn), h.listTokens)
	g.POST("/api/v1/tokens", access.Require(access.SignedIn), h.createToken)
	g.DELETE("/api/v1/tokens/:token_id", access.Require(access.SignedIn), h.revokeToken)
}
