package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
)

// MaxJSONBody bounds request bodies decoded by DecodeJSON.
const MaxJSONBody = 8 << 20

// DecodeJSON decodes the request body into v strictly: unknown fields,
// trailing data, wrong types and oversized bodies are invalid, and the
// message names the offending field.
func DecodeJSON(c *gin.Context, v any) error {
	return DecodeJSONLimit(c, v, MaxJSONBody)
}

// DecodeJSONLimit is DecodeJSON with a caller-chosen size bound.
func DecodeJSONLimit(c *gin.Context, v any, limit int64) error {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return platform.Errorf(platform.EINVALID, "request body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return platform.Errorf(platform.EINVALID, "request body is empty; a JSON object is required")
	case errors.As(err, &big):
		return platform.Errorf(platform.ETOOLARGE, "request body is larger than %d bytes", big.Limit)
	case errors.As(err, &syn):
		return platform.Errorf(platform.EINVALID, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return platform.Errorf(platform.EINVALID, "field %q must be %s", typ.Field, typ.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return platform.Errorf(platform.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return platform.Errorf(platform.EINVALID, "malformed JSON: %v", err)
	}
}

// IDParam parses a positive integer path parameter.
func IDParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.Errorf(platform.ENOTFOUND, "no such %s %q", strings.TrimSuffix(name, "_id"), c.Param(name))
	}
	return id, nil
}

// Required returns an invalid error naming field when empty is true.
func Required(field string, empty bool) error {
	if empty {
		return platform.Errorf(platform.EINVALID, "field %q is required", field)
	}
	return nil
}

// QueryInt reads an optional integer query parameter within [lo, hi].
func QueryInt(c *gin.Context, name string, def, lo, hi int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, platform.Errorf(platform.EINVALID, "query parameter %q must be an integer from %d to %d", name, lo, hi)
	}
	return n, nil
}

const bodyKey = "httpapi.body"

// bound is a body Bind decoded, or why it could not.
type bound struct {
	v   any
	err error
}

// Bind decodes the request body strictly into a new T (at most limit
// bytes) ahead of the route's access rule, so a rule that needs what the
// body names (its slide, its project) reads it with Body instead of
// decoding it itself, and the handler takes the same value. A bad body is
// not answered here: the error waits for Body, so the rule's own answers
// (sign in first) come before it, as when the rule decoded the body.
func Bind[T any](limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		v := new(T)
		err := DecodeJSONLimit(c, v, limit)
		c.Set(bodyKey, bound{v, err})
		c.Next()
	}
}

// Body is the body Bind decoded for this route: Bind's error when it
// could not be decoded, internal when the route binds no T (a wiring
// mistake, answered as a 500 rather than a panic).
func Body[T any](c *gin.Context) (*T, error) {
	got, err := Bound(c)
	if err != nil {
		return nil, err
	}
	v, ok := got.(*T)
	if !ok {
		return nil, fmt.Errorf("route %s binds %T, not %T", c.FullPath(), got, v)
	}
	return v, nil
}

// Bound is Body for a rule shared by routes binding different types: the
// *T Bind made, to be asserted to an interface they share.
func Bound(c *gin.Context) (any, error) {
	b, _ := c.Get(bodyKey)
	got, ok := b.(bound)
	if !ok {
		return nil, fmt.Errorf("route %s binds no request body", c.FullPath())
	}
	return got.v, got.err
}

// Kept is what the route's access rule kept under key with c.Set for the
// handler (the slide a path names, read once): an internal error naming
// the route when it kept no T there (a route that lost its rule, a wiring
// mistake answered as a 500 rather than a panic).
func Kept[T any](c *gin.Context, key string) (T, error) {
	v, _ := c.Get(key)
	got, ok := v.(T)
	if !ok {
		return got, fmt.Errorf("route %s has no %T under %q: its access rule must keep it", c.FullPath(), got, key)
	}
	return got, nil
}
