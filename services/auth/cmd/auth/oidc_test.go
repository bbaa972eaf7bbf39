package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/patholabel/patholabel/services/auth"
)

// provider is a small OpenID Connect provider: discovery, JWKS, an
// authorization endpoint that approves at once, and a token endpoint that
// checks the client secret and the PKCE verifier and signs ID tokens.
type provider struct {
	t      *testing.T
	srv    *httptest.Server
	key    *rsa.PrivateKey
	secret string

	mu       sync.Mutex
	subject  string
	badNonce bool
	groups   []string // the groups claim; nil leaves it out
	sid      string   // the sid claim; "" leaves it out
	audience string   // the aud claim (patholabel)
	lifetime time.Duration
	overage  bool // Entra ID's: groups left out for a pointer to its Graph API
	codes    map[string]grant
}

type grant struct {
	challenge, nonce, redirect string
}

func newProvider(t *testing.T) *provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, key: key, secret: "client-secret-1", subject: "sub-1", audience: "patholabel", lifetime: time.Minute, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) set(change func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	change()
}

func (p *provider) discovery(w http.ResponseWriter, _ *http.Request) {
	u := p.srv.URL
	writeJSON(w, 200, map[string]any{"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
		"jwks_uri": u + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
		"end_session_endpoint": u + "/logout?tenant=lab", "backchannel_logout_supported": true, "backchannel_logout_session_supported": true})
}

func (p *provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != "patholabel" || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, 400)
		return
	}
	code := fmt.Sprint(time.Now().UnixNano())
	p.mu.Lock()
	p.codes[code] = grant{q.Get("code_challenge"), q.Get("nonce"), q.Get("redirect_uri")}
	p.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, _ := r.BasicAuth()
	r.ParseForm()
	p.mu.Lock()
	g, ok := p.codes[r.Form.Get("code")]
	delete(p.codes, r.Form.Get("code"))
	sub, nonce := p.subject, g.nonce
	if p.badNonce {
		nonce = "someone-elses"
	}
	extra := map[string]any{"aud": p.audience, "exp": time.Now().Add(p.lifetime).Unix()}
	if p.groups != nil {
		extra["groups"] = p.groups
	}
	if p.sid != "" {
		extra["sid"] = p.sid
	}
	if p.overage {
		extra["_claim_names"] = map[string]string{"groups": "src1"}
		extra["_claim_sources"] = map[string]any{"src1": map[string]string{"endpoint": "https://graph.example/v1.0/users/x/getMemberObjects"}}
	}
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
	switch {
	case id != "patholabel" || secret != p.secret:
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
	case !ok || r.Form.Get("redirect_uri") != g.redirect:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "PKCE verifier does not match"})
	default:
		writeJSON(w, 200, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": p.idToken(sub, nonce, extra)})
	}
}

func (p *provider) idToken(sub, nonce string, extra map[string]any) string {
	now := time.Now()
	claims := map[string]any{"iss": p.srv.URL, "sub": sub, "aud": "patholabel", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		"nonce": nonce, "preferred_username": "Grace Hopper", "email": "grace@example.org", "name": "Grace Hopper"}
	for k, v := range extra {
		claims[k] = v
	}
	return p.sign(p.key, claims)
}

// sign makes a JWT of claims with key, named k1 in the header (the key
// the JWKS publishes, even when key is another: a forgery).
func (p *provider) sign(key *rsa.PrivateKey, claims map[string]any) string {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		p.t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		p.t.Fatal(err)
	}
	return raw
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// freeAddr picks a port for the auth service, whose callback URL must be
// configured before it listens.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// browser follows redirects with cookies and stops at the viewer page the
// login returns to (the auth service does not serve it).
func browser(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/slides/7" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &client{tb: t, base: base, http: hc}
}

// oidcEnv runs the auth service signing in through a new provider,
// listening on the address it returns; more changes its configuration
// further (group rules, say) after the provider's settings.
func oidcEnv(t *testing.T, more ...func(*Main)) (*provider, *env, string) {
	p := newProvider(t)
	addr := freeAddr(t)
	e := mustEnv(t, func(m *Main) {
		m.Base.HTTP.Listen = addr
		m.Auth.OIDC = oidcConfig(p, addr)
		for _, f := range more {
			f(m)
		}
	})
	return p, e, addr
}

