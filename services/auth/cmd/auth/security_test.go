package main

// Regression tests for the login and token findings of the security
// review (issue 14): each failed before its fix.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// throttle is a budget wide enough not to interfere, with a long first
// delay so a test never races its end.
func throttle(account, ip, global int) auth.Throttle {
	return auth.Throttle{AccountFailures: account, IPFailures: ip, GlobalFailures: global, Window: time.Minute,
		FirstDelay: 30 * time.Second, MaxDelay: time.Minute}
}

// Item 2: concurrent password checks are bounded; the rest get 429 with
// Retry-After instead of 19 MiB of argon2 memory each.
func TestConcurrentLoginsAreBounded(t *testing.T) {
	e := mustEnv(t, func(m *Main) {
		m.Auth.Throttle = throttle(1000, 1000, 10000)
		m.Auth.PasswordChecks, m.Auth.PasswordWait = 2, time.Millisecond
	})
	const n = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	var retry []string
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(t, e.base)
			st, _ := c.login(fmt.Sprintf("flood-%d", i), "wrong-password")
			mu.Lock()
			defer mu.Unlock()
			statuses[st]++
			if st == 429 {
				retry = append(retry, c.header.Get("Retry-After"))
			}
		}()
	}
	wg.Wait()
	if statuses[429] == 0 || statuses[401] == 0 || statuses[401]+statuses[429] != n {
		t.Fatalf("%d concurrent logins with 2 hashing slots answered %v, want some 401 and the rest 429", n, statuses)
	}
	for _, ra := range retry {
		if ra == "" || ra == "0" {
			t.Errorf("429 without a usable Retry-After (%q)", ra)
		}
	}
}

