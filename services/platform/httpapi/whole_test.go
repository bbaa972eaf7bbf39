package httpapi

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

// recordingListener's connections note the size of each write they pass
// on. Not being net's own connections, they take a writev as one write per
// piece, so the record shows what each piece held.
type recordingListener struct {
	net.Listener
	mu     sync.Mutex
	writes []int
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return &recordingConn{Conn: c, l: l}, err
}

type recordingConn struct {
	net.Conn
	l *recordingListener
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	c.l.writes = append(c.l.writes, len(p))
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}

// A body written whole leaves as it came, after the header: not cut at
// net/http's 4 KiB buffer, whose first part would have been copied twice.
func TestWholeBodyIsNotCopiedOnItsWay(t *testing.T) {
	body := bytes.Repeat([]byte{'t'}, 20_000)
	e := gin.New()
	e.GET("/tile", func(c *gin.Context) {
		c.Header("Content-Length", strconv.Itoa(len(body)))
		c.Header("Content-Type", "image/jpeg")
		WriteWhole(c, http.StatusOK, body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingListener{Listener: ln}
	srv := &http.Server{Handler: e, ConnContext: withConn, ConnState: flushIdle}
	go func() { _ = srv.Serve(newCoalescingListener(rec)) }()
	t.Cleanup(func() { _ = srv.Close() })

	resp, err := http.Get("http://" + ln.Addr().String() + "/tile")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("%d bytes (%v), want the %d-byte body", len(got), err, len(body))
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if n := len(rec.writes); n != 2 || rec.writes[0] > 512 || rec.writes[1] != len(body) {
		t.Fatalf("the answer's pieces: %v bytes; want the header, then the %d-byte body whole", rec.writes, len(body))
	}
}
