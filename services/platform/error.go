// Package platform holds what every Patholabel service shares: the error
// type that maps onto one JSON error shape, and (in subpackages) config,
// logging, the MySQL/Redis/S3 clients, the HTTP server plumbing, the
// authentication middleware, migrations and the route table.
package platform

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in package httpapi, so a
// service decides what went wrong and the transport decides how to say it.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EREAUTH       = "reauthenticate" // signed in, but too long ago for this action: sign in again
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ETOOLARGE     = "too_large"
	EUNAVAILABLE  = "unavailable"
	ETOOMANY      = "too_many_requests"
	EINTERNAL     = "internal"
)

// Error is an error meant for the caller: its Message is safe to show.
// Anything not wrapped in an Error is internal and its text is never shown.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an Error whose message is shown to the caller as is.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the caller-safe message of err: the Error's own
// message, or a generic one for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