// Item 2: an attempt counts before the password is checked, so clients
// that hang up mid-check still spend the budget.
func TestAbandonedLoginsStillCount(t *testing.T) {
	e := mustEnv(t, func(m *Main) { m.Auth.Throttle = throttle(3, 1000, 10000) })
	host := strings.TrimPrefix(e.base, "http://")
	body := `{"username":"admin","password":"wrong-password"}`
	for range 3 {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, len(body), body)
		conn.Close() // gone before the password check ends
	}
	// Give the server time to finish all three checks (the audit rows
	// come last; before the fix they never came).
	deadline := time.Now().Add(20 * time.Second)
	for n := 0; n < 3 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_ = e.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'login.failure'`).Scan(&n)
	}
	if st, body := newClient(t, e.base).login("admin", adminPassword); st != 429 {
		t.Fatalf("login after 3 abandoned failures = %d %v, want 429: abandoned attempts were not counted", st, body)
	}
}

// Item 4: every spelling the username lookup accepts spends one budget.
// (The counter table shares the users table's collation, so this held
// before too; the counter is now keyed on the account id.)
func TestUsernameVariantsShareOneBudget(t *testing.T) {
	e := mustEnv(t, func(m *Main) { m.Auth.Throttle = throttle(3, 1000, 10000) })
	c := newClient(t, e.base)
	for _, name := range []string{"admin ", "ADMIN", "ädmin"} {
		c.login(name, "wrong-password")
	}
	if st, _ := c.login("admin", adminPassword); st != 429 {
		t.Errorf("right password after 3 failures on variants of the name = %d, want 429", st)
	}
}

// fromAddr is a client whose connections come from local address ip.
func fromAddr(t *testing.T, base, ip string) *client {
	c := newClient(t, base)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.http.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// Item 4: X-Forwarded-For is believed only from the configured proxies
// (by default the local gateway on 127.0.0.1), not from any private
// address such as another pod's.
func TestForgedForwardedForGetsNoFreshBudget(t *testing.T) {
	e := mustEnv(t, func(m *Main) {
		m.Auth.Throttle = throttle(1000, 3, 10000)
		m.Base.HTTP.TrustedProxies = strings.Split(httpapi.DefaultTrustedProxies, ",")
	})
	pod := fromAddr(t, e.base, "127.0.0.2")
	var st int
	for i := range 3 {
		req, _ := http.NewRequest("POST", e.base+"/api/v1/auth/login", strings.NewReader(fmt.Sprintf(`{"username":"ghost%d","password":"wrong-password"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		resp, err := pod.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		st = resp.StatusCode
	}
	if st != 429 {
		t.Errorf("third failure from one address with forged X-Forwarded-For = %d, want 429", st)
	}
	// The gateway is still believed.
	gw := fromAddr(t, e.base, "127.0.0.1")
	req, _ := http.NewRequest("POST", e.base+"/api/v1/auth/login", strings.NewReader(`{"username":"someone","password":"wrong-password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	resp, err := gw.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ip string
	if err := e.db.QueryRow(`SELECT client_ip FROM audit_log WHERE action = 'login.failure' ORDER BY id DESC LIMIT 1`).Scan(&ip); err != nil || ip != "198.51.100.7" {
		t.Errorf("address of a login through the gateway = %q (%v), want the forwarded 198.51.100.7", ip, err)
	}
}

// Item 4: failures from everywhere together are bounded too.
func TestGlobalFailureLimit(t *testing.T) {
	e := mustEnv(t, func(m *Main) { m.Auth.Throttle = throttle(1000, 1000, 4) })
	c := newClient(t, e.base)
	for i := range 3 {
		if st, _ := c.login(fmt.Sprintf("spray-%d", i), "wrong-password"); st != 401 {
			t.Fatalf("failure %d = %d, want 401", i+1, st)
		}
	}
	if st, _ := c.login("spray-3", "wrong-password"); st != 429 {
		t.Errorf("failure past the global budget = %d, want 429", st)
	}
	if st, _ := newClient(t, e.base).login("admin", adminPassword); st != 429 {
		t.Errorf("any login past the global budget = %d, want 429", st)
	}
}

// tokenOf makes a user with a fresh sign-in and a token.
func tokenOf(t *testing.T, e *env, name string) (*client, *client, int64) {
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": name, "password": name + "-password-1"})
	user := newClient(t, e.base).mustLogin(name, name+"-password-1")
	tok := user.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"})["token"].(string)
	script := &client{tb: t, base: e.base, http: http.DefaultClient, bearer: tok}
	script.must(200, "GET", "/api/v1/auth/me", nil) // cached now
	return user, script, id(u, "id")
}

// Item 7: a password change, a reset and a disable revoke the user's tokens.
func TestTokensEndWithThePassword(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)

	user, script, _ := tokenOf(t, e, "erin")
	user.must(204, "POST", "/api/v1/auth/password", map[string]any{"current_password": "erin-password-1", "new_password": "erin-password-2"})
	if st, _ := script.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("token after its owner changed the password = %d, want 401", st)
	}

	_, script, uid := tokenOf(t, e, "frank")
	admin.must(200, "PATCH", "/api/v1/users/"+itoa(uid), map[string]any{"password": "reset-by-admin-1"})
	if st, _ := script.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("token after an admin reset the password = %d, want 401", st)
	}

	_, script, uid = tokenOf(t, e, "gina")
	admin.must(200, "PATCH", "/api/v1/users/"+itoa(uid), map[string]any{"disabled": true})
	admin.must(200, "PATCH", "/api/v1/users/"+itoa(uid), map[string]any{"disabled": false})
	if st, _ := script.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("token after its owner was disabled and enabled again = %d, want 401", st)
	}
	var live int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`).Scan(&live); err != nil || live != 0 {
		t.Errorf("%d tokens not revoked (%v), want 0", live, err)
	}
	var audited int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoke_all'`).Scan(&audited); err != nil || audited != 3 {
		t.Errorf("%d token.revoke_all events (%v), want 3", audited, err)
	}
}

