package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) listUsers(c *gin.Context) {
	us, err := h.Store.Users(c.Request.Context(), c.Query("q"))
	respond(c, http.StatusOK, us, err)
}

func (h *Handler) createUser(c *gin.Context) {
	var in auth.UserInput
	if !decode(c, &in) {
		return
	}
	u, err := h.Store.CreateUser(c.Request.Context(), actorOf(c), in)
	respond(c, http.StatusCreated, u, err)
}

func (h *Handler) getUser(c *gin.Context) {
	id, ok := ids(c, "user_id")
	if !ok {
		return
	}
	u, err := h.Store.UserByID(c.Request.Context(), id[0])
	respond(c, http.StatusOK, u, err)
}

// patchUser lets users edit their name and e-mail, and admins everything.
// Disabling or resetting a password ends the user's sessions at once in
// MySQL and the shared cache; other replicas' memories follow within
// access.LocalTTL.
func (h *Handler) patchUser(c *gin.Context) {
	id, ok := ids(c, "user_id")
	if !ok {
		return
	}
	var patch auth.UserPatch
	if !decode(c, &patch) {
		return
	}
	if patch.AdminOnly() && !access.PrincipalOf(c).IsAdmin() {
		httpapi.Fail(c, errAdminFields)
		return
	}
	u, err := h.Store.UpdateUser(c.Request.Context(), actorOf(c), id[0], patch)
	if err == nil {
		h.forget(c, id[0])
	}
	respond(c, http.StatusOK, u, err)
}
