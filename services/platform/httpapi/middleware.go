package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
)

// logRequests gives every request a logger with its id and logs one line
// when it ends. Probes and scrapes log at debug so they do not drown the rest.
func logRequests(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		c.Header("X-Request-Id", id)
		l := base.With("request_id", id, "method", c.Request.Method, "route", routeOf(c))
		c.Set(loggerKey, l)
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		switch p := c.Request.URL.Path; {
		case c.Writer.Status() >= 500:
			level = slog.LevelError
		case p == "/healthz" || p == "/readyz" || p == "/metrics":
			level = slog.LevelDebug
		}
		l.Log(c, level, "request", "status", c.Writer.Status(), "took_ms", time.Since(start).Milliseconds(), "bytes", c.Writer.Size())
	}
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
