package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
)

func TestPersonalAccessTokens(t *testing.T) {
	e := mustEnv(t)
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	tok := c.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "ml-export", "expires_in_days": 30, "read_only": true})
	secret, _ := tok["token"].(string)
	exp, _ := time.Parse(time.RFC3339Nano, tok["expires_at"].(string))
	if !strings.HasPrefix(secret, "plt_") || id(tok, "id") == 0 || tok["read_only"] != true || time.Until(exp) < 29*24*time.Hour {
		t.Fatalf("created token = %v", tok)
	}
	var stored int
	e.db.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, access.HashSecret(secret)).Scan(&stored)
	var plain int
	e.db.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, secret).Scan(&plain)
	if stored != 1 || plain != 0 {
		t.Errorf("token stored hashed: %d rows by hash, %d by plain text; want 1, 0", stored, plain)
	}
	_, list := c.list("/api/v1/tokens")
	if len(list) != 1 || list[0]["token"] != nil || list[0]["name"] != "ml-export" {
		t.Errorf("token list = %v, want the token without its secret", list)
	}
	script := &client{tb: t, base: e.base, http: http.DefaultClient, bearer: secret}
	script.must(200, "GET", "/api/v1/auth/me", nil)
	if _, list := c.list("/api/v1/tokens"); list[0]["last_used_at"] == nil {
		t.Errorf("last_used_at not set after use: %v", list[0])
	}
	if st, body := script.do("POST", "/api/v1/projects", map[string]any{"name": "x"}); st != 403 || !strings.Contains(errMessage(body), "read-only") {
		t.Errorf("write with read-only token = %d %v, want 403", st, body)
	}
	c.must(204, "DELETE", "/api/v1/tokens/"+itoa(id(tok, "id")), nil)
	if st, _ := script.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("revoked token = %d, want 401 at once on the revoking replica", st)
	}
	if st, _ := (&client{tb: t, base: e.base, http: http.DefaultClient, bearer: "plt_nonsense"}).do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("unknown token = %d, want 401", st)
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	e := mustEnv(t)
	c := newClient(t, e.base).mustLogin("admin", adminPassword)
	tok := c.must(201, "POST", "/api/v1/tokens", map[string]any{"name": "soon", "expires_in_days": 1})
	if _, err := e.db.Exec(`UPDATE api_tokens SET expires_at = ? WHERE id = ?`, time.Now().UTC().Add(-time.Second), id(tok, "id")); err != nil {
		t.Fatal(err)
	}
	script := &client{tb: t, base: e.base, http: http.DefaultClient, bearer: tok["token"].(string)}
	if st, _ := script.do("GET", "/api/v1/auth/me", nil); st != 401 {
		t.Errorf("expired token = %d, want 401", st)
	}
}
