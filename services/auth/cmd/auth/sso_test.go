package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
)

// ssoSignIn signs b in through the provider and keeps the CSRF token
// /me hands out, as the viewer does.
func ssoSignIn(t *testing.T, b *client) map[string]any {
	t.Helper()
	u := ssoLogin(t, b)
	b.csrf = b.must(200, "GET", "/api/v1/auth/me", nil)["csrf_token"].(string)
	return u
}

func auditActions(t *testing.T, admin *client, action string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range admin.must(200, "GET", "/api/v1/audit?action="+url.QueryEscape(action), nil)["entries"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func detailOf(t *testing.T, e map[string]any) map[string]any {
	t.Helper()
	d, _ := e["detail"].(map[string]any)
	return d
}

// Groups decide the system role and the project roles at every sign-in:
// the chart's rules and an admin's, the most powerful role winning; a
// membership an admin granted by hand is left alone; every change is in
// the audit log; provision rules decide who gets an account at all.
func TestSSOGroupsMapToRoles(t *testing.T) {
	p, e, _ := oidcEnv(t, func(m *Main) {
		rules, err := auth.ParseGroupRules(`[{"group":"patholabel-users","kind":"provision"},
			{"group":"Patholabel-Admins","kind":"system","role":"admin"},
			{"group":"path-gbm-readers","kind":"project","project":"GBM H&E","role":"annotator"}]`)
		if err != nil {
			t.Fatal(err)
		}
		m.Auth.OIDC.Rules = rules
	})
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	gbm := id(admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "GBM H&E"}), "id")
	other := id(admin.must(201, "POST", "/api/v1/projects", map[string]any{"name": "Lung"}), "id")
	// An admin's rule in the viewer: reviewers of GBM, a stronger role than the chart's.
	rule := admin.must(201, "POST", "/api/v1/auth/sso/rules", map[string]any{"group": "path-gbm-reviewers", "kind": "project", "project": "GBM H&E", "role": "reviewer"})
	if st, body := admin.do("POST", "/api/v1/auth/sso/rules", map[string]any{"group": "x", "kind": "project", "role": "annotator"}); st != 400 || !strings.Contains(fmt.Sprint(body), "project") {
		t.Errorf("project rule without a project = %d %v, want 400 naming project", st, body)
	}
	if st, _ := admin.do("POST", "/api/v1/auth/sso/rules", map[string]any{"group": "path-gbm-reviewers", "kind": "project", "project": "GBM H&E", "role": "viewer"}); st != 409 {
		t.Errorf("second rule for the same group and project = %d, want 409", st)
	}
	settings := admin.must(200, "GET", "/api/v1/auth/sso", nil)
	if rs := settings["rules"].([]any); len(rs) != 4 || rs[0].(map[string]any)["source"] != "config" || rs[3].(map[string]any)["source"] != "admin" {
		t.Errorf("rules listed = %v, want the 3 of the configuration then the admin's", rs)
	}

	// Someone in no group that may have an account is refused one.
	p.set(func() { p.subject, p.groups = "nobody", []string{"cafeteria"} })
	resp := browser(t, e.base).send("GET", "/api/v1/auth/oidc/login?return_to=/slides/7", nil)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("sign-in without a provisioning group = %d, want 403", resp.StatusCode)
	}
	// A browser is sent back to the login page with the reason instead.
	b0 := browser(t, e.base)
	b0.http.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/login" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	req, _ := http.NewRequest("GET", e.base+"/api/v1/auth/oidc/login", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := b0.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(loc, "/login?sso_error=") || !strings.Contains(loc, "directory+group") {
		t.Errorf("a browser refused an account = %d to %q, want 303 to /login?sso_error=<reason>", resp.StatusCode, loc)
	}
	if _, users := admin.list("/api/v1/users?q=Grace"); len(users) != 0 {
		t.Errorf("an account was created for someone outside the provisioning groups: %v", users)
	}

	// An admin and a reader of GBM: the case of the group does not matter.
	p.set(func() {
		p.subject, p.groups, p.sid = "sub-grace", []string{"patholabel-users", "patholabel-admins", "path-gbm-readers"}, "sid-1"
	})
	b := browser(t, e.base)
	u := ssoSignIn(t, b)
	if u["system_role"] != "admin" || u["origin"] != "sso" {
		t.Errorf("first sign-in: %v, want an SSO admin", u)
	}
	grace := id(u, "id")
	role := func(project int64) string {
		_, members := admin.list(fmt.Sprintf("/api/v1/projects/%d/members", project))
		for _, m := range members {
			if id(m, "user_id") == grace {
				return m["role"].(string)
			}
		}
		return ""
	}
	if r := role(gbm); r != "annotator" {
		t.Errorf("role in GBM H&E = %q, want annotator", r)
	}
	// An admin adds her to Lung by hand: the mapping never touches that.
	admin.must(201, "POST", fmt.Sprintf("/api/v1/projects/%d/members", other), map[string]any{"user_id": grace, "role": "viewer"})

	// The directory moves her: out of the admins, from readers to reviewers.
	p.set(func() { p.groups = []string{"patholabel-users", "path-gbm-reviewers"} })
	if u := ssoSignIn(t, browser(t, e.base)); u["system_role"] != "user" {
		t.Errorf("after leaving the admin group: system role %v, want user", u["system_role"])
	}
	if r := role(gbm); r != "reviewer" {
		t.Errorf("role in GBM H&E after moving to reviewers = %q, want reviewer", r)
	}
	// Her first browser's session sees the demotion at once, not when its cache expires.
	if st, _ := b.do("GET", "/api/v1/users", nil); st != 403 {
		t.Errorf("the earlier session still lists users after the demotion: %d, want 403", st)
	}
	// Out of every GBM group: the mapping's membership goes, the hand-made one stays.
	p.set(func() { p.groups = []string{"patholabel-users"} })
	ssoSignIn(t, browser(t, e.base))
	if r := role(gbm); r != "" {
		t.Errorf("role in GBM H&E after leaving its groups = %q, want none", r)
	}
	if r := role(other); r != "viewer" {
		t.Errorf("hand-made membership in Lung = %q, want viewer kept", r)
	}
	changes := auditActions(t, admin, "sso.role_change")
	if len(changes) != 5 { // +admin, +annotator; admin→user, annotator→reviewer; reviewer→none
		t.Errorf("audit has %d sso.role_change entries, want 5: %v", len(changes), changes)
	}
	if d := detailOf(t, changes[0]); d["role_from"] != "reviewer" || d["role_to"] != "" || d["project"] != "GBM H&E" {
		t.Errorf("latest role change = %v, want reviewer → none in GBM H&E", d)
	}
	// Admins see where an account comes from, and its groups.
	_, list := admin.list("/api/v1/users?q=Grace")
	if len(list) != 1 || list[0]["origin"] != "sso" || fmt.Sprint(list[0]["sso_groups"]) != "[patholabel-users]" {
		t.Errorf("admin's view of the account = %v, want origin sso and its groups", list)
	}
	if me := admin.must(200, "GET", "/api/v1/auth/me", nil)["user"].(map[string]any); me["origin"] != "local" {
		t.Errorf("bootstrap admin origin = %v, want local", me["origin"])
	}
	// Deleting the admin's rule is audited too.
	admin.must(204, "DELETE", fmt.Sprintf("/api/v1/auth/sso/rules/%d", id(rule, "id")), nil)
	if n := len(auditActions(t, admin, "sso_rule.*")); n != 2 {
		t.Errorf("audit has %d rule changes, want 2 (create, delete)", n)
	}
	if st, _ := browser(t, e.base).do("GET", "/api/v1/auth/sso", nil); st != 401 {
		t.Errorf("sign-on settings without a session = %d, want 401", st)
	}
}

