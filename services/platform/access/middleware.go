package access

import (
	"crypto/subtle"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

const principalKey = "patholabel.principal"

// Middleware resolves the caller and enforces the rules that hold for every
// endpoint: a bad bearer token is 401, a cookie-authenticated write needs
// the CSRF token and a same-origin Origin, a read-only token cannot write.
// Endpoint-specific rules are declared with Require.
func (a *Authenticator) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		cr, ok := CredentialOf(c.Request)
		if !ok {
			c.Next()
			return
		}
		p, err := a.Resolve(c.Request.Context(), cr)
		if err != nil {
			httpapi.Fail(c, platform.Errorf(platform.EUNAVAILABLE, "cannot check credentials now; try again shortly"))
			httpapi.Logger(c).Error("resolve credential", "err", err)
			return
		}
		if p != nil { // before checkWrite, so a refused write is logged and audited with its caller
			c.Set(principalKey, p)
			httpapi.SetUser(c, p.UserID)
		}
		if err := checkWrite(c.Request, cr, p); err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.Next()
	}
}

func checkWrite(r *http.Request, cr Credential, p *Principal) error {
	switch {
	case p == nil && cr.Kind == "token":
		return platform.Errorf(platform.EUNAUTHORIZED, "the bearer token is invalid, expired or revoked")
	case p == nil || safeMethod(r.Method):
		return nil // an unknown cookie is anonymous; endpoints decide
	case p.ReadOnly:
		return platform.Errorf(platform.EFORBIDDEN, "this token is read-only")
	case cr.Kind == "session" && !SameOrigin(r):
		return platform.Errorf(platform.EFORBIDDEN, "cross-origin write refused")
	case cr.Kind == "session" && !csrfMatches(r.Header.Get("X-CSRF-Token"), p.CSRFToken):
		return platform.Errorf(platform.EFORBIDDEN, "missing or wrong X-CSRF-Token header")
	}
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// SameOrigin accepts a request without Origin (non-browser clients, which
// cannot carry the cookie's CSRF token by accident) or whose Origin host is
// the host the request was sent to.
func SameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	host := r.Host
	if fwd := r.Header.Get("X-Forwarded-Host"); fwd != "" {
		host = fwd
	}
	return u.Host == host
}

func csrfMatches(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// PrincipalOf returns the caller, nil when anonymous.
func PrincipalOf(c *gin.Context) *Principal {
	if v, ok := c.Get(principalKey); ok {
		return v.(*Principal)
	}
	return nil
}

// Fixed authenticates every request as P (anonymous when nil): a stand-in
// for the Authenticator where a service's handlers are tested without its
// sessions and tokens. Its Middleware has the Authenticator's signature.
type Fixed struct{ P *Principal }

// Middleware makes P the caller.
func (f Fixed) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if f.P != nil {
			c.Set(principalKey, f.P)
		}
	}
}

// Gate is what a service's routes sit behind: middleware that resolves
// the caller (*Authenticator; Fixed in handler tests).
type Gate interface {
	Middleware() gin.HandlerFunc
}
