// Package access authenticates requests for every service and answers
// "may this principal do X on project P".
//
// A principal comes from the session cookie (the viewer) or a bearer token
// (scripts). MySQL holds the only durable copy of sessions and tokens;
// Redis caches resolved principals for a minute and each process keeps a
// few seconds' worth in memory, so a tile request costs no round trip while
// a revocation (logout, disable, password change) takes effect everywhere
// within LocalTTL. What comes from Redis is believed only with a valid seal
// (redis.Sealer): write access to Redis does not make anyone admin.
package access

import "time"

// System roles.
const (
	RoleAdmin = "admin"
	RoleUser  = "user"
)

// Project roles, from least to most powerful for reading purposes.
const (
	ProjectViewer    = "viewer"
	ProjectAnnotator = "annotator"
	ProjectReviewer  = "reviewer"
	ProjectManager   = "manager"
	// ProjectModel is an ML team's token: it reads like a viewer (a model
	// needs the slides) and may post suggestions, nothing else.
	ProjectModel = "model"
)

// Principal is who is calling.
type Principal struct {
	UserID      int64            `json:"user_id"`
	Username    string           `json:"username"`
	DisplayName string           `json:"display_name"`
	SystemRole  string           `json:"system_role"`
	Projects    map[int64]string `json:"projects"`     // project id → project role
	ReadOnly    bool             `json:"read_only"`    // a read-only token
	Via         string           `json:"via"`          // "session" or "token"
	CSRFToken   string           `json:"csrf_token"`   // sessions only
	SignedInAt  time.Time        `json:"signed_in_at"` // sessions only: when the password (or SSO) was checked
}

// IsAdmin reports the admin system role.
func (p *Principal) IsAdmin() bool { return p != nil && p.SystemRole == RoleAdmin }

// ProjectRole is the principal's role in project, "" when not a member.
func (p *Principal) ProjectRole(project int64) string {
	if p == nil {
		return ""
	}
	return p.Projects[project]
}

// Can reports whether the principal holds one of roles in project. Admins
// can do everything.
func (p *Principal) Can(project int64, roles ...string) bool {
	if p.IsAdmin() {
		return true
	}
	have := p.ProjectRole(project)
	for _, r := range roles {
		if have != "" && have == r {
			return true
		}
	}
	return false
}

// CanRead reports membership of project in any role (or admin).
func (p *Principal) CanRead(project int64) bool {
	return p.IsAdmin() || p.ProjectRole(project) != ""
}
