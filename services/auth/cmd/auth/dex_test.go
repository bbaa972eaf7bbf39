package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/config"
)

// directory is a real single sign-on: Dex (the pinned build of
// scripts/tools/dex) in front of slapd seeded as a hospital directory,
// both started by scripts/sso-dev.sh, the way `PATHOLABEL_SSO=dev make up`
// and the browser e2e start them.
type directory struct {
	issuer string
	oidc   auth.OIDCConfig
	state  string // scripts/sso-dev.sh's folder
}

// dirPassword is the seeded people's password (scripts/sso-dev.sh).
const dirPassword = "Directory-pass-1"

func startDirectory(t *testing.T, patholabel string) *directory {
	t.Helper()
	script, err := filepath.Abs("../../../../scripts/sso-dev.sh")
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir(): slapd drops to Debian's openldap account, which must
	// be able to reach its folder, and t.TempDir's parent is private.
	state, err := os.MkdirTemp("", "patholabel-sso-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	ldap, dex := freeAddr(t), freeAddr(t)
	port := func(a string) string { return a[strings.LastIndex(a, ":")+1:] }
	cmd := exec.Command(script, "start", state, patholabel)
	cmd.Env = append(os.Environ(), "PL_LDAP_PORT="+port(ldap), "PL_DEX_PORT="+port(dex))
	t.Cleanup(func() {
		if out, err := exec.Command(script, "stop", state).CombinedOutput(); err != nil {
			t.Errorf("stop the directory: %v\n%s", err, out)
		}
	})
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("scripts/sso-dev.sh start: %v\n%s", err, stderr)
	}
	vars := map[string]string{}
	f, err := os.Open(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	// The auth service reads the env file exactly as make up hands it over.
	r := config.NewReader(config.FromMap(vars))
	c := readConfig(r)
	if err := r.Err(); err != nil {
		t.Fatalf("the env file of scripts/sso-dev.sh: %v", err)
	}
	return &directory{issuer: c.OIDC.Issuer, oidc: c.OIDC, state: state}
}

var formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)

// signInAtDex follows the sign-on from Patholabel to Dex's login page,
// posts the directory credentials there as a person would, and returns
// the last response: the redirect to return_to (/slides/7) on success,
// Dex's page when it refused.
func signInAtDex(t *testing.T, b *client, user, password string) (*http.Response, string) {
	t.Helper()
	resp := b.send("GET", "/api/v1/auth/oidc/login?return_to=/slides/7", nil)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formAction.FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("Dex's login page: %d %s", resp.StatusCode, page)
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = b.http.PostForm(action.String(), url.Values{"login": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func TestDexDirectorySignIn(t *testing.T) {
	addr := freeAddr(t)
	dir := startDirectory(t, "http://"+addr)
	e := mustEnv(t, func(m *Main) {
		m.Base.HTTP.Listen = addr
		m.Auth.OIDC = dir.oidc
	})
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	gbm := id(admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "GBM H&E"}), "id")

	roles := map[string][2]string{"asmith": {"user", "annotator"}, "bjones": {"admin", ""}, "clee": {"user", "reviewer"}}
	for user, want := range roles {
		b := browser(t, e.base)
		resp, body := signInAtDex(t, b, user, dirPassword)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/slides/7" {
			t.Fatalf("%s signing in at Dex ended with %d %s", user, resp.StatusCode, body)
		}
		me := b.must(200, "GET", "/api/v1/auth/me", nil)
		u := me["user"].(map[string]any)
		role := ""
		for _, p := range me["projects"].([]any) {
			if id(p.(map[string]any), "project_id") == gbm {
				role = p.(map[string]any)["role"].(string)
			}
		}
		if u["username"] != user || u["origin"] != "sso" || u["email"] != user+"@hospital.example" || u["system_role"] != want[0] || role != want[1] {
			t.Errorf("%s after signing in through the directory: %v, role in GBM H&E %q; want system role %s, project role %q", user, u, role, want[0], want[1])
		}
	}

	// The directory refuses a wrong password on Dex's own page.
	resp, body := signInAtDex(t, browser(t, e.base), "asmith", "not-her-password")
	if resp.StatusCode != 401 && resp.StatusCode != 200 || !strings.Contains(body, "Invalid") {
		t.Errorf("wrong password at Dex: %d, want its login page again saying Invalid", resp.StatusCode)
	}
	// Dex vouches for Dana, who is in no group that may use Patholabel.
	resp, _ = signInAtDex(t, browser(t, e.base), "dkhan", dirPassword)
	if resp.StatusCode != 403 {
		t.Errorf("dkhan (no provisioning group) = %d, want 403", resp.StatusCode)
	}
	if _, users := admin.list("/api/v1/users?q=dkhan"); len(users) != 0 {
		t.Errorf("an account was made for dkhan: %v", users)
	}
	// Dex has no session to end (no end_session_endpoint): signing out
	// ends Patholabel's session alone, and the next sign-in asks again.
	b := browser(t, e.base)
	signInAtDex(t, b, "asmith", dirPassword)
	b.csrf = b.must(200, "GET", "/api/v1/auth/me", nil)["csrf_token"].(string)
	if st, _ := b.do("POST", "/api/v1/auth/logout", nil); st != 204 {
		t.Errorf("logout of a Dex session = %d, want 204", st)
	}
	if resp, _ := signInAtDex(t, b, "asmith", dirPassword); resp.StatusCode != http.StatusFound {
		t.Errorf("signing in again after logout = %d", resp.StatusCode)
	}
}