// The last enabled admin is never demoted by the mapping, even when the
// directory says so: nobody could manage accounts afterwards.
func TestSSOMappingKeepsTheLastAdmin(t *testing.T) {
	p, e, _ := oidcEnv(t, func(m *Main) {
		m.Auth.OIDC.Rules = []auth.GroupRule{{Group: "admins", Kind: auth.RuleSystem, Role: "admin", Source: auth.RuleFromConfig}}
	})
	p.set(func() { p.groups = []string{"admins"} })
	u := ssoSignIn(t, browser(t, e.base))
	mustExec(t, e, `UPDATE users SET system_role = 'user' WHERE username = 'admin'`)
	p.set(func() { p.groups = []string{} })
	if again := ssoSignIn(t, browser(t, e.base)); again["system_role"] != "admin" || id(again, "id") != id(u, "id") {
		t.Errorf("the only admin left was demoted by the mapping: %v", again)
	}
}

// RP-initiated logout: signing out of a session that came from the
// provider hands the viewer the provider's end-session URL with the ID
// token as hint; a password session signs out here only.
func TestSSOLogoutAtTheProvider(t *testing.T) {
	p, e, addr := oidcEnv(t)
	b := browser(t, e.base)
	ssoSignIn(t, b)
	st, body := b.do("POST", "/api/v1/auth/logout", nil)
	if st != 200 {
		t.Fatalf("logout of an SSO session = %d %v, want 200 with end_session_url", st, body)
	}
	u, err := url.Parse(fmt.Sprint(body["end_session_url"]))
	if err != nil || u.Path != "/logout" || !strings.HasPrefix(u.String(), p.srv.URL) {
		t.Fatalf("end_session_url = %v, want the provider's /logout", body["end_session_url"])
	}
	q := u.Query()
	if q.Get("tenant") != "lab" || q.Get("client_id") != "patholabel" || q.Get("post_logout_redirect_uri") != "http://"+addr+"/" {
		t.Errorf("end_session_url query = %v: want the endpoint's own tenant, client_id and the site's root to come back to", q)
	}
	var claims struct {
		Sub, Nonce string
	}
	parts := strings.Split(q.Get("id_token_hint"), ".")
	if len(parts) != 3 || json.Unmarshal(mustB64(t, parts[1]), &claims) != nil || claims.Sub != "sub-1" {
		t.Errorf("id_token_hint %q is not the session's ID token", q.Get("id_token_hint"))
	}
	if st, _ := b.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("after logout /me = %d, want 401", st)
	}
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	if st, _ := admin.do("POST", "/api/v1/auth/logout", nil); st != 204 {
		t.Errorf("logout of a password session = %d, want 204 (nothing to end at the provider)", st)
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Back-channel logout: the provider posts a signed logout token, and the
// sessions it names end here, on every replica within access.LocalTTL; anything not a
// genuine, fresh, unused logout token for this client is refused and
// audited.
func TestSSOBackchannelLogout(t *testing.T) {
	p, e, _ := oidcEnv(t)
	replica := e.replica(t)
	p.set(func() { p.sid = "sid-a" })
	first := browser(t, e.base)
	ssoSignIn(t, first)
	third := browser(t, e.base) // the same provider session, another tab's sign-in
	ssoSignIn(t, third)
	p.set(func() { p.sid = "sid-b" })
	second := browser(t, e.base)
	ssoSignIn(t, second)
	// Warm the replica's cache of both sessions.
	first.at(replica).must(200, "GET", "/api/v1/auth/me", nil)
	second.at(replica).must(200, "GET", "/api/v1/auth/me", nil)

	event := map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}
	token := func(change func(map[string]any)) map[string]any {
		c := map[string]any{"iss": p.srv.URL, "aud": "patholabel", "iat": time.Now().Unix(), "exp": time.Now().Add(2 * time.Minute).Unix(),
			"jti": fmt.Sprint(time.Now().UnixNano()), "sid": "sid-b", "events": event}
		if change != nil {
			change(c)
		}
		return c
	}
	post := func(raw string) int {
		resp, err := http.PostForm(e.base+"/api/v1/auth/oidc/backchannel-logout", url.Values{"logout_token": {raw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("back-channel answer Cache-Control = %q, want no-store", cc)
		}
		return resp.StatusCode
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name string
		raw  string
	}{
		{"no token", ""},
		{"signed by another key", p.sign(other, token(nil))},
		{"for another client", p.sign(p.key, token(func(c map[string]any) { c["aud"] = "someone-else" }))},
		{"from another issuer", p.sign(p.key, token(func(c map[string]any) { c["iss"] = "https://evil.example" }))},
		{"an ID token (nonce)", p.sign(p.key, token(func(c map[string]any) { c["nonce"] = "n" }))},
		{"without the logout event", p.sign(p.key, token(func(c map[string]any) { delete(c, "events") }))},
		{"naming nobody", p.sign(p.key, token(func(c map[string]any) { delete(c, "sid") }))},
		{"without jti", p.sign(p.key, token(func(c map[string]any) { delete(c, "jti") }))},
		{"issued an hour ago", p.sign(p.key, token(func(c map[string]any) { c["iat"] = time.Now().Add(-time.Hour).Unix() }))},
		{"expired", p.sign(p.key, token(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))},
	}
	for _, r := range refused {
		if st := post(r.raw); st != 400 {
			t.Errorf("logout token %s = %d, want 400", r.name, st)
		}
	}
	first.must(200, "GET", "/api/v1/auth/me", nil)
	second.must(200, "GET", "/api/v1/auth/me", nil)

	genuine := p.sign(p.key, token(nil))
	if st := post(genuine); st != 200 {
		t.Fatalf("genuine logout token for sid-b = %d, want 200", st)
	}
	if st, _ := second.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("session of sid-b after back-channel logout = %d, want 401", st)
	}
	waitStatus(t, second.at(replica), "GET", "/api/v1/auth/me", 401) // the replica's memory cache holds it for access.LocalTTL at most
	first.at(replica).must(200, "GET", "/api/v1/auth/me", nil)       // sid-a lives on
	if st := post(genuine); st != 400 {
		t.Errorf("replayed logout token = %d, want 400", st)
	}
	// A token naming the subject alone ends all of that person's sessions.
	if st := post(p.sign(p.key, token(func(c map[string]any) { delete(c, "sid"); c["sub"] = "sub-1" }))); st != 200 {
		t.Fatalf("logout token for sub-1 = %d, want 200", st)
	}
	for _, b := range []*client{first, third} {
		if st, _ := b.do("GET", "/api/v1/auth/me", nil); st != 401 {
			t.Errorf("session of sid-a after a logout of its subject = %d, want 401", st)
		}
	}
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	if n := len(auditActions(t, admin, "logout.backchannel_refused")); n != len(refused)+1 {
		t.Errorf("audit has %d refused logout tokens, want %d", n, len(refused)+1)
	}
	ended := auditActions(t, admin, "logout.backchannel")
	if len(ended) != 2 || detailOf(t, ended[1])["sessions"] != float64(1) || detailOf(t, ended[0])["sessions"] != float64(2) {
		t.Errorf("audit of back-channel logouts = %v, want 1 session (sid-b) then 2 (sid-a's two, the rest of sub-1)", ended)
	}
}

// The hand-written provider's edge cases that a real one will not
// produce on demand: an expired ID token and one for another client.
func TestSSORefusesExpiredOrForeignIDTokens(t *testing.T) {
	p, e, _ := oidcEnv(t)
	for name, change := range map[string]func(){
		"expired":            func() { p.lifetime = -time.Minute },
		"for another client": func() { p.audience = "another-app" },
	} {
		p.set(func() { p.lifetime, p.audience = time.Minute, "patholabel"; change() })
		resp := browser(t, e.base).send("GET", "/api/v1/auth/oidc/login?return_to=/slides/7", nil)
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("ID token %s = %d, want 401", name, resp.StatusCode)
		}
	}
	// Entra ID's "group overage": the groups are left out for a pointer to
	// its Graph API; signing in without them would strip roles silently.
	p.set(func() { p.lifetime, p.audience = time.Minute, "patholabel"; p.groups = nil })
	p.set(func() { p.overage = true })
	resp := browser(t, e.base).send("GET", "/api/v1/auth/oidc/login?return_to=/slides/7", nil)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("ID token with a group overage = %d, want 401", resp.StatusCode)
	}
}

