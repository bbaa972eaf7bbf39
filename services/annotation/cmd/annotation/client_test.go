package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/patholabel/patholabel/services/annotation/annotationtest"
	"github.com/patholabel/patholabel/services/platform/access"
)

// client calls the service as one fixture user (nil: anonymous), with the
// session cookie and CSRF token a browser would send.
type client struct {
	tb   testing.TB
	base string
	user *annotationtest.User
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

func (c client) do(method, path string, body any, header ...string) reply {
	c.tb.Helper()
	var rd io.Reader = http.NoBody
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		enc, _ := json.Marshal(b)
		rd = bytes.NewReader(enc)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.user != nil {
		req.AddCookie(&http.Cookie{Name: access.CookieName, Value: c.user.Secret})
		req.Header.Set("X-CSRF-Token", c.user.CSRF)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}
