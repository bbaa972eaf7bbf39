package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/gateway"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// upstream is a stand-in service that echoes what reached it.
func upstream(tb testing.TB, name string, ready bool) *url.URL {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && !ready {
			w.WriteHeader(503)
			return
		}
		body, _ := io.ReadAll(r.Body)
		json.NewEncoder(w).Encode(map[string]string{"service": name, "path": r.URL.RequestURI(), "xff": r.Header.Get("X-Forwarded-For"), "host": r.Host, "body": string(body)})
	}))
	tb.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func webDir(tb testing.TB) string {
	dir := tb.TempDir()
	os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>Patholabel</title>"), 0o644)
	os.WriteFile(filepath.Join(dir, "assets", "app-1234.js"), []byte("console.log(1)"), 0o644)
	return dir
}

func mustGateway(tb testing.TB, up map[string]*url.URL) string {
	m := &Main{
		Base:    app.Base{HTTP: httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}},
		Gateway: gateway.Config{WebDir: webDir(tb), Upstreams: up},
		Log:     testenv.Logger(),
	}
	return testenv.MustServe(tb, m)
}

func get(tb testing.TB, method, u string, body string) (*http.Response, string) {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestRoutesByTheSharedTable(t *testing.T) {
	base := mustGateway(t, map[string]*url.URL{
		"auth": upstream(t, "auth", true), "tiler": upstream(t, "tiler", true),
		"annotation": upstream(t, "annotation", true), "export": upstream(t, "export", true),
	})
	tests := []struct{ method, path, service string }{
		{"POST", "/api/v1/auth/login", "auth"},
		{"GET", "/api/v1/projects/3/categories?x=1", "auth"},
		{"GET", "/tiles/5_files/11/2_3.jpeg", "tiler"},
		{"PUT", "/api/v1/uploads/abc/parts/2", "tiler"},
		{"PATCH", "/api/v1/annotations/9", "annotation"},
		{"GET", "/api/v1/exports", "export"},
	}
	for _, tt := range tests {
		resp, body := get(t, tt.method, base+tt.path, "payload")
		var got map[string]string
		json.Unmarshal([]byte(body), &got)
		if resp.StatusCode != 200 || got["service"] != tt.service || got["path"] != tt.path || got["body"] != "payload" {
			t.Errorf("%s %s reached %v (%d), want %s with path and body intact", tt.method, tt.path, got, resp.StatusCode, tt.service)
		}
		if got["xff"] != "127.0.0.1" || !strings.HasPrefix(got["host"], "127.0.0.1:") {
			t.Errorf("%s: forwarded headers %q host %q", tt.path, got["xff"], got["host"])
		}
	}
}

func TestServesTheViewer(t *testing.T) {
	base := mustGateway(t, nil)
	resp, body := get(t, "GET", base+"/projects/3/slides/7", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Patholabel") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("deep link = %d %q, want index.html with a CSP", resp.StatusCode, body)
	}
	resp, _ = get(t, "GET", base+"/assets/app-1234.js", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset = %d cache %q, want 200 immutable", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ = get(t, "GET", base+"/assets/missing.js", ""); resp.StatusCode != 404 {
		t.Fatalf("missing asset = %d, want 404", resp.StatusCode)
	}
	resp, body = get(t, "GET", base+"/api/v1/slides", "")
	if resp.StatusCode != 404 || !strings.Contains(body, `"not_found"`) {
		t.Fatalf("unrouted API = %d %s, want 404 in the error shape", resp.StatusCode, body)
	}
}

// The viewer is served with its security headers, and with HSTS once it
// was reached over HTTPS (the Ingress terminates TLS).
func TestViewerSecurityHeaders(t *testing.T) {
	base := mustGateway(t, nil)
	for _, proto := range []string{"", "https"} {
		req, _ := http.NewRequest("GET", base+"/projects/3", nil)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("proto %q: headers %v", proto, h)
		}
		if hsts := h.Get("Strict-Transport-Security"); (proto == "https") != strings.HasPrefix(hsts, "max-age=31536000") {
			t.Errorf("proto %q: Strict-Transport-Security %q, want it over HTTPS only", proto, hsts)
		}
	}
}

