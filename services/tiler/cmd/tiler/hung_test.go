package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/testenv"
)

// An object store that accepts connections and never answers (how a
// partition looks) must not hang tile requests: they answer 503 with
// Retry-After within the read timeout.
func TestHungObjectStoreAnswers503Quickly(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	proxy := testenv.MustProxy(t, e.main.S3.Endpoint)
	_, base := e.serve(t, func(m *Main) {
		m.S3.Endpoint = proxy.Addr()
		m.S3.ReadTimeout, m.S3.Timeout = 2*time.Second, 3*time.Second
		m.Tiler.MemCacheBytes = 0
	})
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	waitFor(t, base, u.member, id, "ready", 90*time.Second)
	proxy.Freeze()
	client := &http.Client{Timeout: 30 * time.Second}
	for _, path := range []string{fmt.Sprintf("/tiles/%d_files/%d/0_0.jpeg", id, levels(512, 512)-1), fmt.Sprintf("/tiles/%d_files/%d/1_0.jpeg", id, levels(512, 512)-2)} {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+u.member)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s with the store hung: %v after %v, want a 503 within seconds", path, err, time.Since(start))
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), `"unavailable"`) || took > 15*time.Second {
			t.Errorf("GET %s with the store hung = %d %s (Retry-After %q) after %v, want 503 unavailable within 15 s",
				path, resp.StatusCode, b, resp.Header.Get("Retry-After"), took)
		}
	}
}
