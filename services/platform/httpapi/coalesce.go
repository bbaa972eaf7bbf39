package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Coalescing writes: one answer, one write.
//
// net/http writes an answer through a 4 KiB buffer: a 9 KiB tile leaves
// as the buffer (headers and the first 3.7 KiB), then the rest, two
// write(2) calls and two TCP segments, each crossing the whole network
// stack (on loopback, the receiver's half too). For tiles, the hottest
// path there is, that second write was a fifth of the tiler's CPU. A
// handler that answers in one piece does so with WriteWhole; the answer's
// bytes then wait in the connection until net/http has finished it, and
// leave in one write. net/http marks that moment by telling ConnState the
// connection is idle; closing it, hijacking it or writing a second piece
// (the two then leave together, in one writev) also sends them. Answers that stream (server-sent events, a
// download flushed as it goes) never opt in.

// maxHold bounds what one connection holds back: net/http writes through
// a 4 KiB buffer, so it holds one buffer's worth, or a small answer.
const maxHold = 16 << 10

type coalescingListener struct {
	net.Listener
	bufs  *sync.Pool // of *[]byte, shared by the listener's connections
	dates *dateClock
}

func newCoalescingListener(l net.Listener) *coalescingListener {
	return &coalescingListener{Listener: l, bufs: &sync.Pool{New: func() any { b := make([]byte, 0, maxHold); return &b }},
		dates: &dateClock{}}
}

func (l *coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c, bufs: l.bufs, dates: l.dates}, nil
}

// coalescingConn holds back writes while a coalesced answer is written.
// The handler's goroutine writes; net/http's background read and the
// ConnState hook may flush from elsewhere, hence the lock.
type coalescingConn struct {
	net.Conn
	bufs  *sync.Pool
	dates *dateClock

	mu      sync.Mutex
	holding bool
	held    *[]byte
	err     error // of a flush no caller could be told of
}

func (c *coalescingConn) hold() {
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err != nil:
		return 0, c.err
	case !c.holding:
		return c.Conn.Write(p)
	case c.held == nil && len(p) > maxHold:
		return c.Conn.Write(p) // nothing to join it to, and too big to copy
	case c.held == nil:
		c.held = c.bufs.Get().(*[]byte)
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	// The answer's next piece (the rest of a tile, written past the
	// buffer) leaves with the held one in one writev(2), not copied.
	bufs := net.Buffers{*c.held, p}
	n, err := bufs.WriteTo(c.Conn)
	n -= int64(len(*c.held))
	c.release() // still holding: a further piece waits for the end again
	return max(int(n), 0), err
}

// flush sends what is held and stops holding.
func (c *coalescingConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *coalescingConn) flushLocked() error {
	c.holding = false
	if c.held == nil {
		return c.err
	}
	if c.err == nil && len(*c.held) > 0 {
		_, c.err = c.Conn.Write(*c.held)
	}
	c.release()
	return c.err
}

func (c *coalescingConn) release() {
	if cap(*c.held) <= maxHold { // a grown one is not kept
		*c.held = (*c.held)[:0]
		c.bufs.Put(c.held)
	}
	c.held = nil
}

// Close sends what is held, then closes. A close while a write is under
// way (Server.Close, from another goroutine, with a client that stopped
// reading) closes at once, which is what ends that write.
func (c *coalescingConn) Close() error {
	if c.mu.TryLock() {
		_ = c.flushLocked() // the answer before the close, as net/http meant
		c.mu.Unlock()
	}
	return c.Conn.Close()
}

// CloseWrite is what net/http calls to half-close after a refused body.
func (c *coalescingConn) CloseWrite() error {
	if err := c.flush(); err != nil {
		return err
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps net/http's sendfile path (io.Copy from a file) once
// anything held has left.
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}

type connKey struct{}

// withConn puts the connection in each request's context (the
// http.Server's ConnContext), for WriteWhole to find.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// flushIdle is the http.Server's ConnState hook: net/http calls it with
// StateIdle once an answer is fully written, before it waits for the next
// request.
func flushIdle(c net.Conn, s http.ConnState) {
	if cc, ok := c.(*coalescingConn); ok && (s == http.StateIdle || s == http.StateHijacked) {
		_ = cc.flush() // an error is kept for the connection's next write
	}
}

// coalesce makes this request's answer leave in one write once it is
// complete, and returns the connection holding it (nil where the server
// is not this package's). Only for an answer written in one go: one that
// streams would wait for its end. Being written now, the answer is also
// dated now, from a Date header formatted once a second: net/http formats
// one per answer, and for a warm tile that was 2 % of the tiler's CPU.
func coalesce(c *gin.Context) *coalescingConn {
	cc, ok := c.Request.Context().Value(connKey{}).(*coalescingConn)
	if !ok {
		return nil
	}
	cc.hold()
	c.Writer.Header()["Date"] = cc.dates.header(time.Now())
	return cc
}

// WriteWhole answers code with body in one write (see coalesce), and
// without copying the body on its way. net/http copies an answer into
// its 4 KiB buffer until the buffer is full, and the hold copies that
// buffer again; with the header sent into the hold first, a body larger
// than the buffer passes both and leaves with the header in one writev.
// For warm tiles those two copies were 4 % of the tiler's CPU. The caller
// sets Content-Type and Content-Length: net/http cannot work them out of
// a body that comes after the header.
func WriteWhole(c *gin.Context, code int, body []byte) {
	cc := coalesce(c)
	c.Status(code)
	if cc != nil {
		c.Writer.Flush() // the header, into the hold
	}
	_, _ = c.Writer.Write(body) // a client gone mid-answer is not an error of ours
}

// dateClock is the Date header's value, formatted when the second
// changes and shared by the answers of that second (read-only: net/http
// copies a header when it writes it).
type dateClock struct{ last atomic.Pointer[stampedDate] }

type stampedDate struct {
	unix  int64
	value []string
}

func (d *dateClock) header(now time.Time) []string {
	unix := now.Unix()
	if s := d.last.Load(); s != nil && s.unix == unix {
		return s.value
	}
	s := &stampedDate{unix: unix, value: []string{now.UTC().Format(http.TimeFormat)}}
	d.last.Store(s)
	return s.value
}
