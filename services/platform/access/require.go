package access

import (
	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// Rule is what an endpoint requires of its caller. Each endpoint declares
// one when it is registered, so the endpoint-by-role tests can walk them.
type Rule struct {
	Name  string
	Allow func(c *gin.Context, p *Principal) error
}

// Require turns a rule into middleware: 401 when anonymous and the rule
// needs a principal, 403 (or 404) when the principal may not.
func Require(r Rule) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := r.Allow(c, PrincipalOf(c)); err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.Next()
	}
}

var errSignIn = platform.Errorf(platform.EUNAUTHORIZED, "sign in first")

// Anyone allows anonymous callers (login, health).
var Anyone = Rule{"anyone", func(*gin.Context, *Principal) error { return nil }}

// SignedIn allows any principal.
var SignedIn = Rule{"signed-in", func(_ *gin.Context, p *Principal) error {
	if p == nil {
		return errSignIn
	}
	return nil
}}

// Admin allows the admin system role.
var Admin = Rule{"admin", func(_ *gin.Context, p *Principal) error {
	switch {
	case p == nil:
		return errSignIn
	case !p.IsAdmin():
		return platform.Errorf(platform.EFORBIDDEN, "admins only")
	}
	return nil
}}

// ProjectFunc finds the project a request is about (from the path, a query
// parameter, or the resource it names).
type ProjectFunc func(c *gin.Context) (int64, error)

// InProject allows admins and members of the request's project holding one
// of roles; no roles means any member. Non-members get 404 rather than 403,
// so project ids cannot be probed.
func InProject(project ProjectFunc, roles ...string) Rule {
	return Rule{"project:" + joinRoles(roles), func(c *gin.Context, p *Principal) error {
		if p == nil {
			return errSignIn
		}
		id, err := project(c)
		switch {
		case err != nil:
			return err
		case p.IsAdmin():
			return nil
		case p.ProjectRole(id) == "":
			return platform.Errorf(platform.ENOTFOUND, "no such project %d", id)
		case len(roles) > 0 && !p.Can(id, roles...):
			return platform.Errorf(platform.EFORBIDDEN, "your role in project %d does not allow this", id)
		}
		return nil
	}}
}

func joinRoles(roles []string) string {
	if len(roles) == 0 {
		return "member"
	}
	s := roles[0]
	for _, r := range roles[1:] {
		s += "|" + r
	}
	return s
}

// ProjectParam reads the project from a path parameter such as
// "project_id"; a malformed id is not_found like a missing project.
func ProjectParam(name string) ProjectFunc {
	return func(c *gin.Context) (int64, error) { return httpapi.IDParam(c, name) }
}
