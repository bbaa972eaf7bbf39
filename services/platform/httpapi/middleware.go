package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
)

// RequestID is the id the middleware gave this request and answered with
// in X-Request-Id: the client's own when it sent a usable one, else a new
// one. Work a request starts (a queued job) carries it on, so its logs can
// be joined to the request's.
func RequestID(c *gin.Context) string { return c.Writer.Header().Get("X-Request-Id") }

// logRequests tags every request with an id and logs one line when it
// ends, with the caller's user id (SetUser) and client address, and tells
// denied of every 403. Probes and scrapes log at debug so they do not drown the rest. The
// request-scoped logger is built only when a handler asks for it (Logger),
// because tiles are served in about a millisecond and most requests never log.
func logRequests(base *slog.Logger, denied func(*gin.Context)) gin.HandlerFunc {
	ids := newRequestIDs()
	// gin makes a new map for the values a request's handlers keep (c.Set)
	// on every request; these are cleared and reused once the request is
	// over, when nothing may hold c any more (gin reuses it too).
	keys := sync.Pool{New: func() any { return make(map[any]any, 8) }}
	return func(c *gin.Context) {
		c.Keys = keys.Get().(map[any]any)
		defer func() {
			m := c.Keys
			c.Keys = nil
			clear(m)
			keys.Put(m)
		}()
		// One allocation holds the id, its header value and the logger's
		// inputs: this runs for every tile.
		r := &requestLog{base: base, id: c.GetHeader("X-Request-Id")}
		if r.id == "" || len(r.id) > 64 {
			r.id = ids.next()
		}
		r.header[0] = r.id
		c.Writer.Header()["X-Request-Id"] = r.header[:] // the canonical key: Set would canonicalise it per request
		c.Set(requestKey, r)
		start := time.Now()
		c.Next()
		if denied != nil && c.Writer.Status() == http.StatusForbidden {
			denied(c)
		}
		level := slog.LevelInfo
		switch p := c.Request.URL.Path; {
		case c.Writer.Status() >= 500:
			level = slog.LevelError
		case p == "/healthz" || p == "/readyz" || p == "/metrics":
			level = slog.LevelDebug
		}
		ctx := c.Request.Context()
		if base.Enabled(ctx, level) {
			base.LogAttrs(ctx, level, "request", slog.String("request_id", r.id), slog.String("method", c.Request.Method),
				slog.String("route", routeOf(c)), slog.Int("status", c.Writer.Status()),
				slog.Int64("user", c.GetInt64(userKey)), slog.String("client_ip", c.ClientIP()),
				slog.Int64("took_ms", time.Since(start).Milliseconds()), slog.Int("bytes", c.Writer.Size()))
		}
	}
}

const userKey = "patholabel.user"

// SetUser names the request's signed-in user for the request log; the
// authentication middleware calls it. Absent, the log says user 0.
func SetUser(c *gin.Context, id int64) { c.Set(userKey, id) }

// requestLog is what a request's logger is built from, on demand.
type requestLog struct {
	base   *slog.Logger
	id     string
	header [1]string // the X-Request-Id header's value: id
}

// requestIDs names requests: 16 hex digits, a random prefix of the
// process's own, then a counter. Request ids need to be distinct, not
// secret (a client may even choose its own); reading randomness for
// each was 1 % of a warm tile's CPU.
type requestIDs struct {
	prefix [8]byte
	n      atomic.Uint32
}

func newRequestIDs() *requestIDs {
	var b [4]byte
	_, _ = rand.Read(b[:])
	ids := &requestIDs{}
	hex.Encode(ids.prefix[:], b[:])
	return ids
}

func (ids *requestIDs) next() string {
	var b [16]byte
	copy(b[:8], ids.prefix[:])
	const digits = "0123456789abcdef"
	n := ids.n.Add(1)
	for i := 15; i >= 8; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// routeOf is the route template, so labels and logs never carry raw paths.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// recoverPanics turns a panic into a logged internal error: one bad
// request must not take the process down.
func recoverPanics(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				Fail(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

// refuseBadQuery answers 400 for a query string Go cannot parse. gin (and
// httputil.ReverseProxy) silently drop the pairs that fail to parse, so
// bbox=0,0,1,1;x would read as no bbox at all and return the whole slide.
func refuseBadQuery(c *gin.Context) {
	if c.Request.URL.RawQuery == "" {
		return // nothing to parse, and ParseQuery would make a map anyway
	}
	if _, err := url.ParseQuery(c.Request.URL.RawQuery); err != nil {
		Fail(c, platform.Errorf(platform.EINVALID, "the query string cannot be parsed: %v (separate parameters with & and percent-encode ; %% + and spaces)", err))
	}
}