// /metrics and /readyz are for the cluster, not the internet: the Ingress
// sends every unknown path to the viewer, so what came through a proxy is
// refused, while probes and Prometheus, calling the pod, are answered.
func TestInternalEndpointsNotThroughTheIngress(t *testing.T) {
	base := mustGateway(t, nil)
	for _, path := range []string{"/metrics", "/readyz"} {
		if resp, _ := get(t, "GET", base+path, ""); resp.StatusCode != 200 {
			t.Errorf("%s from the cluster = %d, want 200", path, resp.StatusCode)
		}
		for _, hdr := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP"} {
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set(hdr, "for=203.0.113.9")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("%s through a proxy (%s) = %d, want 404", path, hdr, resp.StatusCode)
			}
		}
	}
}

func TestReadinessNamesWhatIsNotReady(t *testing.T) {
	down, _ := url.Parse("http://127.0.0.1:1") // nothing listens on port 1
	base := mustGateway(t, map[string]*url.URL{"auth": upstream(t, "auth", true), "tiler": upstream(t, "tiler", false), "export": down})
	resp, body := get(t, "GET", base+"/readyz", "")
	var r httpapi.Readiness
	json.Unmarshal([]byte(body), &r)
	if resp.StatusCode != 503 || r.Checks["auth"] != "ok" || r.Checks["tiler"] != "unavailable" || r.Checks["export"] != "unavailable" {
		t.Fatalf("readyz = %d %s, want 503 naming tiler and export", resp.StatusCode, body)
	}
	resp, body = get(t, "GET", base+"/api/v1/exports", "")
	if resp.StatusCode != 503 || !strings.Contains(body, `"unavailable"`) || !strings.Contains(body, "export service") {
		t.Fatalf("down upstream = %d %s, want 503 unavailable naming the export service", resp.StatusCode, body)
	}
	ok := mustGateway(t, map[string]*url.URL{"auth": upstream(t, "auth", true)})
	if resp, body := get(t, "GET", ok+"/readyz", ""); resp.StatusCode != 200 {
		t.Fatalf("all ready: readyz = %d %s, want 200", resp.StatusCode, body)
	}
}

func TestBadConfigExitsWithOneLine(t *testing.T) {
	f, _ := os.CreateTemp(t.TempDir(), "stderr")
	lookup := func(k string) (string, bool) {
		v, ok := map[string]string{"PATHOLABEL_UPSTREAM_AUTH": "not a url", "PATHOLABEL_WEB_DIR": webDir(t)}[k]
		return v, ok
	}
	code := app.MainWithoutDB("gateway", nil, lookup, f, build)
	out, _ := os.ReadFile(f.Name())
	if code != 2 || !strings.Contains(string(out), "PATHOLABEL_UPSTREAM_AUTH") || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q; want 2 and one line naming PATHOLABEL_UPSTREAM_AUTH", code, out)
	}
}

// httputil.ReverseProxy drops query pairs it cannot parse before
// forwarding; the gateway refuses them instead, so the service never sees
// a silently shortened query.
func TestUnparsableQueryIsRefusedNotShortened(t *testing.T) {
	base := mustGateway(t, map[string]*url.URL{"annotation": upstream(t, "annotation", true)})
	resp, body := get(t, "GET", base+"/api/v1/annotations?slide=1&bbox=0,0,1,1;x", "")
	if resp.StatusCode != 400 || !strings.Contains(body, `"code":"invalid"`) || !strings.Contains(body, "semicolon") {
		t.Fatalf("GET with a raw ; = %d %s, want 400 invalid naming the semicolon", resp.StatusCode, body)
	}
}

// The viewer's own errors answer in the one JSON error shape too, not in
// net/http's plain text.
func TestStaticErrorsHaveTheErrorShape(t *testing.T) {
	base := mustGateway(t, nil)
	for _, tt := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/assets/missing.js", 404, `{"error":{"code":"not_found","message":"no such file /assets/missing.js"}}`},
		{"POST", "/projects/3", 405, `{"error":{"code":"invalid","message":"method POST not allowed; the viewer's files are read with GET or HEAD"}}`},
	} {
		resp, body := get(t, tt.method, base+tt.path, "")
		if resp.StatusCode != tt.status || body != tt.body || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s = %d %q (%s), want %d %s", tt.method, tt.path, resp.StatusCode, body, resp.Header.Get("Content-Type"), tt.status, tt.body)
		}
	}
}
