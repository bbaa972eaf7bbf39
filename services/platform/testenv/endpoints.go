package testenv

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// CheckStandardEndpoints asserts what every service serves: /healthz,
// /readyz green against the real dependencies, and Prometheus text on
// /metrics with HTTP metrics labelled by route template.
func CheckStandardEndpoints(tb testing.TB, base, service string) {
	tb.Helper()
	for _, p := range []string{"/healthz", "/readyz"} {
		if st, body := Get(tb, base+p); st != http.StatusOK {
			tb.Errorf("GET %s = %d %s, want 200", p, st, body)
		}
	}
	st, body := Get(tb, base+"/metrics")
	want := `http_requests_total{code="200",method="GET",route="/readyz",service="` + service + `"}`
	if st != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "go_goroutines") || !strings.Contains(body, "process_cpu_seconds_total") {
		tb.Errorf("GET /metrics = %d, want Prometheus text with %s and Go/process collectors", st, want)
	}
}

// Get fetches url and returns the status and body.
func Get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
