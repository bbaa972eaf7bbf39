package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"time"
)

// client is one signed-in browser: its own cookie jar and connections
// (six per host, a browser's limit).
type client struct {
	base string
	http *http.Client
	csrf string
	user int64
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxConnsPerHost: 6, MaxIdleConnsPerHost: 6, IdleConnTimeout: time.Minute}
	return &client{base: base, http: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}}
}

// login signs in and keeps the session cookie and CSRF token.
func (c *client) login(ctx context.Context, user, password string) error {
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
		CSRF string `json:"csrf_token"`
	}
	body := map[string]string{"username": user, "password": password}
	if _, err := c.json(ctx, "POST", "/api/v1/auth/login", body, &me); err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	c.csrf, c.user = me.CSRF, me.User.ID
	return nil
}

// do sends a request and reads the whole answer; a status outside 2xx is
// an error naming the request and the answer's start.
func (c *client) do(ctx context.Context, method, path string, body []byte) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, time.Since(start), fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err != nil {
		return nil, took, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return out, took, fmt.Errorf("%s %s: %d %.200s", method, path, resp.StatusCode, out)
	}
	return out, took, nil
}

// json sends in as JSON (when not nil) and decodes the answer into out.
func (c *client) json(ctx context.Context, method, path string, in, out any) (time.Duration, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return 0, err
		}
	}
	raw, took, err := c.do(ctx, method, path, body)
	if err != nil || out == nil {
		return took, err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return took, fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return took, nil
}
