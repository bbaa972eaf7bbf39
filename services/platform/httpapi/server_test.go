package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func newServer(t *testing.T) *httpapi.Server {
	t.Helper()
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
		httpapi.Deps{Service: "test", Log: testenv.Logger(), Registry: httpapi.NewRegistry()})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	return s
}

// A request in flight when SIGTERM arrives (ctx ends) still completes;
// new connections are refused afterwards.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	s := newServer(t)
	started := make(chan struct{})
	s.Engine().GET("/slow", func(c *gin.Context) {
		close(started)
		time.Sleep(500 * time.Millisecond)
		c.String(http.StatusOK, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	base := "http://" + s.Addr()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request got %q, want it to finish", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want a clean stop", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
}

func TestErrorsHaveOneShape(t *testing.T) {
	s := newServer(t)
	s.Engine().GET("/conflict", func(c *gin.Context) { httpapi.Fail(c, platform.Errorf(platform.ECONFLICT, "version 3 is stale")) })
	s.Engine().GET("/boom", func(c *gin.Context) { httpapi.Fail(c, io.ErrUnexpectedEOF) })
	s.Engine().GET("/panic", func(c *gin.Context) { panic("bug") })
	base := testenv.MustServe(t, serving{s})
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/conflict", 409, `{"error":{"code":"conflict","message":"version 3 is stale"}}`},
		{"/boom", 500, `{"error":{"code":"internal","message":"internal error"}}`},
		{"/panic", 500, `{"error":{"code":"internal","message":"internal error"}}`},
		{"/nowhere", 404, `{"error":{"code":"not_found","message":"no such resource"}}`},
	}
	for _, tt := range tests {
		if st, body := testenv.Get(t, base+tt.path); st != tt.status || body != tt.body {
			t.Errorf("GET %s = %d %s, want %d %s", tt.path, st, body, tt.status, tt.body)
		}
	}
}

// serving adapts a bare Server to testenv.MustServe.
type serving struct{ s *httpapi.Server }

func (v serving) Open(context.Context) error    { return nil }
func (v serving) Run(ctx context.Context) error { return v.s.Serve(ctx) }
func (v serving) Close() error                  { return nil }
func (v serving) Addr() string                  { return v.s.Addr() }

// The profiler answers on its own address only, and stops with the server.
func TestProfilerOnlyOnTheDebugListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debugAddr := ln.Addr().String()
	ln.Close()
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second, DebugListen: debugAddr},
		httpapi.Deps{Service: "test", Log: testenv.Logger(), Registry: httpapi.NewRegistry()})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var got int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = status("http://" + debugAddr + "/debug/pprof/cmdline"); got != 0 {
			break
		}
	}
	if got != http.StatusOK {
		t.Fatalf("profiler on the debug listener answered %d, want 200", got)
	}
	if got := status("http://" + s.Addr() + "/debug/pprof/cmdline"); got != http.StatusNotFound {
		t.Fatalf("profiler on the service listener answered %d, want 404", got)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if got := status("http://" + debugAddr + "/debug/pprof/cmdline"); got != 0 {
		t.Fatalf("the profiler still answers (%d) after shutdown", got)
	}
}

