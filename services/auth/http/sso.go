package http

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func (h *Handler) registerSSO(e *gin.Engine, g *gin.RouterGroup) {
	// The provider calls this itself, with no cookie and no CSRF token:
	// the logout token's signature is what authenticates it.
	e.POST(oidcPath+"/backchannel-logout", access.Require(access.Anyone), h.backchannelLogout)
	// Loaded in the provider's page (an iframe): no session cookie comes
	// along (SameSite=Lax), so the sid the provider names is the key.
	e.GET(oidcPath+"/frontchannel-logout", access.Require(access.Anyone), h.frontchannelLogout)
	g.GET("/api/v1/auth/sso", access.Require(access.Admin), h.ssoSettings)
	g.POST("/api/v1/auth/sso/rules", access.Require(access.Admin), h.createGroupRule)
	g.DELETE("/api/v1/auth/sso/rules/:rule_id", access.Require(access.Admin), h.deleteGroupRule)
}

// ssoSettingsResponse is the admin screen's view: the settings, then
// every rule, the configuration's (read-only) before the stored ones.
type ssoSettingsResponse struct {
	Settings auth.SSOSettings `json:"settings"`
	Rules    []auth.GroupRule `json:"rules"`
}

func (h *Handler) ssoSettings(c *gin.Context) {
	stored, err := h.Store.GroupRules(c.Request.Context())
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	o := h.Config.OIDC
	st := auth.SSOSettings{Enabled: o.Enabled(), Issuer: o.Issuer, GroupsClaim: o.GroupsClaim, LocalPasswords: "on",
		SessionTTL: h.Config.SessionTTL.String(), IdleTimeout: h.Config.IdleTimeout.String()}
	if h.Config.LocalLogin.Off {
		st.LocalPasswords, st.BreakGlass = "break-glass", h.Config.LocalLogin.BreakGlass
	}
	rules := append(append([]auth.GroupRule{}, o.Rules...), stored...)
	c.JSON(http.StatusOK, ssoSettingsResponse{Settings: st, Rules: rules})
}

func (h *Handler) createGroupRule(c *gin.Context) {
	var in auth.GroupRule
	if !decode(c, &in) {
		return
	}
	r, err := h.Store.CreateGroupRule(c.Request.Context(), actorOf(c), in)
	respond(c, http.StatusCreated, r, err)
}

