package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// refusingService is a service on the shared server plumbing that refuses
// bodies early: one without reading a byte (as an unauthenticated upload
// is), one after the JSON limit (as an oversized batch of marks is).
func refusingService(tb testing.TB) *url.URL {
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
		httpapi.Deps{Service: "tiler", Log: testenv.Logger(), Registry: httpapi.NewRegistry()})
	if err := s.Listen(); err != nil {
		tb.Fatal(err)
	}
	s.Engine().PUT("/api/v1/uploads/:id/parts/:n", func(c *gin.Context) {
		httpapi.Fail(c, platform.Errorf(platform.EUNAUTHORIZED, "sign in first"))
	})
	s.Engine().POST("/api/v1/slides/:id/annotations", func(c *gin.Context) {
		var v map[string]any
		httpapi.Fail(c, httpapi.DecodeJSON(c, &v))
	})
	u, _ := url.Parse(testenv.MustServe(tb, serverService{s}))
	return u
}

type serverService struct{ s *httpapi.Server }

func (v serverService) Open(context.Context) error    { return nil }
func (v serverService) Run(ctx context.Context) error { return v.s.Serve(ctx) }
func (v serverService) Close() error                  { return nil }
func (v serverService) Addr() string                  { return v.s.Addr() }

// spaces is an endless body of blanks: valid JSON so far, never complete.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// A service that refuses a large body before reading it must have its own
// answer reach the client every time: not a 503 "not answering" that
// invites re-sending 100 MB, nor a reset.
func TestEarlyRefusalOfALargeBodyReachesTheClient(t *testing.T) {
	up := refusingService(t)
	base := mustGateway(t, map[string]*url.URL{"tiler": up, "annotation": up})
	const size = 100 << 20
	// curl sends Expect: 100-continue with large bodies; browsers do not.
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Second}}
	for _, tt := range []struct {
		method, path string
		expect       bool
		status       int
		code         string
	}{
		{"PUT", "/api/v1/uploads/abc/parts/1", false, 401, "unauthorized"},
		{"PUT", "/api/v1/uploads/abc/parts/1", true, 401, "unauthorized"},
		{"POST", "/api/v1/slides/1/annotations", false, 413, "too_large"},
		{"POST", "/api/v1/slides/1/annotations", true, 413, "too_large"},
	} {
		start := time.Now()
		for i := range 20 {
			req, _ := http.NewRequest(tt.method, base+tt.path, io.LimitReader(spaces{}, size))
			req.ContentLength = size
			if tt.expect {
				req.Header.Set("Expect", "100-continue")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s (expect %v) try %d: %v, want %d", tt.method, tt.path, tt.expect, i, err, tt.status)
			}
			var body httpapi.ErrorBody
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || body.Error.Code != tt.code {
				t.Fatalf("%s %s (expect %v) try %d = %d %v (%v), want %d %s", tt.method, tt.path, tt.expect, i, resp.StatusCode, body, err, tt.status, tt.code)
			}
		}
		t.Logf("%s %s (expect %v): 20 tries in %v", tt.method, tt.path, tt.expect, time.Since(start))
	}
}
