package httpapi

import (
	"encoding/json"
	"errors"
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
