package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// listProjects answers the caller's projects with their role in each:
// the viewer's project picker.
func (h *Handler) listProjects(c *gin.Context) {
	ps, err := h.Store.Projects(c.Request.Context(), access.PrincipalOf(c))
	respond(c, http.StatusOK, ps, err)
}

func (h *Handler) createProject(c *gin.Context) {
	var in auth.ProjectInput
	if !decode(c, &in) {
		return
	}
	p, err := h.Store.CreateProject(c.Request.Context(), actorOf(c), in)
	if p != nil {
		p.Role = auth.RoleAdminView
	}
	respond(c, http.StatusCreated, p, err)
}

func (h *Handler) getProject(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	p, err := h.Store.ProjectByID(c.Request.Context(), id[0])
	if p != nil {
		p.Role = roleIn(access.PrincipalOf(c), id[0])
	}
	respond(c, http.StatusOK, p, err)
}

func roleIn(p *access.Principal, project int64) string {
	if r := p.ProjectRole(project); r != "" {
		return r
	}
	return auth.RoleAdminView // only admins pass the rule without a role
}

func (h *Handler) patchProject(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	var patch auth.ProjectPatch
	if !decode(c, &patch) {
		return
	}
	p, err := h.Store.UpdateProject(c.Request.Context(), actorOf(c), id[0], patch)
	if p != nil {
		p.Role = roleIn(access.PrincipalOf(c), id[0])
	}
	respond(c, http.StatusOK, p, err)
}

func (h *Handler) deleteProject(c *gin.Context) {
	id, ok := ids(c, "project_id")
	if !ok {
		return
	}
	members, err := h.Store.Members(c.Request.Context(), id[0])
	if err == nil {
		err = h.Store.DeleteProject(c.Request.Context(), actorOf(c), id[0])
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	for _, m := range members {
		h.forget(c, m.UserID)
	}
	c.Status(http.StatusNoContent)
}
