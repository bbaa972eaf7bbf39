package httpapi

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Bounds of the drain: bodies larger than this are cut off with the
// connection, as net/http does past 256 KiB by default.
const (
	maxDrain     = 256 << 20
	maxDrainTime = 60 * time.Second
)

// drainBody reads what is left of a request body once the answer is
// written. A handler that refuses a body early (401 before an upload, 413
// past the JSON limit) otherwise leaves net/http to close the connection
// with unread data, which resets it; the reset races the answer, and a
// proxy in front (the gateway, an ingress) reports "not answering" instead
// of the real status. A client that asked to continue (Expect:
// 100-continue) and was never told to sends nothing, so nothing is read.
func drainBody(c *gin.Context) {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody {
		c.Next()
		return
	}
	b := &trackedBody{rc: r.Body}
	r.Body = b
	c.Writer = &restoringWriter{ResponseWriter: c.Writer, restore: func() { r.Body = b.rc }}
	c.Next()
	c.Writer.Flush() // the client has its answer while the rest is read
	if !b.started() && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(maxDrainTime))
	b.drain(maxDrain)
}

// restoringWriter puts the server's own request body back just before the
// answer's header is written: net/http decides then, by the body's type,
// whether the connection can be kept and whether a 100 Continue is still
// owed, and it must not see the wrapper.
type restoringWriter struct {
	gin.ResponseWriter
	restore func()
}

func (w *restoringWriter) WriteHeaderNow() { w.restore(); w.ResponseWriter.WriteHeaderNow() }
func (w *restoringWriter) Flush()          { w.restore(); w.ResponseWriter.Flush() }

func (w *restoringWriter) Write(p []byte) (int, error) {
	w.restore()
	return w.ResponseWriter.Write(p)
}

func (w *restoringWriter) WriteString(s string) (int, error) {
	w.restore()
	return w.ResponseWriter.WriteString(s)
}

// trackedBody knows whether the handler began reading and whether it read
// to the end. Close only stops further reads by the handler (a reverse
// proxy's transport may still read from another goroutine after the
// handler returns); drain then reads the rest under the same lock.
type trackedBody struct {
	mu              sync.Mutex
	rc              io.ReadCloser
	read, eof, done bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return 0, http.ErrBodyReadAfterClose
	}
	b.read = true
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *trackedBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	return nil
}

func (b *trackedBody) started() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.read
}

func (b *trackedBody) drain(limit int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	if !b.eof {
		_, _ = io.CopyN(io.Discard, b.rc, limit)
	}
	_ = b.rc.Close()
}
