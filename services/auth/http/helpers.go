package http

import (
	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func clientOf(c *gin.Context) auth.ClientInfo {
	return auth.ClientInfo{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// actorOf is the signed-in caller as the audit log records them.
func actorOf(c *gin.Context) auth.Actor {
	p := access.PrincipalOf(c)
	return auth.Actor{ID: p.UserID, Name: p.Username, Client: clientOf(c)}
}

// forget drops users' cached principals after a change to their rights.
// A failure only delays the change by the Redis TTL, so it is logged.
func (h *Handler) forget(c *gin.Context, users ...int64) {
	for _, u := range users {
		if err := h.Authn.ForgetUser(c.Request.Context(), u); err != nil {
			httpapi.Logger(c).Warn("cached principal not dropped; it expires by itself", "user", u, "err", err)
		}
	}
}

// decode reads a strict JSON body; on failure it has already answered.
func decode(c *gin.Context, v any) bool {
	if err := httpapi.DecodeJSON(c, v); err != nil {
		httpapi.Fail(c, err)
		return false
	}
	return true
}

// ids reads the path parameters named; on failure it has already answered.
func ids(c *gin.Context, names ...string) ([]int64, bool) {
	out := make([]int64, len(names))
	for i, n := range names {
		id, err := httpapi.IDParam(c, n)
		if err != nil {
			httpapi.Fail(c, err)
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

// respond renders v with status, or the error.
func respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(status, v)
}

// selfOrAdmin allows a user to read and edit their own account.
var selfOrAdmin = access.Rule{Name: "self-or-admin", Allow: func(c *gin.Context, p *access.Principal) error {
	if p == nil {
		return platform.Errorf(platform.EUNAUTHORIZED, "sign in first")
	}
	id, err := httpapi.IDParam(c, "user_id")
	switch {
	case err != nil:
		return err
	case p.IsAdmin() || p.UserID == id:
		return nil
	}
	return platform.Errorf(platform.EFORBIDDEN, "you may only see and change your own account")
}}
