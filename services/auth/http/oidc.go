package http

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

const (
	oidcStateCookie = "patholabel_oidc_state"
	oidcLoginTTL    = 10 * time.Minute
	oidcPath        = "/api/v1/auth/oidc"
)

// oidcClient discovers the provider on first use and again after a
// failure, so the service starts even when the provider is down.
type oidcClient struct {
	cfg auth.OIDCConfig

	mu         sync.Mutex
	oauth      *oauth2.Config
	verifier   *oidc.IDTokenVerifier
	logoutVer  *oidc.IDTokenVerifier // for back-channel logout tokens, whose exp is optional
	endSession string                // the provider's end_session_endpoint; "" when it has none (Dex)
}

func newOIDCClient(cfg auth.OIDCConfig) *oidcClient { return &oidcClient{cfg: cfg} }

// get returns the discovered provider. The provider keeps the context it
// was discovered with to fetch rotated keys later, so it gets a
// long-lived one with a bounded HTTP client instead of the request's.
func (o *oidcClient) get() (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	ctx := oidc.ClientContext(context.Background(), &http.Client{Timeout: 10 * time.Second})
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover sign-on provider %s: %w", o.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, nil, fmt.Errorf("read discovery of %s: %w", o.cfg.Issuer, err)
	}
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, o.cfg.Scopes...)}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	o.logoutVer = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, SkipExpiryCheck: true})
	o.endSession = meta.EndSession
	return o.oauth, o.verifier, nil
}

// logout returns the back-channel logout verifier and the end-session
// endpoint, discovering the provider first if need be.
func (o *oidcClient) logout() (*oidc.IDTokenVerifier, string, error) {
	if _, _, err := o.get(); err != nil {
		return nil, "", err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.logoutVer, o.endSession, nil
}

var (
	errNoSSO       = platform.Errorf(platform.ENOTFOUND, "single sign-on is not configured")
	errSSOProvider = platform.Errorf(platform.EUNAVAILABLE, "the sign-on provider cannot be reached; try again shortly")
)

// oidcInfo tells the viewer whether to show a "sign in with…" button.
func (h *Handler) oidcInfo(c *gin.Context) {
	out := gin.H{"enabled": h.oidc != nil, "local_passwords": !h.Config.LocalLogin.Off}
	if h.oidc != nil {
		out["login_url"] = oidcPath + "/login"
	}
	c.JSON(http.StatusOK, out)
}

// oidcLogin starts the authorization code flow with PKCE: the verifier
// and nonce stay in MySQL, the browser keeps only the state.
func (h *Handler) oidcLogin(c *gin.Context) {
	if h.oidc == nil {
		httpapi.Fail(c, errNoSSO)
		return
	}
	oc, _, err := h.oidc.get()
	if err != nil {
		httpapi.Logger(c).Error("single sign-on", "err", err)
		httpapi.Fail(c, errSSOProvider)
		return
	}
	l := auth.OIDCLogin{State: access.NewSecret(""), Verifier: oauth2.GenerateVerifier(), Nonce: access.NewSecret(""),
		ReturnTo: localPath(c.Query("return_to")), ExpiresAt: time.Now().Add(oidcLoginTTL)}
	if err := h.Store.SaveOIDCLogin(c.Request.Context(), l); err != nil {
		httpapi.Fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcStateCookie, Value: l.State, Path: oidcPath, MaxAge: int(oidcLoginTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(c)})
	c.Redirect(http.StatusFound, oc.AuthCodeURL(l.State, oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)))
}

// localPath keeps return_to on this site, so the login cannot be used as
// an open redirect. Browsers drop tabs and newlines from URLs and read a
// backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would
// become the scheme-relative "//evil.example": any control character or
// backslash is refused, and what is left must parse as a bare path.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsFunc(p, unsafeInPath) {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}

func unsafeInPath(r rune) bool { return r == '\\' || unicode.IsControl(r) || r == utf8.RuneError }

var errSSOFailed = platform.Errorf(platform.EUNAUTHORIZED, "single sign-on failed; start again")

// oidcCallback finishes the flow: same browser (state cookie), one use
// (state row), code exchanged with the PKCE verifier, ID token checked
// (signature, issuer, audience, expiry, nonce).
func (h *Handler) oidcCallback(c *gin.Context) {
	if h.oidc == nil {
		httpapi.Fail(c, errNoSSO)
		return
	}
	id, returnTo, err := h.finishOIDC(c)
	if err != nil {
		h.failOIDC(c, err)
		return
	}
	u, sess, changed, err := h.Store.LoginOIDC(c.Request.Context(), auth.OIDCLoginRequest{Identity: id, Rules: h.Config.OIDC.Rules,
		TTL: h.Config.SessionTTL, Idle: h.Config.IdleTimeout, Client: clientOf(c)})
	if err != nil {
		h.auditSSOFailure(c, err, id.Subject)
		h.answerSSOFailure(c, err)
		return
	}
	if changed {
		h.forget(c, u.ID) // the user's other sessions see the new roles at once
	}
	h.setSessionCookie(c, sess)
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcStateCookie, Path: oidcPath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(c)})
	httpapi.Logger(c).Info("signed in with single sign-on", "user", u.ID)
	c.Redirect(http.StatusFound, returnTo)
}

