package access_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// tileEngine serves a tile-like route: with auth it has the middleware
// and a project rule, as the tiler's tile endpoint does.
func tileEngine(authn *access.Authenticator) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	handlers := []gin.HandlerFunc{func(c *gin.Context) { c.Status(http.StatusNoContent) }}
	if authn != nil {
		e.Use(authn.Middleware())
		handlers = append([]gin.HandlerFunc{access.Require(access.InProject(access.ProjectParam("project_id")))}, handlers...)
	}
	e.GET("/tiles/:project_id/:z/:xy", handlers...)
	return e
}

// serve times one request per iteration and returns the durations. The
// slice is allocated before the timer starts so its growth does not show
// in ns/op; the two clock reads cost the same with and without auth.
func serve(b *testing.B, e *gin.Engine, req *http.Request) []time.Duration {
	d := make([]time.Duration, b.N)
	w := httptest.NewRecorder()
	b.ResetTimer()
	for i := range b.N {
		w.Body.Reset()
		start := time.Now()
		e.ServeHTTP(w, req)
		d[i] = time.Since(start)
	}
	b.StopTimer()
	if w.Code != http.StatusNoContent {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	return d
}

func p99(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)*99/100]
}

// BenchmarkMiddleware measures what authentication and the project rule
// add to a request with a warm cache (the steady state of tile serving):
// ns/op with them, and the 99th percentile with and without them.
func BenchmarkMiddleware(b *testing.B) {
	db, _ := testenv.MustDB(b)
	rdb, rcfg := testenv.MustRedis(b)
	f := testenv.MustPrincipals(b, db)
	authn := access.NewAuthenticator(db, rdb, rcfg, nil, time.Now)
	req := httptest.NewRequest("GET", "/tiles/"+testenv.ID(f.Project)+"/12/3_4.jpeg", nil)
	f.MustSession(b, testenv.Annotator).Sign(req)
	with, without := tileEngine(authn), tileEngine(nil)
	with.ServeHTTP(httptest.NewRecorder(), req) // warm the cache

	var base time.Duration
	b.Run("baseline", func(b *testing.B) {
		base = p99(serve(b, without, req))
		b.ReportMetric(float64(base.Nanoseconds()), "p99-ns")
	})
	b.Run("authenticated", func(b *testing.B) {
		got := p99(serve(b, with, req))
		b.ReportMetric(float64(got.Nanoseconds()), "p99-ns")
		b.ReportMetric(float64((got - base).Nanoseconds()), "added-p99-ns")
	})
	b.Run("authenticated-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				with.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	})
}