func (h *Handler) deleteGroupRule(c *gin.Context) {
	id, ok := ids(c, "rule_id")
	if !ok {
		return
	}
	if err := h.Store.DeleteGroupRule(c.Request.Context(), actorOf(c), id[0]); err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// endSessionURL is where the browser goes to sign out at the provider
// too (OpenID Connect RP-Initiated Logout 1.0), or "" when the session did
// not come from it or the provider has no end-session endpoint.
func (h *Handler) endSessionURL(ctx context.Context, secret string) (string, error) {
	if h.oidc == nil {
		return "", nil
	}
	hint, err := h.Store.SessionIDToken(ctx, secret)
	if err != nil || hint == "" {
		return "", err
	}
	_, endpoint, err := h.oidc.logout()
	if err != nil || endpoint == "" {
		return "", err
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("end_session_endpoint %q: %w", endpoint, err)
	}
	q := u.Query()
	q.Set("id_token_hint", hint)
	q.Set("client_id", h.Config.OIDC.ClientID)
	q.Set("post_logout_redirect_uri", h.postLogoutURL())
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// postLogoutURL is the configured one, or the root of the site the
// callback URL names.
func (h *Handler) postLogoutURL() string {
	if h.Config.OIDC.PostLogoutURL != "" {
		return h.Config.OIDC.PostLogoutURL
	}
	u, err := url.Parse(h.Config.OIDC.RedirectURL)
	if err != nil {
		return "/"
	}
	return u.Scheme + "://" + u.Host + "/"
}

const backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutTokenMaxAge bounds how old (by iat) a logout token may be, so a
// token captured once cannot be kept for later; jti stops the replay of
// a fresh one.
const logoutTokenMaxAge = 10 * time.Minute

// backchannelLogout is OpenID Connect Back-Channel Logout 1.0: the
// provider posts a signed logout token naming a subject and/or one of
// its sessions, and every session here opened under it ends. It answers
// 200, or 400 with an OAuth error when the token is refused.
func (h *Handler) backchannelLogout(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if h.oidc == nil {
		httpapi.Fail(c, errNoSSO)
		return
	}
	l, err := h.verifyLogoutToken(c.Request.Context(), c.PostForm("logout_token"))
	if err != nil {
		h.refuseLogout(c, err, "backchannel")
		return
	}
	hashes, err := h.Store.BackchannelLogout(c.Request.Context(), l, clientOf(c))
	if platform.ErrorCode(err) == platform.EINVALID {
		h.refuseLogout(c, err, "backchannel")
		return
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.Authn.Forget(c.Request.Context(), hashes...); err != nil {
		httpapi.Logger(c).Warn("back-channel logout: cached sessions not dropped; they expire by themselves", "err", err)
	}
	httpapi.Logger(c).Info("back-channel logout", "sessions", len(hashes))
	c.Status(http.StatusOK)
}

func (h *Handler) refuseLogout(c *gin.Context, err error, channel string) {
	reason := platform.ErrorMessage(err)
	if platform.ErrorCode(err) == platform.EINTERNAL {
		httpapi.Logger(c).Warn("back-channel logout refused", "err", err)
		reason = "logout token refused"
	}
	e := auth.AuditEvent{Action: "logout." + channel + "_refused", TargetType: "oidc", Detail: map[string]any{"reason": reason}}
	if err := h.Store.AuditNow(c.Request.Context(), e, clientOf(c)); err != nil {
		httpapi.Logger(c).Error("audit event lost", "action", e.Action, "err", err)
	}
	c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": reason})
}

// verifyLogoutToken checks a logout token as the specification says:
// signature, issuer and audience (the ID token verifier), the
// back-channel event, a sub or sid, a jti, no nonce (so an ID token cannot
// pass for one), and its age.
func (h *Handler) verifyLogoutToken(ctx context.Context, raw string) (auth.OIDCLogout, error) {
	var l auth.OIDCLogout
	if raw == "" {
		return l, platform.Errorf(platform.EINVALID, "logout_token is required")
	}
	ver, _, err := h.oidc.logout()
	if err != nil {
		return l, err
	}
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		return l, platform.Errorf(platform.EINVALID, "logout token: %s", firstLine(err.Error()))
	}
	var cl struct {
		SID    string         `json:"sid"`
		JTI    string         `json:"jti"`
		Nonce  *string        `json:"nonce"`
		Events map[string]any `json:"events"`
		Exp    *int64         `json:"exp"`
	}
	if err := tok.Claims(&cl); err != nil {
		return l, platform.Errorf(platform.EINVALID, "logout token claims: %s", err)
	}
	now := time.Now()
	_, event := cl.Events[backchannelEvent]
	switch {
	case !event:
		return l, platform.Errorf(platform.EINVALID, "logout token lacks the back-channel logout event")
	case cl.Nonce != nil:
		return l, platform.Errorf(platform.EINVALID, "logout token must not carry a nonce")
	case tok.Subject == "" && cl.SID == "":
		return l, platform.Errorf(platform.EINVALID, "logout token names neither sub nor sid")
	case cl.JTI == "":
		return l, platform.Errorf(platform.EINVALID, "logout token has no jti")
	case tok.IssuedAt.IsZero() || now.Sub(tok.IssuedAt) > logoutTokenMaxAge || tok.IssuedAt.Sub(now) > time.Minute:
		return l, platform.Errorf(platform.EINVALID, "logout token iat is missing or not recent")
	case cl.Exp != nil && now.After(time.Unix(*cl.Exp, 0)):
		return l, platform.Errorf(platform.EINVALID, "logout token expired")
	}
	return auth.OIDCLogout{Subject: tok.Subject, SID: cl.SID, JTI: tok.Issuer + " " + cl.JTI, Expires: tok.IssuedAt.Add(logoutTokenMaxAge + time.Minute),
		Channel: "backchannel"}, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// frontchannelLogout is OpenID Connect Front-Channel Logout 1.0 with
// frontchannel_logout_session_required: the provider's logout page loads
// this URL with its issuer and the session id (sid) of the ID token, and
// every session here opened under that provider session ends. Without a
// sid nothing can be told apart (the cookie does not come along in the
// provider's iframe), so it answers 400. Anyone may call it, as the
// specification allows: it can only end sessions whose sid one knows, and
// a sid is only ever in the ID tokens the provider gave the person.
func (h *Handler) frontchannelLogout(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if h.oidc == nil {
		httpapi.Fail(c, errNoSSO)
		return
	}
	// The specification sends iss with sid; ADFS's guide names only the
	// sid, so a missing iss is taken as this provider's.
	iss, sid := c.Query("iss"), c.Query("sid")
	if sid == "" || (iss != "" && iss != h.Config.OIDC.Issuer) {
		h.refuseLogout(c, platform.Errorf(platform.EINVALID, "front-channel logout needs this provider's iss and a sid"), "frontchannel")
		return
	}
	hashes, err := h.Store.BackchannelLogout(c.Request.Context(), auth.OIDCLogout{SID: sid, Channel: "frontchannel"}, clientOf(c))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.Authn.Forget(c.Request.Context(), hashes...); err != nil {
		httpapi.Logger(c).Warn("front-channel logout: cached sessions not dropped; they expire by themselves", "err", err)
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<!doctype html><title>Signed out of Patholabel</title>"))
}