// oidcConfig is the auth service's configuration for provider p, the
// service listening on addr.
func oidcConfig(p *provider, addr string) auth.OIDCConfig {
	return auth.OIDCConfig{Issuer: p.srv.URL, ClientID: "patholabel", ClientSecret: p.secret,
		RedirectURL: "http://" + addr + "/api/v1/auth/oidc/callback", Scopes: []string{"profile", "email"}, GroupsClaim: "groups"}
}

func TestOIDCLogin(t *testing.T) {
	p, e, _ := oidcEnv(t)
	if info := newClient(t, e.base).must(200, "GET", "/api/v1/auth/oidc", nil); info["enabled"] != true {
		t.Fatalf("oidc info = %v", info)
	}
	b := browser(t, e.base)
	first := ssoLogin(t, b)
	if first["username"] != "Grace-Hopper" || first["sso"] != true || first["email"] != "grace@example.org" || first["system_role"] != "user" {
		t.Errorf("user created by sign-on = %v", first)
	}
	again := ssoLogin(t, browser(t, e.base))
	if id(again, "id") != id(first, "id") {
		t.Errorf("second sign-on made user %v, want the same user %v (matched by subject)", again["id"], first["id"])
	}
	p.set(func() { p.subject = "sub-2" }) // another person with the same preferred username
	if other := ssoLogin(t, browser(t, e.base)); other["username"] != "Grace-Hopper-2" {
		t.Errorf("second subject's username = %v, want Grace-Hopper-2", other["username"])
	}
}

// ssoLogin runs the whole flow and returns the signed-in user.
func ssoLogin(t *testing.T, b *client) map[string]any {
	t.Helper()
	resp := b.send("GET", "/api/v1/auth/oidc/login?return_to=/slides/7", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/slides/7" {
		t.Fatalf("sign-on ended with %d Location %q, want 302 to /slides/7", resp.StatusCode, resp.Header.Get("Location"))
	}
	return b.must(200, "GET", "/api/v1/auth/me", nil)["user"].(map[string]any)
}

func TestOIDCRefusesForgedOrReplayedCallbacks(t *testing.T) {
	p, e, _ := oidcEnv(t)
	// Stop at the callback to replay it.
	var callback string
	b := browser(t, e.base)
	b.http.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/api/v1/auth/oidc/callback" && callback == "" {
			callback = req.URL.RequestURI()
			return http.ErrUseLastResponse
		}
		return nil
	}
	b.send("GET", "/api/v1/auth/oidc/login", nil).Body.Close()
	if st, body := newClient(t, e.base).do("GET", callback, nil); st != 401 {
		t.Errorf("callback from another browser (no state cookie) = %d %v, want 401", st, body)
	}
	b.http.CheckRedirect = nil
	if st, body := b.do("GET", callback, nil); st != 200 && st != 404 {
		t.Fatalf("genuine callback = %d %v", st, body) // 404: "/" is the viewer, not served here
	}
	if st, _ := b.do("GET", callback, nil); st != 401 {
		t.Errorf("replayed callback = %d, want 401", st)
	}
	p.set(func() { p.badNonce = true })
	resp := browser(t, e.base).send("GET", "/api/v1/auth/oidc/login?return_to=/slides/7", nil)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("ID token with a foreign nonce = %d, want 401", resp.StatusCode)
	}
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	failures := admin.must(200, "GET", "/api/v1/audit?action=login.sso_failure", nil)["entries"].([]any)
	if len(failures) != 3 {
		t.Errorf("audit log has %d sso failures, want 3 (no state cookie, replay, foreign nonce): %v", len(failures), failures)
	}
	for _, f := range failures {
		if ip := f.(map[string]any)["client_ip"]; ip != "127.0.0.1" {
			t.Errorf("sso failure recorded from %v, want 127.0.0.1", ip)
		}
	}
}
