// Package config reads typed settings from environment-style variables.
//
// Services build their Config structs with a Reader in cmd/ (the only place
// the environment is read); the first bad value is kept and reported with
// the variable's name, so a misconfigured service stops with one clear line.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LookupFunc finds a variable; os.LookupEnv in production, a map in tests.
type LookupFunc func(key string) (string, bool)

// Reader reads variables through a LookupFunc and remembers the first error.
type Reader struct {
	lookup LookupFunc
	err    error
}

// NewReader returns a Reader over lookup.
func NewReader(lookup LookupFunc) *Reader { return &Reader{lookup: lookup} }

// FromMap is a LookupFunc over a map, for tests and defaults.
func FromMap(m map[string]string) LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Err returns the first error met, naming the variable.
func (r *Reader) Err() error { return r.err }

func (r *Reader) fail(key, val, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("config: %s=%q is not %s", key, val, want)
	}
}

func (r *Reader) raw(key string) (string, bool) {
	v, ok := r.lookup(key)
	if !ok || strings.TrimSpace(v) == "" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

// String returns the variable or def when unset or blank.
func (r *Reader) String(key, def string) string {
	if v, ok := r.raw(key); ok {
		return v
	}
	return def
}

// Int returns the variable parsed as an integer, or def.
func (r *Reader) Int(key string, def int) int {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(key, v, "an integer")
		return def
	}
	return n
}

// Bool returns the variable parsed as a boolean (true/false/1/0), or def.
func (r *Reader) Bool(key string, def bool) bool {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, v, "a boolean (true or false)")
		return def
	}
	return b
}

// Duration returns the variable parsed as a Go duration ("30s"), or def.
func (r *Reader) Duration(key string, def time.Duration) time.Duration {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(key, v, `a duration such as "30s"`)
		return def
	}
	return d
}

// Check records a validation failure for key unless ok.
func (r *Reader) Check(ok bool, key, val, want string) {
	if !ok {
		r.fail(key, val, want)
	}
}