func (h *Handler) failOIDC(c *gin.Context, err error) {
	h.auditSSOFailure(c, err, "")
	if platform.ErrorCode(err) == platform.EINTERNAL {
		httpapi.Logger(c).Warn("single sign-on callback refused", "err", err)
		err = errSSOFailed
	}
	h.answerSSOFailure(c, err)
}

// answerSSOFailure sends a browser back to the login page with the
// reason, where the viewer shows it; any other client gets the error.
func (h *Handler) answerSSOFailure(c *gin.Context, err error) {
	if platform.ErrorCode(err) != platform.EINTERNAL && strings.Contains(c.GetHeader("Accept"), "text/html") {
		c.Redirect(http.StatusSeeOther, "/login?sso_error="+url.QueryEscape(platform.ErrorMessage(err)))
		return
	}
	httpapi.Fail(c, err)
}

// auditSSOFailure records a refused callback with the reason the caller
// saw (the detail of an internal error stays in the service log).
func (h *Handler) auditSSOFailure(c *gin.Context, err error, subject string) {
	detail := map[string]any{"reason": platform.ErrorMessage(err)}
	if subject != "" {
		detail["subject"] = subject
	}
	e := auth.AuditEvent{Action: "login.sso_failure", TargetType: "oidc", Detail: detail}
	if err := h.Store.AuditNow(c.Request.Context(), e, clientOf(c)); err != nil {
		httpapi.Logger(c).Error("audit event lost", "action", e.Action, "err", err)
	}
}

func (h *Handler) finishOIDC(c *gin.Context) (auth.OIDCIdentity, string, error) {
	var id auth.OIDCIdentity
	if e := c.Query("error"); e != "" {
		return id, "", platform.Errorf(platform.EUNAUTHORIZED, "the sign-on provider refused: %.200s", e)
	}
	state := c.Query("state")
	ck, err := c.Cookie(oidcStateCookie)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(ck), []byte(state)) != 1 {
		return id, "", platform.Errorf(platform.EUNAUTHORIZED, "single sign-on state does not match this browser; start again")
	}
	l, err := h.Store.TakeOIDCLogin(c.Request.Context(), state)
	if err != nil {
		return id, "", err
	}
	id, err = h.exchange(c.Request.Context(), c.Query("code"), l)
	return id, l.ReturnTo, err
}

func (h *Handler) exchange(ctx context.Context, code string, l *auth.OIDCLogin) (auth.OIDCIdentity, error) {
	var id auth.OIDCIdentity
	oc, verifier, err := h.oidc.get()
	if err != nil {
		return id, err
	}
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		return id, fmt.Errorf("exchange code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return id, fmt.Errorf("token response has no id_token")
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return id, fmt.Errorf("verify id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		return id, fmt.Errorf("id token nonce does not match")
	}
	id, err = identityOf(idt, h.Config.OIDC.GroupsClaim)
	id.IDToken = raw
	return id, err
}

var errGroupOverage = platform.Errorf(platform.EUNAUTHORIZED,
	"the sign-on provider left your groups out of the token (too many groups); ask your administrator to send only the groups assigned to Patholabel")

func identityOf(idt *oidc.IDToken, groupsClaim string) (auth.OIDCIdentity, error) {
	var claims struct {
		PreferredUsername string         `json:"preferred_username"`
		Email             string         `json:"email"`
		Name              string         `json:"name"`
		SID               string         `json:"sid"`
		ClaimNames        map[string]any `json:"_claim_names"`
	}
	var all map[string]any
	if err := idt.Claims(&claims); err != nil {
		return auth.OIDCIdentity{}, fmt.Errorf("read id token claims: %w", err)
	}
	if err := idt.Claims(&all); err != nil {
		return auth.OIDCIdentity{}, fmt.Errorf("read id token claims: %w", err)
	}
	// Entra ID replaces a long groups claim by a pointer to its Graph API
	// ("group overage"): signing in without the groups would strip the
	// person's roles, so it is refused with the reason instead.
	if _, over := claims.ClaimNames[groupsClaim]; over {
		return auth.OIDCIdentity{}, errGroupOverage
	}
	return auth.OIDCIdentity{Subject: idt.Subject, PreferredUsername: claims.PreferredUsername, Email: claims.Email, Name: claims.Name,
		SID: claims.SID, Groups: stringsOf(all[groupsClaim])}, nil
}

// stringsOf reads a groups claim: a list of strings, or one string (ADFS
// sends a single group as a plain value).
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
