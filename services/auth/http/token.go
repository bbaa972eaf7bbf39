package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) listTokens(c *gin.Context) {
	ts, err := h.store.Tokens(c.Request.Context(), access.PrincipalOf(c).UserID)
	respond(c, http.StatusOK, ts, err)
}

// createToken answers the secret once, in the "token" field.
func (h *Handler) createToken(c *gin.Context) {
	var in auth.TokenInput
	if !decode(c, &in) {
		return
	}
	t, err := h.store.CreateToken(c.Request.Context(), actorOf(c), in)
	respond(c, http.StatusCreated, t, err)
}

func (h *Handler) revokeToken(c *gin.Context) {
	id, ok := ids(c, "token_id")
	if !ok {
		return
	}
	hash, err := h.store.RevokeToken(c.Request.Context(), actorOf(c), access.PrincipalOf(c), id[0])
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.authn.Forget(c.Request.Context(), hash); err != nil {
		httpapi.Logger(c).Warn("revoked token still cached; it expires by itself", "token", id[0], "err", err)
	}
	c.Status(http.StatusNoContent)
}
