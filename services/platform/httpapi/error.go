package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/outage"
)

// RetryAfter is the Retry-After, in seconds, sent with every 503: long
// enough for a restarted database or a failed-over Redis to come back.
const RetryAfter = "5"

var (
	notFound         = platform.Errorf(platform.ENOTFOUND, "no such resource")
	methodNotAllowed = platform.Errorf(platform.EINVALID, "method not allowed")
)

var statuses = map[string]int{
	platform.EINVALID:      http.StatusBadRequest,
	platform.EUNAUTHORIZED: http.StatusUnauthorized,
	platform.EREAUTH:       http.StatusUnauthorized,
	platform.EFORBIDDEN:    http.StatusForbidden,
	platform.ENOTFOUND:     http.StatusNotFound,
	platform.ECONFLICT:     http.StatusConflict,
	platform.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	platform.ETOOMANY:      http.StatusTooManyRequests,
	platform.EUNAVAILABLE:  http.StatusServiceUnavailable,
	platform.EINTERNAL:     http.StatusInternalServerError,
}

// Status is the HTTP status for an error code.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the one error shape every endpoint answers with.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and the caller-safe message.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Fail renders err and aborts the chain. Internal errors are logged with
// their detail and shown only as "internal error"; an unreachable
// dependency is unavailable (503 with Retry-After), so clients can tell an
// outage from a bug; a method-not-allowed route answers 405 with the
// invalid code. A request whose client went away is logged, not counted
// as a failure: nobody reads the answer.
func Fail(c *gin.Context, err error) {
	if c.Request.Context().Err() != nil { // the connection ended: net/http cancels on a failed body read too
		logger(c).Info("client went away", "err", err)
		c.AbortWithStatus(StatusClientClosed)
		return
	}
	code, msg := platform.ErrorCode(err), platform.ErrorMessage(err)
	if code == platform.EINTERNAL && outage.Is(err) {
		code, msg = platform.EUNAVAILABLE, "a service this request needs (database, cache or object store) is not answering; try again shortly"
		logger(c).Warn("dependency unavailable", "err", err)
	}
	status := Status(code)
	switch {
	case err == methodNotAllowed:
		status = http.StatusMethodNotAllowed
	case code == platform.EINTERNAL:
		logger(c).Error("request failed", "err", err)
	case status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "":
		c.Header("Retry-After", RetryAfter)
	}
	c.AbortWithStatusJSON(status, ErrorBody{ErrorDetail{code, msg}})
}

// StatusClientClosed is logged for requests the client abandoned (nginx's
// 499); no client ever receives it.
const StatusClientClosed = 499

// IsCode reports whether err carries code.
func IsCode(err error, code string) bool {
	var e *platform.Error
	return errors.As(err, &e) && e.Code == code
}

const requestKey = "patholabel.request"

// logger returns the request-scoped logger of the logging middleware.
func logger(c *gin.Context) *slog.Logger {
	if v, ok := c.Get(requestKey); ok {
		r := v.(*requestLog)
		return r.base.With("request_id", r.id, "method", c.Request.Method, "route", routeOf(c))
	}
	return slog.Default()
}

// Logger is the request-scoped logger (method, route, request id).
func Logger(c *gin.Context) *slog.Logger { return logger(c) }