// Item 7: only a recent sign-in creates tokens; tokens cannot mint tokens.
func TestTokenNeedsARecentSignIn(t *testing.T) {
	e := mustEnv(t)
	_, script, _ := tokenOf(t, e, "hank")
	if st, body := script.do("POST", "/api/v1/tokens", map[string]any{"name": "child"}); st != 403 {
		t.Errorf("token creating a token = %d %v, want 403", st, body)
	}

	f := e.fixture(t)
	s := f.MustSession(t, testenv.Viewer)
	mustExec(t, e, `UPDATE sessions SET created_at = ? WHERE id = ?`, time.Now().UTC().Add(-time.Hour), access.HashSecret(s.Cookie))
	req, _ := http.NewRequest("POST", e.base+"/api/v1/tokens", strings.NewReader(`{"name":"late"}`))
	req.Header.Set("Content-Type", "application/json")
	s.Sign(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 401 || errCode(out) != "reauthenticate" || !strings.Contains(errMessage(out), "sign in again") {
		t.Errorf("token from a sign-in an hour old = %d %v, want 401 reauthenticate asking to sign in again", resp.StatusCode, out)
	}
	newClient(t, e.base).mustLogin("hank", "hank-password-1").must(201, "POST", "/api/v1/tokens", map[string]any{"name": "fresh"})
}

// Low: a cross-site form cannot sign the victim in (login CSRF).
func TestLoginRefusesCrossSiteForms(t *testing.T) {
	e := mustEnv(t)
	body := `{"username":"admin","password":"` + adminPassword + `"}`
	for _, tt := range []struct {
		name, ctype, origin string
		want                int
	}{
		{"text/plain form", "text/plain", "", 400},
		{"urlencoded form", "application/x-www-form-urlencoded", "", 400},
		{"foreign origin", "application/json", "https://evil.example", 403},
		{"opaque origin", "application/json", "null", 403},
		{"same origin", "application/json; charset=utf-8", e.base, 200},
		{"script without origin", "application/json", "", 200},
	} {
		req, _ := http.NewRequest("POST", e.base+"/api/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", tt.ctype)
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

// Low: the session cookie ends with the browser and is __Host- prefixed
// over HTTPS; plain HTTP (local development) keeps working.
func TestSessionCookie(t *testing.T) {
	e := mustEnv(t)
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	ck := c.header.Get("Set-Cookie")
	if !strings.HasPrefix(ck, access.CookieName+"=") || strings.Contains(ck, "Expires") || strings.Contains(ck, "Max-Age") {
		t.Errorf("cookie over http = %q, want %s without Expires or Max-Age", ck, access.CookieName)
	}
	req, _ := http.NewRequest("POST", e.base+"/api/v1/auth/login", strings.NewReader(`{"username":"admin","password":"`+adminPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck = resp.Header.Get("Set-Cookie")
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != access.SecureCookieName || !cookies[0].Secure || cookies[0].Path != "/" ||
		cookies[0].Domain != "" || strings.Contains(ck, "Expires") {
		t.Fatalf("cookie over https = %q, want a Secure %s for path / without Domain or Expires", ck, access.SecureCookieName)
	}
	req, _ = http.NewRequest("GET", e.base+"/api/v1/auth/me", nil)
	req.AddCookie(cookies[0])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/me with the __Host- cookie = %d, want 200", resp.StatusCode)
	}
}

// Low: a session unused for the idle timeout ends; a used one goes on.
func TestSessionIdleTimeout(t *testing.T) {
	e := mustEnv(t, func(m *Main) { m.Auth.IdleTimeout = 10 * time.Minute })
	idle := newClient(t, e.base).mustLogin("admin", adminPassword)
	active := newClient(t, e.base).mustLogin("admin", adminPassword)
	active.must(200, "GET", "/api/v1/auth/me", nil)
	// The idle one was last seen (at login) 11 minutes ago.
	past := time.Now().UTC().Add(-11 * time.Minute)
	mustExec(t, e, `UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id = ?`, past, past, access.HashSecret(idle.session()))
	if st, _ := idle.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("session idle for 11 minutes with a 10 minute timeout = %d, want 401", st)
	}
	active.must(200, "GET", "/api/v1/auth/me", nil)
}

// Low: return_to cannot send the browser elsewhere after sign-on.
func TestOIDCReturnToStaysOnSite(t *testing.T) {
	_, e, _ := oidcEnv(t)
	for _, rt := range []string{"/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "https://evil.example",
		"/\x00/evil.example", "/%09/evil.example"} {
		if got := ssoReturn(t, e.base, rt); got != "/" && got != "/%09/evil.example" {
			t.Errorf("return_to %q sent the browser to %q, want /", rt, got)
		}
	}
	if got := ssoReturn(t, e.base, "/slides/7?x=1#f"); got != "/slides/7?x=1#f" {
		t.Errorf("return_to of a local page = %q, want it kept", got)
	}
}

// ssoReturn runs the sign-on flow one redirect at a time and returns the
// Location the callback sends the browser to.
func ssoReturn(t *testing.T, base, returnTo string) string {
	t.Helper()
	b := browser(t, base)
	b.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	next := base + "/api/v1/auth/oidc/login?return_to=" + url.QueryEscape(returnTo)
	for range 4 {
		resp, err := b.http.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.Request.URL.Path == "/api/v1/auth/oidc/callback" {
			return loc
		}
		u, err := resp.Request.URL.Parse(loc)
		if resp.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("%s answered %d Location %q (%v)", resp.Request.URL, resp.StatusCode, loc, err)
		}
		next = u.String()
	}
	t.Fatal("sign-on did not reach the callback")
	return ""
}

// session is the client's session cookie value.
func (c *client) session() string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == access.CookieName {
			return ck.Value
		}
	}
	c.tb.Fatal("no session cookie")
	return ""
}
