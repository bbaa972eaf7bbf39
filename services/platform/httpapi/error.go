package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
)

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
// their detail and shown only as "internal error"; a method-not-allowed
// route answers 405 with the invalid code.
func Fail(c *gin.Context, err error) {
	code := platform.ErrorCode(err)
	status := Status(code)
	if err == methodNotAllowed {
		status = http.StatusMethodNotAllowed
	}
	if code == platform.EINTERNAL {
		logger(c).Error("request failed", "err", err)
	}
	c.AbortWithStatusJSON(status, ErrorBody{ErrorDetail{code, platform.ErrorMessage(err)}})
}

// IsCode reports whether err carries code.
func IsCode(err error, code string) bool {
	var e *platform.Error
	return errors.As(err, &e) && e.Code == code
}

const requestKey = "patholabel.request"

// logger returns the request-scoped logger of the logging middleware.
func logger(c *gin.Context) *slog.Logger {
	if v, ok := c.Get(requestKey); ok {
		r := v.(requestLog)
		return r.base.With("request_id", r.id, "method", c.Request.Method, "route", routeOf(c))
	}
	return slog.Default()
}

// Logger is the request-scoped logger (method, route, request id).
func Logger(c *gin.Context) *slog.Logger { return logger(c) }
