package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/auth"
	authhttp "github.com/patholabel/patholabel/services/auth/http"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/logging"
	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/redis"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

const adminPassword = "bootstrap-secret-1"

// MustMain boots the real auth service on a fresh database and a free port.
func MustMain(tb testing.TB) (*Main, string) {
	tb.Helper()
	e := mustEnv(tb)
	return e.main, e.base
}

// env is a booted auth service with handles on its real dependencies.
type env struct {
	main *Main
	base string
	db   *sql.DB
	rdb  *goredis.Client
	fix  *testenv.Fixture
}

// mustEnv boots the service; opts adjust the Main before it opens.
func mustEnv(tb testing.TB, opts ...func(*Main)) *env {
	tb.Helper()
	db, dbcfg := testenv.MustDB(tb)
	rdb, rcfg := testenv.MustRedis(tb)
	m := newMain(dbcfg, rcfg)
	for _, o := range opts {
		o(m)
	}
	return &env{main: m, base: testenv.MustServe(tb, m), db: db, rdb: rdb}
}

// replica boots a second process on the same database and Redis, as a
// second pod would run.
func (e *env) replica(tb testing.TB) string {
	tb.Helper()
	m := newMain(e.main.Base.MySQL, e.main.Redis)
	m.Auth = e.main.Auth
	return testenv.MustServe(tb, m)
}

func newMain(dbcfg mysql.Config, rcfg redis.Config) *Main {
	return &Main{
		Base: app.Base{
			Log:   logging.Config{Format: "json", Level: "info"},
			HTTP:  httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
			MySQL: dbcfg,
		},
		Redis: rcfg,
		Auth: auth.Config{AdminPassword: adminPassword, SessionTTL: time.Hour, Throttle: auth.DefaultThrottle(),
			PasswordChecks: auth.DefaultPasswordChecks, PasswordWait: auth.DefaultPasswordWait, TokenReauth: auth.DefaultTokenReauth},
		Log: testenv.Logger(),
	}
}

// fixture writes the principals of the role matrix into the database.
func (e *env) fixture(tb testing.TB) *testenv.Fixture {
	if e.fix == nil {
		e.fix = testenv.MustPrincipals(tb, e.db)
	}
	return e.fix
}

type client struct {
	tb     testing.TB
	base   string
	http   *http.Client
	csrf   string
	bearer string
	header http.Header // of the last response
}

func newClient(tb testing.TB, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, base: base, http: &http.Client{Jar: jar}}
}

// at is a client for another replica sharing this client's cookies.
func (c *client) at(base string) *client {
	cp := *c
	cp.base = base
	return &cp
}

func (c *client) send(method, path string, body any) *http.Response {
	c.tb.Helper()
	var rd *bytes.Reader
	if s, ok := body.(string); ok {
		rd = bytes.NewReader([]byte(s))
	} else if body == nil {
		rd = bytes.NewReader(nil)
	} else {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	c.header = resp.Header
	return resp
}

// do sends a request and decodes a JSON object answer.
func (c *client) do(method, path string, body any) (int, map[string]any) {
	c.tb.Helper()
	resp := c.send(method, path, body)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// list sends a GET and decodes a JSON array answer.
func (c *client) list(path string) (int, []map[string]any) {
	c.tb.Helper()
	resp := c.send("GET", path, nil)
	defer resp.Body.Close()
	var out []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// must sends a request that must answer want, and returns the object.
func (c *client) must(want int, method, path string, body any) map[string]any {
	c.tb.Helper()
	st, out := c.do(method, path, body)
	if st != want {
		c.tb.Fatalf("%s %s = %d %v, want %d", method, path, st, out, want)
	}
	return out
}

func (c *client) login(user, pw string) (int, map[string]any) {
	st, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw})
	if tok, ok := body["csrf_token"].(string); ok {
		c.csrf = tok
	}
	return st, body
}

// mustLogin signs in and fails the test otherwise.
func (c *client) mustLogin(user, pw string) *client {
	c.tb.Helper()
	if st, body := c.login(user, pw); st != 200 {
		c.tb.Fatalf("login %s = %d %v", user, st, body)
	}
	return c
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func errMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// id reads a JSON number field as an id.
func id(obj map[string]any, field string) int64 {
	f, _ := obj[field].(float64)
	return int64(f)
}

func TestLoginMeLogout(t *testing.T) {
	_, base := MustMain(t)
	c := newClient(t, base)
	if st, body := c.do("GET", "/api/v1/auth/me", nil); st != 401 || errCode(body) != "unauthorized" {
		t.Fatalf("anonymous /me = %d %v, want 401 unauthorized", st, body)
	}
	st, body := c.login("admin", adminPassword)
	if st != 200 || c.csrf == "" {
		t.Fatalf("login = %d %v, want 200 with csrf_token", st, body)
	}
	st, body = c.do("GET", "/api/v1/auth/me", nil)
	user, _ := body["user"].(map[string]any)
	if st != 200 || user["username"] != "admin" || user["system_role"] != "admin" {
		t.Fatalf("/me = %d %v, want admin", st, body)
	}
	csrf := c.csrf
	c.csrf = ""
	if st, body := c.do("POST", "/api/v1/auth/logout", nil); st != 403 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "CSRF") {
		t.Fatalf("logout without CSRF = %d %v, want 403 naming CSRF", st, body)
	}
	c.csrf = csrf
	if st, _ := c.do("POST", "/api/v1/auth/logout", nil); st != 204 {
		t.Fatalf("logout = %d, want 204", st)
	}
	if st, _ := c.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Fatalf("/me after logout = %d, want 401", st)
	}
}

func TestLoginRejectsBadInput(t *testing.T) {
	_, base := MustMain(t)
	c := newClient(t, base)
	tests := []struct {
		name string
		body any
		st   int
		code string
	}{
		{"wrong password", map[string]string{"username": "admin", "password": "nope-nope-nope"}, 401, "unauthorized"},
		{"unknown user", map[string]string{"username": "ghost", "password": "whatever-123"}, 401, "unauthorized"},
		{"unknown field", `{"username":"admin","password":"x","extra":1}`, 400, "invalid"},
		{"malformed", `{"username":`, 400, "invalid"},
		{"missing field", `{"username":"admin"}`, 400, "invalid"},
		{"wrong type", `{"username":5,"password":"x"}`, 400, "invalid"},
	}
	for _, tt := range tests {
		st, body := c.do("POST", "/api/v1/auth/login", tt.body)
		if st != tt.st || errCode(body) != tt.code {
			t.Errorf("%s: got %d %v, want %d %s", tt.name, st, body, tt.st, tt.code)
		}
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	m, _ := MustMain(t)
	missing, stale, err := httpapi.Undocumented(m.Server.Engine(), authhttp.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("undocumented routes %v; documented but not served %v", missing, stale)
	}
}

func TestBadConfigExitsWithOneLine(t *testing.T) {
	var stderr bytes.Buffer
	env := map[string]string{"PATHOLABEL_SESSION_TTL": "forever"}
	code := app.Main("auth", nil, config.FromMap(env), &stderr, build)
	out := strings.TrimSpace(stderr.String())
	if code != 2 || strings.Count(out, "\n") != 0 || !strings.Contains(out, "PATHOLABEL_SESSION_TTL") {
		t.Fatalf("exit %d, stderr %q; want 2 and one line naming PATHOLABEL_SESSION_TTL", code, out)
	}
}
