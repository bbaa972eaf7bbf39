package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Requests are counted and timed by route template, method and code, and
// a method HTTP does not define is counted as "other": each invented
// method would otherwise be a series of its own, for as long as the
// process lives.
func TestRequestMetricsByRouteMethodAndCode(t *testing.T) {
	reg := httpapi.NewRegistry()
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
		httpapi.Deps{Service: "test", Log: testenv.Logger(), Registry: reg})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Engine().GET("/items/:id", func(c *gin.Context) {
		if c.Param("id") == "0" {
			c.Status(http.StatusNotFound)
			return
		}
		c.Status(http.StatusNoContent)
	})
	base := testenv.MustServe(t, serving{s})
	for _, r := range []struct{ method, path string }{
		{"GET", "/items/1"}, {"GET", "/items/2"}, {"GET", "/items/0"}, {"BREW", "/items/1"}, {"BREW2", "/items/1"},
	} {
		req, _ := http.NewRequest(r.method, base+r.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	want := `
# HELP http_requests_total HTTP requests served, by route template, method and status code.
# TYPE http_requests_total counter
http_requests_total{code="204",method="GET",route="/items/:id",service="test"} 2
http_requests_total{code="404",method="GET",route="/items/:id",service="test"} 1
http_requests_total{code="405",method="other",route="unmatched",service="test"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "http_requests_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "http_request_duration_seconds"); n != 2 {
		t.Errorf("http_request_duration_seconds has %d series, want 2 (GET /items/:id, other unmatched)", n)
	}
}
