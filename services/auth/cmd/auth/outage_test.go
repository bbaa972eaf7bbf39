package main

import (
	"testing"

	"github.com/patholabel/patholabel/services/platform/testenv"
)

// A lost database is an outage, not a bug: 503 unavailable with
// Retry-After, so clients retry instead of reporting an internal error.
func TestLostDatabaseAnswers503WithRetryAfter(t *testing.T) {
	var proxy *testenv.Proxy
	e := mustEnv(t, func(m *Main) {
		proxy = testenv.MustProxy(t, m.Base.MySQL.Addr)
		m.Base.MySQL.Addr = proxy.Addr()
	})
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	c.must(200, "GET", "/api/v1/projects", nil)
	proxy.Cut()
	for _, tt := range []struct {
		client      *client
		method, url string
		body        any
	}{
		{newClient(t, e.base), "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": adminPassword}},
		{c, "GET", "/api/v1/projects", nil},
	} {
		st, body := tt.client.do(tt.method, tt.url, tt.body)
		errBody, _ := body["error"].(map[string]any)
		if st != 503 || errBody["code"] != "unavailable" || tt.client.header.Get("Retry-After") == "" {
			t.Errorf("%s %s with the database gone = %d %v (Retry-After %q), want 503 unavailable with Retry-After",
				tt.method, tt.url, st, body, tt.client.header.Get("Retry-After"))
		}
	}
}
