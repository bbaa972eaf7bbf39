// Package config reads typed settings from environment-style variables.
//
// Services build their Config structs with a Reader in cmd/ (the only place
// the environment is read); the first bad value is kept and reported with
// the variable's name, so a misconfigured service stops with one clear line.
//
// Credentials have development defaults (MySQL root without a password,
// the local MinIO's keys) only in an explicit development mode,
// PATHOLABEL_DEV_MODE=true, which scripts/stack.sh sets. Anywhere else a
// missing credential stops the service, so a cluster that forgot a Secret
// does not quietly run as root or on a guessable key.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// DevMode is the variable that allows development defaults for credentials.
const DevMode = "PATHOLABEL_DEV_MODE"

// LookupFunc finds a variable; os.LookupEnv in production, a map in tests.
type LookupFunc func(key string) (string, bool)

// Reader reads variables through a LookupFunc and remembers the first error.
type Reader struct {
	lookup  LookupFunc
	err     error // the first value that is not valid
	missing error // the first credential that is not set
	dev     *bool // DevMode, read on first use
}

// NewReader returns a Reader over lookup.
func NewReader(lookup LookupFunc) *Reader { return &Reader{lookup: lookup} }

// FromMap is a LookupFunc over a map, for tests and defaults.
func FromMap(m map[string]string) LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Err returns the first error met, naming the variable. A value that is
// set but wrong comes before a missing credential, whatever the order of
// reading: it is the more specific mistake, and a fresh install usually
// misses several credentials at once.
func (r *Reader) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.missing
}

func (r *Reader) fail(key, val, want string) {
	if r.err == nil {
		r.err = Invalid(key, val, want)
	}
}

// Invalid is the error of a setting that is not what it must be, naming
// its variable and value the way the Reader does; services' Config.Validate
// return it.
func Invalid(key string, val any, want string) error {
	return fmt.Errorf("config: %s=%q is not %s", key, fmt.Sprint(val), want)
}

// Validate records v's Validate error, unless an earlier value was bad:
// cmd/<service> reads a typed Config, then lets it check itself.
func (r *Reader) Validate(v interface{ Validate() error }) {
	if err := v.Validate(); err != nil && r.err == nil {
		r.err = err
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

// Dev reports the explicit development mode (PATHOLABEL_DEV_MODE=true).
func (r *Reader) Dev() bool {
	if r.dev == nil {
		d := r.Bool(DevMode, false)
		r.dev = &d
	}
	return *r.dev
}

// Credential returns a user name, password or key. Set to anything, even
// empty (an operator's explicit choice, e.g. a database without a
// password), it is returned as is; unset, it is dev in development mode
// and otherwise an error naming the variable.
func (r *Reader) Credential(key, dev string) string {
	if v, ok := r.lookup(key); ok {
		return strings.TrimSpace(v)
	}
	if r.Dev() {
		return dev
	}
	r.require(key)
	return ""
}

// Secret returns a random secret of at least minLen characters. It is
// required outside development mode; in it, unset (or empty) gives "" and
// the caller makes a throwaway secret of its own.
func (r *Reader) Secret(key string, minLen int) string {
	v, set := r.raw(key)
	switch {
	case set && len(v) < minLen:
		r.fail(key, fmt.Sprintf("(%d characters)", len(v)), fmt.Sprintf("a random secret of at least %d characters", minLen))
	case !set && !r.Dev():
		r.require(key)
	}
	return v
}

func (r *Reader) require(key string) {
	if r.missing == nil {
		r.missing = fmt.Errorf("config: %s is required (development defaults apply only with %s=true)", key, DevMode)
	}
}

// TLS reads a client TLS setting: modeKey is false (the default), true
// (verify the server against the system's CAs) or skip-verify (encrypt
// without checking whom to; for testing only); caKey names a PEM file of
// the CAs to trust instead, and implies true. It returns nil when TLS is
// off. The server name to verify comes from the address dialled.
func (r *Reader) TLS(modeKey, caKey string) *tls.Config {
	mode, ca := r.String(modeKey, "false"), r.String(caKey, "")
	switch {
	case mode == "skip-verify":
		r.Check(ca == "", caKey, ca, "empty when "+modeKey+"=skip-verify (nothing is verified)")
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} // asked for by name
	case mode != "false" && mode != "true":
		r.fail(modeKey, mode, "false, true or skip-verify")
		return nil
	case mode == "false" && ca == "":
		return nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		c.RootCAs = r.certPool(caKey, ca)
	}
	return c
}

func (r *Reader) certPool(key, path string) *x509.CertPool {
	pem, err := os.ReadFile(path)
	if err != nil {
		r.fail(key, path, "a readable file ("+err.Error()+")")
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		r.fail(key, path, "a file of PEM certificates")
		return nil
	}
	return pool
}
