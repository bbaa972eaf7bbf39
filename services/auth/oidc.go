package auth

import (
	"net/url"

	"github.com/patholabel/patholabel/services/platform/config"
)

// OIDCConfig switches on single sign-on with an OpenID Connect provider
// (authorization code flow with PKCE).
type OIDCConfig struct {
	Issuer       string // e.g. https://keycloak.example.org/realms/lab
	ClientID     string
	ClientSecret string // empty for a public client (PKCE alone)
	RedirectURL  string // this service's /api/v1/auth/oidc/callback as the browser sees it
}

// Enabled reports whether single sign-on is configured.
func (c OIDCConfig) Enabled() bool { return c.Issuer != "" }

// Validate names the first missing or malformed OIDC setting; an
// unconfigured OIDC (no issuer) is valid: single sign-on is off.
func (c OIDCConfig) Validate() error {
	switch {
	case !c.Enabled():
		return nil
	case !isURL(c.Issuer):
		return config.Invalid("PATHOLABEL_OIDC_ISSUER", c.Issuer, "an http(s) URL")
	case c.ClientID == "":
		return config.Invalid("PATHOLABEL_OIDC_CLIENT_ID", "", "set when PATHOLABEL_OIDC_ISSUER is")
	case !isURL(c.RedirectURL):
		return config.Invalid("PATHOLABEL_OIDC_REDIRECT_URL", c.RedirectURL, "an http(s) URL ending in /api/v1/auth/oidc/callback")
	}
	return nil
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// OIDCIdentity is what the provider vouches for after a login.
type OIDCIdentity struct {
	Subject           string // issuer-scoped stable id
	PreferredUsername string
	Email             string
	Name              string
}
