package http

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) listTokens(c *gin.Context) {
	ts, err := h.Store.Tokens(c.Request.Context(), access.PrincipalOf(c).UserID)
	respond(c, http.StatusOK, ts, err)
}

// createToken answers the secret once, in the "token" field. Only a
// recent sign-in may create one: a token cannot mint another (a leaked one
// would renew itself forever), and neither can a session left open or
// stolen long after its password was typed.
func (h *Handler) createToken(c *gin.Context) {
	if err := recentSignIn(access.PrincipalOf(c), time.Now(), h.Config.TokenReauth); err != nil {
		httpapi.Fail(c, err)
		return
	}
	var in auth.TokenInput
	if !decode(c, &in) {
		return
	}
	t, err := h.Store.CreateToken(c.Request.Context(), actorOf(c), in)
	respond(c, http.StatusCreated, t, err)
}

func (h *Handler) revokeToken(c *gin.Context) {
	id, ok := ids(c, "token_id")
	if !ok {
		return
	}
	hash, err := h.Store.RevokeToken(c.Request.Context(), actorOf(c), access.PrincipalOf(c), id[0])
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.Authn.Forget(c.Request.Context(), hash); err != nil {
		httpapi.Logger(c).Warn("revoked token still cached; it expires by itself", "token", id[0], "err", err)
	}
	c.Status(http.StatusNoContent)
}

func recentSignIn(p *access.Principal, now time.Time, within time.Duration) error {
	if p.Via != "session" {
		return platform.Errorf(platform.EFORBIDDEN, "a token cannot create tokens; sign in with your password to create one")
	}
	if now.Sub(p.SignedInAt) > within {
		return platform.Errorf(platform.EREAUTH, "sign in again to create a token: it needs a sign-in within the last %s", within)
	}
	return nil
}
