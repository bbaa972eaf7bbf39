package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitStatus polls until path answers want, for changes that reach other
// replicas within access.LocalTTL; it fails after twice that.
func waitStatus(tb testing.TB, c *client, method, path string, want int) time.Duration {
	tb.Helper()
	start := time.Now()
	for {
		st, body := c.do(method, path, nil)
		if st == want {
			return time.Since(start)
		}
		if time.Since(start) > 2*access.LocalTTL {
			tb.Fatalf("%s %s still %d %v after %s, want %d", method, path, st, body, time.Since(start), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// otherService is a minimal service that authorizes with the shared
// middleware, as the tiler and annotation services do.
func otherService(tb testing.TB, e *env) string {
	authn := access.NewAuthenticator(e.db, e.rdb, e.main.Redis, nil, time.Now)
	g := gin.New()
	g.Use(authn.Middleware())
	g.GET("/whoami", access.Require(access.SignedIn), func(c *gin.Context) { c.JSON(200, access.PrincipalOf(c)) })
	srv := httptest.NewServer(g)
	tb.Cleanup(srv.Close)
	return srv.URL
}

func TestDisableEndsSessionsOnEveryService(t *testing.T) {
	e := mustEnv(t)
	b := e.replica(t)
	other := otherService(t, e)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	u := admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "carol", "password": "carol-password-1"})
	carol := newClient(t, e.base).mustLogin("carol", "carol-password-1")
	tok := carol.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"})["token"].(string)
	script := &client{tb: t, base: other, http: http.DefaultClient, bearer: tok}
	// Warm every cache: replica B's, the other service's, Redis.
	carol.at(b).must(200, "GET", "/api/v1/auth/me", nil)
	carol.at(other).must(200, "GET", "/whoami", nil)
	script.must(200, "GET", "/whoami", nil)

	admin.must(200, "PATCH", "/api/v1/users/"+itoa(id(u, "id")), map[string]any{"disabled": true})
	took := max(waitStatus(t, carol.at(b), "GET", "/api/v1/auth/me", 401),
		waitStatus(t, carol.at(other), "GET", "/whoami", 401), waitStatus(t, script, "GET", "/whoami", 401))
	t.Logf("disabled user refused everywhere after %s (bound: access.LocalTTL = %s)", took, access.LocalTTL)
	if st, _ := newClient(t, e.base).login("carol", "carol-password-1"); st != 401 {
		t.Errorf("disabled user's login = %d, want 401", st)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := mustEnv(t)
	admin := newClient(t, e.base).mustLogin("admin", adminPassword)
	admin.must(201, "POST", "/api/v1/users", map[string]any{"username": "dave", "password": "dave-password-1"})
	laptop := newClient(t, e.base).mustLogin("dave", "dave-password-1")
	phone := newClient(t, e.base).mustLogin("dave", "dave-password-1")
	if st, body := laptop.do("POST", "/api/v1/auth/password", map[string]any{"current_password": "wrong-password", "new_password": "dave-password-2"}); st != 400 {
		t.Fatalf("wrong current password = %d %v, want 400", st, body)
	}
	laptop.must(204, "POST", "/api/v1/auth/password", map[string]any{"current_password": "dave-password-1", "new_password": "dave-password-2"})
	laptop.must(200, "GET", "/api/v1/auth/me", nil)
	if st, _ := phone.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("other session after password change = %d, want 401", st)
	}
	if st, _ := newClient(t, e.base).login("dave", "dave-password-1"); st != 401 {
		t.Errorf("old password = %d, want 401", st)
	}
	newClient(t, e.base).mustLogin("dave", "dave-password-2")
}

// privateRedis starts a redis-server of our own, because FLUSHALL on the
// shared one would wipe other tests' keys.
func privateRedis(tb testing.TB) redis.Config {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	cfg := redis.Config{Addr: fmt.Sprintf("127.0.0.1:%d", port), Prefix: "pl:"}
	rdb := redis.New(cfg)
	defer rdb.Close()
	for i := 0; rdb.Ping(context.Background()).Err() != nil; i++ {
		if i > 50 {
			tb.Fatal("private redis-server did not answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cfg
}

func TestSessionSurvivesRedisFlushAll(t *testing.T) {
	rcfg := privateRedis(t)
	e := mustEnv(t, func(m *Main) { m.Redis = rcfg })
	b := e.replica(t) // its memory cache is cold: it must ask Redis, then MySQL
	rdb := redis.New(rcfg)
	defer rdb.Close()
	ctx := context.Background()
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	c.must(200, "GET", "/api/v1/auth/me", nil)
	if n, _ := rdb.DBSize(ctx).Result(); n == 0 {
		t.Fatal("no principal cached in Redis after a request")
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	c.at(b).must(200, "GET", "/api/v1/auth/me", nil)
	c.at(b).must(201, "POST", "/api/v1/tokens", map[string]any{"name": "after-flush"}) // CSRF token survived too
	if n, _ := rdb.DBSize(ctx).Result(); n == 0 {
		t.Error("principal not cached again after the flush")
	}
}

func TestCSRFAndOrigin(t *testing.T) {
	e := mustEnv(t)
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	good := c.csrf
	tests := []struct {
		name, csrf, origin string
		want               int
	}{
		{"no token", "", "", 403},
		{"wrong token", "x" + good[1:], "", 403},
		{"foreign origin", good, "https://evil.example", 403},
		{"same origin", good, e.base, 201},
		{"no origin", good, "", 201},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("POST", e.base+"/api/v1/tokens", strings.NewReader(`{"name":"t"}`))
		if tt.csrf != "" {
			req.Header.Set("X-CSRF-Token", tt.csrf)
		}
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	tok := c.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "script"})["token"].(string)
	script := &client{tb: t, base: e.base, http: http.DefaultClient, bearer: tok}
	// A bearer needs no CSRF token.
	script.must(200, "PUT", "/api/v1/auth/preferences", map[string]any{"marker_size": 9})
	c.csrf = "" // a reloaded viewer that lost its token may still sign in again
	c.mustLogin("admin", adminPassword)
}

// retryAfter reads the last answer's Retry-After in seconds.
func (c *client) retryAfter() int {
	n, _ := strconv.Atoi(c.header.Get("Retry-After"))
	return n
}

func TestLoginThrottle(t *testing.T) {
	e := mustEnv(t, func(m *Main) {
		m.Auth.Throttle = auth.Throttle{AccountFailures: 3, IPFailures: 5, GlobalFailures: 1000, Window: time.Minute,
			FirstDelay: 20 * time.Second, MaxDelay: 50 * time.Second}
	})
	b := e.replica(t)
	c := newClient(t, e.base)
	for i := 1; i <= 2; i++ {
		if st, _ := c.login("admin", "wrong-password"); st != 401 {
			t.Fatalf("failure %d = %d, want 401", i, st)
		}
	}
	st, body := c.login("admin", "wrong-password")
	if st != 429 || errCode(body) != "too_many_requests" || c.retryAfter() < 15 || c.retryAfter() > 20 {
		t.Fatalf("third failure = %d %v Retry-After %q, want 429 with Retry-After about 20", st, body, c.header.Get("Retry-After"))
	}
	if st, _ := c.at(b).login("admin", adminPassword); st != 429 {
		t.Errorf("right password on another replica during the delay = %d, want 429", st)
	}
	// The address has 3 failures; two more on other names delay it for everyone.
	c.login("ghost1", "wrong-password")
	if st, _ := c.login("ghost2", "wrong-password"); st != 429 {
		t.Errorf("fifth failure from one address = %d, want 429", st)
	}
	if st, _ := c.at(b).login("someone-else", "whatever-pass"); st != 429 {
		t.Errorf("any login from a delayed address = %d, want 429", st)
	}
	var lockouts int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'login.lockout'`).Scan(&lockouts); err != nil || lockouts != 2 {
		t.Errorf("audited lockouts = %d (%v), want 2 (account, address)", lockouts, err)
	}

	// Each failure after a waited-out delay doubles it, up to MaxDelay.
	for _, want := range []int{40, 50, 50} {
		mustExec(t, e, `UPDATE login_throttle SET locked_until = ?`, time.Now().UTC().Add(-time.Second))
		if st, _ := c.login("admin", "wrong-password"); st != 429 || c.retryAfter() < want-5 || c.retryAfter() > want {
			t.Errorf("failure after the delay = %d Retry-After %d, want 429 about %d", st, c.retryAfter(), want)
		}
	}
	// Waiting out the delay, the right password still signs in.
	mustExec(t, e, `UPDATE login_throttle SET locked_until = ?`, time.Now().UTC().Add(-time.Second))
	c.mustLogin("admin", adminPassword)
}

func TestThrottleForgetsAfterSuccess(t *testing.T) {
	e := mustEnv(t, func(m *Main) {
		m.Auth.Throttle = auth.Throttle{AccountFailures: 3, IPFailures: 100, GlobalFailures: 1000, Window: time.Minute,
			FirstDelay: time.Minute, MaxDelay: time.Minute}
	})
	c := newClient(t, e.base)
	for round := 0; round < 2; round++ {
		c.login("admin", "wrong-password")
		c.login("admin", "wrong-password")
		c.mustLogin("admin", adminPassword)
	}
}
