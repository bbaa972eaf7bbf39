package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// body is a tile-sized answer: more than net/http's 4 KiB write buffer;
// small is one that fits in it.
var (
	body  = bytes.Repeat([]byte("0123456789abcdef"), 20_000/16)
	small = body[:3000]
)

// coalescingServer serves /whole (WriteWhole) and /plain with the same
// body, /whole-small (WriteWhole) with a smaller one, /close (WriteWhole)
// with Connection: close, and /stream as server-sent events.
func coalescingServer(t *testing.T) string {
	t.Helper()
	s := newServer(t)
	e := s.Engine()
	e.GET("/plain", func(c *gin.Context) {
		c.Header("Content-Length", strconv.Itoa(len(body)))
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write(body)
	})
	whole := func(b []byte, header ...string) gin.HandlerFunc {
		return func(c *gin.Context) {
			c.Header("Content-Length", strconv.Itoa(len(b)))
			c.Header("Content-Type", "application/octet-stream")
			for i := 0; i+1 < len(header); i += 2 {
				c.Header(header[i], header[i+1])
			}
			httpapi.WriteWhole(c, http.StatusOK, b)
		}
	}
	e.GET("/whole", whole(body))
	e.HEAD("/whole", whole(body))
	e.GET("/whole-small", whole(small))
	e.GET("/close", whole(body, "Connection", "close"))
	e.GET("/stream", func(c *gin.Context) {
		c.Header("Content-Type", "text/event-stream")
		_, _ = c.Writer.WriteString("data: first\n\n")
		c.Writer.Flush()
		<-c.Request.Context().Done() // the client reads "first" while the handler still runs
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s.Addr()
}

// writes is this process's write(2)/writev(2) count so far.
func writes(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatalf("read /proc/self/io: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatal("no syscw in /proc/self/io")
	return 0
}

// get sends n requests for path on one raw keep-alive connection, one at
// a time, checks every answer against want, and returns the write(2)
// calls made meanwhile (the client's n requests included).
func get(t *testing.T, addr, path string, want []byte, n int) int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
	before := writes(t)
	for range n {
		if _, err := conn.Write(req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes (%v), want the %d-byte body", path, len(got), err, len(want))
		}
		// Coalesced answers carry the once-a-second Date; it must be now.
		if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || time.Since(d) > 2*time.Second || time.Until(d) > time.Second {
			t.Fatalf("%s: Date %q (%v), want now (%s)", path, resp.Header.Get("Date"), err, time.Now().UTC().Format(http.TimeFormat))
		}
	}
	return writes(t) - before
}

// send writes raw requests on a new connection to addr, all at once (so
// they may be pipelined), and returns the reader of its answers; the
// connection gives up after 10 s and closes with the test.
func send(t *testing.T, addr, requests string) *bufio.Reader {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, requests); err != nil {
		t.Fatal(err)
	}
	return bufio.NewReader(conn)
}

// A coalesced answer leaves in one write instead of two; it arrives whole,
// answer after answer on one connection.
func TestCoalescedAnswerLeavesInOneWrite(t *testing.T) {
	addr := coalescingServer(t)
	const n = 200
	plain := get(t, addr, "/plain", body, n)
	// Each answer: the client's request, then the server's writes (two
	// plain, one whole); the runtime may add a few wake-ups.
	if whole := get(t, addr, "/whole", body, n); plain-whole < n*9/10 {
		t.Fatalf("write calls for %d answers: %d plain, %d whole; want about %d fewer", n, plain, whole, n)
	}
	// An answer within the buffer: one write too, not the header and then
	// the body.
	if got := get(t, addr, "/whole-small", small, n); got > 2*n+n/10 {
		t.Fatalf("write calls for %d small answers: %d, want about %d (the requests and the answers)", n, got, 2*n)
	}
}

// A HEAD answer written whole is its header alone, and the connection
// goes on.
func TestWholeAnswerToHead(t *testing.T) {
	r := send(t, coalescingServer(t), "HEAD /whole HTTP/1.1\r\nHost: x\r\n\r\nGET /whole HTTP/1.1\r\nHost: x\r\n\r\n")
	head, err := http.ReadResponse(r, &http.Request{Method: "HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	if head.StatusCode != http.StatusOK || head.ContentLength != int64(len(body)) {
		t.Fatalf("HEAD: %d, Content-Length %d; want 200 and %d", head.StatusCode, head.ContentLength, len(body))
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("the GET after the HEAD: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(got, body) {
		t.Fatalf("the GET after the HEAD: %d bytes, want %d", len(got), len(body))
	}
}

// Pipelined requests (sent before any answer is read) each get their
// whole answer, in order.
func TestCoalescedAnswersToPipelinedRequests(t *testing.T) {
	paths := []string{"/whole", "/plain", "/whole-small", "/whole", "/plain", "/whole"}
	var reqs strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&reqs, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", p)
	}
	r := send(t, coalescingServer(t), reqs.String())
	for _, p := range paths {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		want := body
		if p == "/whole-small" {
			want = small
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes, want %d", p, len(got), len(want))
		}
	}
}

// A coalesced answer on a connection net/http then closes is sent before
// the close; a streamed answer that never opted in is not held back.
func TestCoalescingNeitherLosesNorDelays(t *testing.T) {
	addr := coalescingServer(t)
	resp, err := http.Get("http://" + addr + "/close")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, body) || !resp.Close {
		t.Fatalf("/close: %d bytes, closed %v; want the whole body, then the close", len(got), resp.Close)
	}

	// The stream comes after a coalesced answer on the same connection:
	// holding must end with that answer.
	r := send(t, addr, "GET /whole HTTP/1.1\r\nHost: x\r\n\r\nGET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	first, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, first.Body)
	stream, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("the stream's headers never came: %v", err)
	}
	line, err := bufio.NewReader(stream.Body).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("the stream's first event: %q, %v", line, err)
	}
}