// Local passwords off: only the break-glass accounts sign in with one,
// and a refusal says nothing about whether the account exists.
func TestLocalPasswordsOffButBreakGlass(t *testing.T) {
	e := mustEnv(t, func(m *Main) { m.Auth.LocalLogin = auth.LocalLogin{Off: true, BreakGlass: []string{"admin"}} })
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "pat", "password": "pat-password-1"})
	for _, name := range []string{"pat", "nobody-here"} {
		st, body := newClient(t, e.base).login(name, "pat-password-1")
		if st != 403 || !strings.Contains(fmt.Sprint(body), "single sign-on") {
			t.Errorf("password login of %s with passwords off = %d %v, want 403 pointing to single sign-on", name, st, body)
		}
	}
	if info := newClient(t, e.base).must(200, "GET", "/api/v1/auth/oidc", nil); info["local_passwords"] != false {
		t.Errorf("sign-in info = %v, want local_passwords false", info)
	}
	if n := len(auditActions(t, admin, "login.failure")); n != 2 {
		t.Errorf("audit has %d refused password logins, want 2", n)
	}
}

// Front-channel logout (Entra ID's and ADFS's way): the provider's logout
// page loads our URL with its issuer and the sid, without our cookie; the
// sessions of that sid end, nothing else, and a request naming another
// issuer or no sid is refused.
func TestSSOFrontchannelLogout(t *testing.T) {
	p, e, _ := oidcEnv(t)
	p.set(func() { p.sid = "sid-front" })
	ended := browser(t, e.base)
	ssoSignIn(t, ended)
	p.set(func() { p.sid = "sid-other" })
	kept := browser(t, e.base)
	ssoSignIn(t, kept)
	get := func(q url.Values) int {
		resp, err := http.Get(e.base + "/api/v1/auth/oidc/frontchannel-logout?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for name, q := range map[string]url.Values{
		"without sid":       {"iss": {p.srv.URL}},
		"of another issuer": {"iss": {"https://evil.example"}, "sid": {"sid-front"}},
	} {
		if st := get(q); st != 400 {
			t.Errorf("front-channel logout %s = %d, want 400", name, st)
		}
	}
	ended.must(200, "GET", "/api/v1/auth/me", nil)
	if st := get(url.Values{"sid": {"sid-front"}}); st != 200 { // ADFS names the sid alone
		t.Fatalf("front-channel logout of sid-front = %d, want 200", st)
	}
	if st, _ := ended.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("session of sid-front after front-channel logout = %d, want 401", st)
	}
	kept.must(200, "GET", "/api/v1/auth/me", nil)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	if n := len(auditActions(t, admin, "logout.frontchannel")); n != 1 {
		t.Errorf("audit has %d front-channel logouts, want 1", n)
	}
	if n := len(auditActions(t, admin, "logout.frontchannel_refused")); n != 2 {
		t.Errorf("audit has %d refused front-channel logouts, want 2", n)
	}
}