// What the real provider refuses by itself, shown against Dex directly
// as a client would meet it: an unregistered redirect URI, a code redeemed
// by another client, a wrong client secret, a PKCE verifier that does not
// match, a code used twice. (A bad nonce and an expired or foreign ID token
// are what Patholabel itself refuses: the hand-written provider's tests.)
func TestDexRefuses(t *testing.T) {
	addr := freeAddr(t)
	callback := "http://" + addr + "/api/v1/auth/oidc/callback"
	dir := startDirectory(t, "http://"+addr)
	var disc struct {
		Auth       string `json:"authorization_endpoint"`
		Token      string `json:"token_endpoint"`
		EndSession string `json:"end_session_endpoint"`
	}
	resp, err := http.Get(dir.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc.EndSession != "" {
		t.Errorf("Dex now advertises end_session_endpoint %q: test RP-initiated logout against it", disc.EndSession)
	}

	authURL := func(redirect, verifier string) string {
		sum := sha256.Sum256([]byte(verifier))
		q := url.Values{"client_id": {"patholabel"}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid groups"},
			"state": {"s"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
		return disc.Auth + "?" + q.Encode()
	}
	resp, err = http.Get(authURL("http://evil.example/cb", "v"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || strings.Contains(string(page), "<form") {
		t.Errorf("authorization with an unregistered redirect_uri = %d, want 400 and no login form", resp.StatusCode)
	}

	// code signs in at Dex and returns the code it hands the callback.
	code := func(verifier string) string {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host == addr {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		resp, err := hc.Get(authURL(callback, verifier))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := formAction.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no login form at Dex: %d %s", resp.StatusCode, page)
		}
		action, _ := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
		resp, err = hc.PostForm(action.String(), url.Values{"login": {"asmith"}, "password": {dirPassword}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Query().Get("code") == "" {
			t.Fatalf("Dex did not hand back a code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc.Query().Get("code")
	}
	exchangeAs := func(client, code, secret, verifier string) (int, string) {
		req, _ := http.NewRequest("POST", disc.Token, strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {callback}, "code_verifier": {verifier}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(client, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Error   string `json:"error"`
			IDToken string `json:"id_token"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Error
	}
	exchange := func(code, secret, verifier string) (int, string) {
		return exchangeAs("patholabel", code, secret, verifier)
	}
	verifier := "a-verifier-of-at-least-forty-three-characters-0001"
	// The audience of a code: another client of the same provider, with its
	// own valid secret, cannot redeem one issued to Patholabel.
	other, err := os.ReadFile(filepath.Join(dir.state, "sso", "another-app-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if st, e := exchangeAs("another-app", code(verifier), strings.TrimSpace(string(other)), verifier); st < 400 || e == "" {
		t.Errorf("another client redeeming Patholabel's code = %d %q, want a refusal", st, e)
	}
	if st, e := exchange(code(verifier), "not-the-secret", verifier); st != 401 || e != "invalid_client" {
		t.Errorf("exchange with a wrong client secret = %d %s, want 401 invalid_client", st, e)
	}
	if st, e := exchange(code(verifier), dir.oidc.ClientSecret, verifier+"x"); st != 400 || e != "invalid_grant" {
		t.Errorf("exchange with a PKCE verifier that does not match = %d %s, want 400 invalid_grant", st, e)
	}
	c := code(verifier)
	if st, e := exchange(c, dir.oidc.ClientSecret, verifier); st != 200 {
		t.Fatalf("genuine exchange = %d %s", st, e)
	}
	if st, e := exchange(c, dir.oidc.ClientSecret, verifier); st != 400 || e != "invalid_grant" {
		t.Errorf("the same code again = %d %s, want 400 invalid_grant", st, e)
	}
}
