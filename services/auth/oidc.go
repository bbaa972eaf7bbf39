package auth

import (
	"net/url"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
)

// OIDCConfig switches on single sign-on with an OpenID Connect provider
// (authorization code flow with PKCE).
type OIDCConfig struct {
	Issuer       string // e.g. https://keycloak.example.org/realms/lab
	ClientID     string
	ClientSecret string // empty for a public client (PKCE alone)
	RedirectURL  string // this service's /api/v1/auth/oidc/callback as the browser sees it
	// Scopes asked for besides openid; "groups" for Dex and Keycloak's
	// group scope, nothing more for Entra ID (groups come by the app's
	// manifest) and ADFS (by a claim rule).
	Scopes []string
	// GroupsClaim names the ID token claim that lists the person's groups.
	GroupsClaim string
	// PostLogoutURL is where the provider sends the browser after signing
	// out there (registered with the provider); default: the site's root.
	PostLogoutURL string
	// Rules map groups to roles and account creation (from the chart's
	// values); admins add more in the viewer.
	Rules []GroupRule
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
	case c.PostLogoutURL != "" && !isURL(c.PostLogoutURL):
		return config.Invalid("PATHOLABEL_OIDC_POST_LOGOUT_URL", c.PostLogoutURL, "an http(s) URL")
	case c.GroupsClaim == "":
		return config.Invalid("PATHOLABEL_OIDC_GROUPS_CLAIM", "", "a claim name (groups)")
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
	Groups            []string // from the groups claim; nil when the token has none
	SID               string   // the provider's session, for back-channel logout
	IDToken           string   // the raw ID token, sent back as id_token_hint at logout
}

// OIDCLoginRequest is a sign-in the provider vouched for, with what
// decides the account's rights.
type OIDCLoginRequest struct {
	Identity OIDCIdentity
	Rules    []GroupRule // the configuration's; the stored ones are added
	TTL      time.Duration
	Idle     time.Duration
	Client   ClientInfo
}

// OIDCLogout is a logout the provider sent: every session of Subject
// opened under provider session SID ends (all of Subject's sessions when
// SID is empty, all of SID's when Subject is).
type OIDCLogout struct {
	Subject, SID string
	// JTI is a back-channel logout token's id, refused the second time;
	// empty for a front-channel logout, which carries no token.
	JTI     string
	Expires time.Time // until when the jti is remembered
	Channel string    // "backchannel" or "frontchannel", for the audit log
}
