package access_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/redis"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// adminService serves one admin-only route, guarded as every service's
// admin endpoints are, and returns its URL.
func adminService(t *testing.T, authn *access.Authenticator) string {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(authn.Middleware())
	e.GET("/admin", access.Require(access.Admin), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

// status sends GET url with the bearer token, or with the session when
// bearer is empty.
func status(t *testing.T, url, bearer string, s testenv.Session) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	} else {
		s.Sign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func forged(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "patholabel_principal_cache_forged_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("patholabel_principal_cache_forged_total is not registered")
	return 0
}

// Whoever can write to Redis must not become admin: an admin principal
// written under the cache key of a secret of the attacker's choosing is
// ignored and counted, and so is a genuine admin entry copied there.
func TestForgedCachedPrincipalIsNotBelieved(t *testing.T) {
	db, _ := testenv.MustDB(t)
	rdb, rcfg := testenv.MustRedis(t)
	f := testenv.MustPrincipals(t, db)
	reg := prometheus.NewRegistry()
	url := adminService(t, access.NewAuthenticator(db, rdb, rcfg, reg, time.Now)) + "/admin"
	ctx := context.Background()
	cacheKey := func(secret string) string { return rcfg.Prefix + "principal:" + access.HashSecret(secret) }

	mallory := access.NewSecret("plt_") // unknown to MySQL
	principal := `{"p":{"user_id":1,"username":"mallory","system_role":"admin","via":"token"},"e":"2099-01-01T00:00:00Z"}`
	if err := rdb.Set(ctx, cacheKey(mallory), principal, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if st := status(t, url, mallory, testenv.Session{}); st != http.StatusUnauthorized {
		t.Fatalf("forged principal in Redis: GET /admin = %d, want 401", st)
	}
	if n := forged(t, reg); n != 1 {
		t.Errorf("forged entries counted = %v, want 1", n)
	}

	admin := f.MustSession(t, testenv.Admin)
	if st := status(t, url, "", admin); st != http.StatusNoContent {
		t.Fatalf("the admin's session: GET /admin = %d, want 204", st)
	}
	genuine, err := rdb.Get(ctx, cacheKey(admin.Cookie)).Bytes()
	if err != nil {
		t.Fatalf("the admin's principal was not cached in Redis: %v", err)
	}
	copied := access.NewSecret("plt_")
	if err := rdb.Set(ctx, cacheKey(copied), genuine, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if st := status(t, url, copied, testenv.Session{}); st != http.StatusUnauthorized {
		t.Fatalf("the admin's entry copied to another key: GET /admin = %d, want 401", st)
	}
	if n := forged(t, reg); n != 2 {
		t.Errorf("forged entries counted = %v, want 2", n)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 1 {
		t.Errorf("registry holds %d series (%v), want the forged counter only", n, err)
	}
}

// Replicas with one cache key share Redis: one resolves a session from the
// entry the other cached, without MySQL (the session row is gone by then),
// while a process with another key does not believe that entry.
func TestSealedPrincipalIsSharedUnderOneKey(t *testing.T) {
	db, _ := testenv.MustDB(t)
	rdb, rcfg := testenv.MustRedis(t)
	f := testenv.MustPrincipals(t, db)
	ctx := context.Background()
	admin := f.MustSession(t, testenv.Admin)
	cred := access.Credential{Secret: admin.Cookie, Kind: "session"}
	if p, err := access.NewAuthenticator(db, rdb, rcfg, nil, time.Now).Resolve(ctx, cred); err != nil || !p.IsAdmin() {
		t.Fatalf("resolve = %+v, %v; want the admin", p, err)
	}
	if _, err := db.Exec(`DELETE FROM sessions WHERE id = ?`, access.HashSecret(admin.Cookie)); err != nil {
		t.Fatal(err)
	}

	if p, err := access.NewAuthenticator(db, rdb, rcfg, nil, time.Now).Resolve(ctx, cred); err != nil || !p.IsAdmin() {
		t.Errorf("same key: resolve = %+v, %v; want the admin, from Redis", p, err)
	}
	other := rcfg
	other.CacheKey = strings.Repeat("k", 40)
	if p, err := access.NewAuthenticator(db, rdb, other, nil, time.Now).Resolve(ctx, cred); err != nil || p != nil {
		t.Errorf("another key: resolve = %+v, %v; want nobody", p, err)
	}
}

// A session this replica resolved a moment ago is answered from memory,
// without an allocation (tiles ask for it tens of thousands of times a
// second), until Forget drops it: then the revocation MySQL holds shows at
// once.
func TestLocalCacheAnswersUntilForget(t *testing.T) {
	db, _ := testenv.MustDB(t)
	f := testenv.MustPrincipals(t, db)
	ctx := context.Background()
	authn := access.NewAuthenticator(db, nil, redis.Config{}, nil, time.Now)
	s := f.MustSession(t, testenv.Annotator)
	cred := access.Credential{Secret: s.Cookie, Kind: "session"}
	if p, err := authn.Resolve(ctx, cred); err != nil || p == nil {
		t.Fatalf("resolve = %+v, %v; want the annotator", p, err)
	}
	if _, err := db.Exec(`UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ?`, access.HashSecret(s.Cookie)); err != nil {
		t.Fatal(err)
	}
	var p *access.Principal
	allocs := testing.AllocsPerRun(100, func() { p, _ = authn.Resolve(ctx, cred) })
	if p == nil {
		t.Fatal("resolve just after the first: nobody, want the annotator from memory")
	}
	if allocs != 0 {
		t.Errorf("resolve from memory: %v allocations, want 0", allocs)
	}
	if err := authn.Forget(ctx, access.HashSecret(s.Cookie)); err != nil {
		t.Fatal(err)
	}
	if p, err := authn.Resolve(ctx, cred); err != nil || p != nil {
		t.Errorf("resolve after Forget = %+v, %v; want nobody (revoked)", p, err)
	}
}
