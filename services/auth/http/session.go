package http

import (
	"errors"
	"mime"
	"net/http"
	"strconv"

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

func (h *Handler) login(c *gin.Context) {
	if err := loginFromThisSite(c.Request); err != nil {
		httpapi.Fail(c, err)
		return
	}
	var req loginRequest
	if !decode(c, &req) {
		return
	}
	if err := firstMissing("username", req.Username, "password", req.Password); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if !h.Config.LocalLogin.Allows(req.Username) {
		h.refusePassword(c, req.Username)
		return
	}
	u, sess, err := h.Store.Login(c.Request.Context(), auth.LoginRequest{Username: req.Username, Password: req.Password,
		TTL: h.Config.SessionTTL, Idle: h.Config.IdleTimeout, Throttle: h.Config.Throttle, Client: clientOf(c)})
	if err != nil {
		h.failLogin(c, req.Username, err)
		return
	}
	h.setSessionCookie(c, sess)
	h.respondMe(c, u, sess.CSRFToken)
}

// failLogin adds Retry-After to throttled logins and logs lockouts.
func (h *Handler) failLogin(c *gin.Context, username string, err error) {
	var t *auth.ThrottledError
	if errors.As(err, &t) {
		c.Header("Retry-After", strconv.Itoa(t.Seconds()))
		httpapi.Logger(c).Warn("login throttled", "username", username, "client_ip", c.ClientIP(), "retry_after_s", t.Seconds())
	}
	httpapi.Fail(c, err)
}

// loginFromThisSite refuses logins a foreign page could send (login
// CSRF: signing the victim into the attacker's account). A cross-site
// form can post text/plain but not application/json, and a browser names
// the page's origin in Origin.
func loginFromThisSite(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return platform.Errorf(platform.EINVALID, "login needs a JSON body sent with Content-Type: application/json")
	}
	if !access.SameOrigin(r) || r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return platform.Errorf(platform.EFORBIDDEN, "cross-origin login refused")
	}
	return nil
}

func firstMissing(pairs ...string) error {
	for i := 0; i < len(pairs); i += 2 {
		if err := httpapi.Required(pairs[i], pairs[i+1] == ""); err != nil {
			return err
		}
	}
	return nil
}

// setSessionCookie sets a browser-session cookie (no Expires: it ends
// when the browser closes, and the session's own end and idle timeout
// hold on the server). Over HTTPS it is __Host- prefixed.
func (h *Handler) setSessionCookie(c *gin.Context, sess *auth.Session) {
	secure := h.secure(c)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: cookieName(secure), Value: sess.Secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure,
	})
}

func cookieName(secure bool) string {
	if secure {
		return access.SecureCookieName
	}
	return access.CookieName
}

// secure sets the cookie's Secure flag when configured or when the request
// reached us over TLS, directly or through the ingress.
func (h *Handler) secure(c *gin.Context) bool {
	return h.Config.CookieSecure || c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

// logout ends the session here; a session that came from the provider
// answers 200 with end_session_url, where the viewer sends the browser to
// end the provider's session too (204 otherwise).
func (h *Handler) logout(c *gin.Context) {
	p := access.PrincipalOf(c)
	endSession := ""
	if cr, ok := access.CredentialOf(c.Request); ok && cr.Kind == "session" {
		var err error
		if endSession, err = h.endSessionURL(c.Request.Context(), cr.Secret); err != nil {
			// Signing out here must not wait for the provider.
			httpapi.Logger(c).Warn("logout: not signing out at the provider", "err", err)
		}
		if err := h.Store.Logout(c.Request.Context(), p, cr.Secret, clientOf(c)); err != nil {
			httpapi.Fail(c, err)
			return
		}
		if err := h.Authn.Forget(c.Request.Context(), access.HashSecret(cr.Secret)); err != nil {
			httpapi.Logger(c).Warn("logout: cached session not dropped; it expires by itself", "err", err)
		}
	}
	secure := h.secure(c)
	http.SetCookie(c.Writer, &http.Cookie{Name: cookieName(secure), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure})
	if endSession != "" {
		c.JSON(http.StatusOK, gin.H{"end_session_url": endSession})
		return
	}
	c.Status(http.StatusNoContent)
}

var errPasswordsOff = platform.Errorf(platform.EFORBIDDEN, "passwords are turned off here; sign in with single sign-on")

// refusePassword answers a password login for an account that must use
// single sign-on. It refuses by name before any lookup, so it tells
// nothing about whether the account exists.
func (h *Handler) refusePassword(c *gin.Context, username string) {
	e := auth.AuditEvent{ActorName: username, Action: "login.failure", TargetType: "user", Detail: map[string]any{"reason": "local passwords are off"}}
	if err := h.Store.AuditNow(c.Request.Context(), e, clientOf(c)); err != nil {
		httpapi.Logger(c).Error("audit event lost", "action", e.Action, "err", err)
	}
	httpapi.Fail(c, errPasswordsOff)
}

func (h *Handler) me(c *gin.Context) {
	p := access.PrincipalOf(c)
	u, err := h.Store.UserByID(c.Request.Context(), p.UserID)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.respondMe(c, u, p.CSRFToken)
}

func (h *Handler) respondMe(c *gin.Context, u *auth.User, csrf string) {
	ms, err := h.Store.Memberships(c.Request.Context(), u.ID)
	respond(c, http.StatusOK, meResponse{User: u, Projects: ms, CSRFToken: csrf}, err)
}

// changePassword keeps the session that made the change and ends the
// user's others.
func (h *Handler) changePassword(c *gin.Context) {
	var in auth.PasswordChange
	if !decode(c, &in) {
		return
	}
	keep := ""
	if cr, ok := access.CredentialOf(c.Request); ok && cr.Kind == "session" {
		keep = access.HashSecret(cr.Secret)
	}
	a := actorOf(c)
	if err := h.Store.ChangePassword(c.Request.Context(), a, in, keep); err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.forget(c, a.ID)
	c.Status(http.StatusNoContent)
}

func (h *Handler) getPreferences(c *gin.Context) {
	p, err := h.Store.Preferences(c.Request.Context(), access.PrincipalOf(c).UserID)
	respond(c, http.StatusOK, p, err)
}

func (h *Handler) putPreferences(c *gin.Context) {
	var p auth.Preferences
	if !decode(c, &p) {
		return
	}
	err := h.Store.SavePreferences(c.Request.Context(), access.PrincipalOf(c).UserID, p)
	respond(c, http.StatusOK, p, err)
}

var errAdminFields = platform.Errorf(platform.EFORBIDDEN,
	"only admins may change system_role, disabled or password; change your own password with POST /api/v1/auth/password")
