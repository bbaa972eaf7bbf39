package http

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// meResponse is the answer of login and /me: who is signed in, in which
// projects, and the CSRF token the viewer must send back on writes.
type meResponse struct {
	User      *auth.User        `json:"user"`
	Projects  []auth.Membership `json:"projects"`
	CSRFToken string            `json:"csrf_token,omitempty"`
}

func clientOf(c *gin.Context) auth.ClientInfo {
	return auth.ClientInfo{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

func (h *Handler) login(c *gin.Context) {
	var req loginRequest
	if err := httpapi.DecodeJSON(c, &req); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if req.Username == "" || req.Password == "" {
		httpapi.Fail(c, platform.Errorf(platform.EINVALID, "fields \"username\" and \"password\" are required"))
		return
	}
	u, sess, err := h.store.Login(c, req.Username, req.Password, h.cfg.SessionTTL, clientOf(c))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: access.CookieName, Value: sess.Secret, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(c),
	})
	h.respondMe(c, u, sess.CSRFToken)
}

// secure sets the cookie's Secure flag when configured or when the request
// reached us over TLS, directly or through the ingress.
func (h *Handler) secure(c *gin.Context) bool {
	return h.cfg.CookieSecure || c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

func (h *Handler) logout(c *gin.Context) {
	p := access.PrincipalOf(c)
	if cr, ok := access.CredentialOf(c.Request); ok && cr.Kind == "session" {
		if err := h.store.Logout(c, p, cr.Secret, clientOf(c)); err != nil {
			httpapi.Fail(c, err)
			return
		}
		if err := h.authn.Forget(c, access.HashSecret(cr.Secret)); err != nil {
			httpapi.Logger(c).Warn("logout: cached session not dropped; it expires by itself", "err", err)
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: access.CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(c)})
	c.Status(http.StatusNoContent)
}

func (h *Handler) me(c *gin.Context) {
	p := access.PrincipalOf(c)
	u, err := h.store.UserByID(c, p.UserID)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.respondMe(c, u, p.CSRFToken)
}

func (h *Handler) respondMe(c *gin.Context, u *auth.User, csrf string) {
	ms, err := h.store.Memberships(c, u.ID)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, meResponse{User: u, Projects: ms, CSRFToken: csrf})
}