// lockedBuffer is a log destination the server and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The request log names the signed-in user and the client address, and
// every 403 reaches the Denied hook (the audit log) after it is answered.
func TestRequestLogNamesUserAndClientAndReportsDenials(t *testing.T) {
	var logs lockedBuffer
	var denied atomic.Int32
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
		httpapi.Deps{Service: "test", Log: slog.New(slog.NewJSONHandler(&logs, nil)), Registry: httpapi.NewRegistry(),
			Denied: func(c *gin.Context) { denied.Add(1) }})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Engine().GET("/who", func(c *gin.Context) {
		httpapi.SetUser(c, 42)
		if c.Query("deny") != "" {
			httpapi.Fail(c, platform.Errorf(platform.EFORBIDDEN, "no"))
			return
		}
		c.Status(http.StatusNoContent)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	for _, q := range []string{"", "?deny=1"} {
		resp, err := http.Get("http://" + s.Addr() + "/who" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("request lines: %v", lines)
	}
	for _, l := range lines {
		if l["user"] != 42.0 || l["client_ip"] != "127.0.0.1" {
			t.Errorf("request line %v lacks user 42 and client_ip 127.0.0.1", l)
		}
	}
	if n := denied.Load(); n != 1 {
		t.Errorf("Denied called %d times, want once (for the 403)", n)
	}
}

// A query string Go cannot parse is refused, naming the problem: gin would
// otherwise drop the bad pair, and bbox=0,0,1,1;x would read as no bbox.
func TestUnparsableQueryIsRefused(t *testing.T) {
	s := newServer(t)
	s.Engine().GET("/q", func(c *gin.Context) { c.String(http.StatusOK, "bbox=%q", c.Query("bbox")) })
	base := testenv.MustServe(t, serving{s})
	tests := []struct {
		query  string
		status int
		want   string
	}{
		{"bbox=0,0,1,1", 200, `bbox="0,0,1,1"`},
		{"bbox=0,0,1,1%3Bx&y=%20", 200, `bbox="0,0,1,1;x"`},
		{"bbox=0,0,1,1;x", 400, `"code":"invalid","message":"the query string cannot be parsed: invalid semicolon separator in query`},
		{"a=1;b=2&bbox=1", 400, `semicolon`},
		{"bbox=%zz", 400, `invalid URL escape \"%zz\"`},
	}
	for _, tt := range tests {
		st, body := testenv.Get(t, base+"/q?"+tt.query)
		if st != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET /q?%s = %d %s, want %d containing %s", tt.query, st, body, tt.status, tt.want)
		}
	}
}

// A client that abandons an upload mid-body is not a server failure: the
// request is logged as 499 at info, not as a 500 with an error line.
func TestAbandonedUploadIsNotAServerError(t *testing.T) {
	var logs lockedBuffer
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
		httpapi.Deps{Service: "test", Log: slog.New(slog.NewJSONHandler(&logs, nil)), Registry: httpapi.NewRegistry()})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	s.Engine().PUT("/part", func(c *gin.Context) {
		defer close(done)
		_, err := io.ReadAll(c.Request.Body)
		httpapi.Fail(c, fmt.Errorf("store part 3: %w", err))
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PUT /part HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n%s", strings.Repeat("x", 1000))
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	<-done
	time.Sleep(100 * time.Millisecond)
	out := logs.String()
	if !strings.Contains(out, `"status":499`) || strings.Contains(out, `"level":"ERROR"`) {
		t.Fatalf("abandoned upload logged as:\n%s\nwant status 499 and no error", out)
	}
}

// During the shutdown delay the server keeps answering requests but fails
// /readyz, so a rolling update loses no request routed to it meanwhile;
// then it stops.
func TestShutdownDelayKeepsServingWhileNotReady(t *testing.T) {
	s := httpapi.New(httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second, ShutdownDelay: 700 * time.Millisecond},
		httpapi.Deps{Service: "test", Log: testenv.Logger(), Registry: httpapi.NewRegistry()})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Engine().GET("/work", func(c *gin.Context) { c.String(http.StatusOK, "done") })
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	base := "http://" + s.Addr()
	status := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s during the delay: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before SIGTERM = %d, want 200", got)
	}
	stopped := time.Now()
	cancel()
	time.Sleep(100 * time.Millisecond)
	if got := status("/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while draining = %d, want 503", got)
	}
	if got := status("/work"); got != http.StatusOK {
		t.Errorf("a request while draining = %d, want 200", got)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v, want a clean stop", err)
	}
	if d := time.Since(stopped); d < 700*time.Millisecond {
		t.Errorf("stopped %v after SIGTERM, before the 700ms delay", d)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("the server still accepts connections after the delay")
	}
}
