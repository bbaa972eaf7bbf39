package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/logging"
	"github.com/patholabel/patholabel/services/platform/testenv"
	"github.com/patholabel/patholabel/services/tiler"
	tilerhttp "github.com/patholabel/patholabel/services/tiler/http"
)

const testdata = "../../../../../shared/testdata/"

// env is one test's real dependencies, shared by the Mains it boots.
type env struct {
	db   *sql.DB
	main Main // template: Base, Redis, S3, Tiler filled
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	db, dbcfg := testenv.MustDB(tb)
	_, rcfg := testenv.MustRedis(tb)
	_, s3cfg := testenv.MustS3(tb)
	cfg := tiler.DefaultConfig()
	cfg.Lease, cfg.ScanInterval, cfg.TempDir = 3*time.Second, time.Second, tb.TempDir()
	return &env{db: db, main: Main{
		Base: app.Base{
			Log:   logging.Config{Format: "json", Level: "info"},
			HTTP:  httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
			MySQL: dbcfg,
		},
		Redis: rcfg, S3: s3cfg, Tiler: cfg, Log: testenv.Logger(),
	}}
}

// serve boots a Main from the template until the test ends.
func (e *env) serve(tb testing.TB, edit func(*Main)) (*Main, string) {
	tb.Helper()
	m := e.main
	if edit != nil {
		edit(&m)
	}
	return &m, testenv.MustServe(tb, &m)
}

// start boots a Main the test can stop early, as a crash or a deploy would.
func (e *env) start(tb testing.TB) (string, func()) {
	tb.Helper()
	m := e.main
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("run: %v", err)
		}
		m.Close()
	}
	return "http://" + m.Addr(), stop
}

// MustMain boots the real tiler service against fresh real dependencies.
func MustMain(tb testing.TB) (*Main, string) {
	tb.Helper()
	return newEnv(tb).serve(tb, nil)
}

func TestStandardEndpoints(t *testing.T) {
	_, base := MustMain(t)
	testenv.CheckStandardEndpoints(t, base, "tiler")
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	m, _ := MustMain(t)
	missing, stale, err := httpapi.Undocumented(m.Server.Engine(), tilerhttp.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("undocumented routes %v; documented but not served %v", missing, stale)
	}
}

func TestBadConfigExitsWithOneLine(t *testing.T) {
	for _, kv := range [][2]string{{"PATHOLABEL_REDIS_DB", "many"}, {"PATHOLABEL_TILER_JPEG_QUALITY", "0"}} {
		var stderr bytes.Buffer
		code := app.Main("tiler", nil, config.FromMap(map[string]string{kv[0]: kv[1]}), &stderr, build)
		out := strings.TrimSpace(stderr.String())
		name := kv[0]
		if strings.HasPrefix(name, "PATHOLABEL_TILER") {
			name = "PATHOLABEL_TILER_JPEG_QUALITY"
		}
		if code != 2 || strings.Contains(out, "\n") || !strings.Contains(out, name) {
			t.Fatalf("exit %d, stderr %q; want 2 and one line naming %s", code, out, name)
		}
	}
}

const csrfToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// users seeds two projects and three callers and returns their bearer tokens.
type users struct {
	project, other           int64
	member, viewer, outsider string
}

func seed(tb testing.TB, db *sql.DB) users {
	tb.Helper()
	now := time.Now().UTC()
	exec := func(q string, args ...any) int64 {
		res, err := db.Exec(q, args...)
		if err != nil {
			tb.Fatalf("seed: %v", err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	u := users{
		project: exec(`INSERT INTO projects (name, description, created_at, updated_at) VALUES ('p1', '', ?, ?)`, now, now),
		other:   exec(`INSERT INTO projects (name, description, created_at, updated_at) VALUES ('p2', '', ?, ?)`, now, now),
	}
	user := func(name string, project int64, role string) string {
		id := exec(`INSERT INTO users (username, created_at, updated_at) VALUES (?, ?, ?)`, name, now, now)
		exec(`INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, project, id, role, now)
		// A session, not an API token: platform/access cannot yet read a
		// token without expiry on MariaDB (COALESCE comes back as text).
		secret := access.NewSecret("")
		exec(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			access.HashSecret(secret), id, csrfToken, now, now.Add(time.Hour))
		return secret
	}
	u.member = user("alice", u.project, access.ProjectAnnotator)
	u.viewer = user("vera", u.project, access.ProjectViewer)
	u.outsider = user("bob", u.other, access.ProjectManager)
	return u
}

func call(tb testing.TB, method, url, token string, body io.Reader, header ...string) (*http.Response, []byte) {
	tb.Helper()
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: access.CookieName, Value: token})
		req.Header.Set("X-CSRF-Token", csrfToken)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// upload posts a file the way a browser form does: fields, then the file.
func upload(tb testing.TB, base, token string, project int64, path string, fields map[string]string) (int, map[string]any) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("project_id", fmt.Sprint(project))
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(fw, f)
	f.Close()
	mw.Close()
	resp, b := call(tb, "POST", base+"/api/v1/slides", token, &buf, "Content-Type", mw.FormDataContentType())
	var out map[string]any
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// waitFor polls a slide until it leaves queued/processing or want is seen.
func waitFor(tb testing.TB, base, token string, id int64, want string, limit time.Duration) map[string]any {
	tb.Helper()
	deadline := time.Now().Add(limit)
	var sl map[string]any
	for time.Now().Before(deadline) {
		_, b := call(tb, "GET", fmt.Sprintf("%s/api/v1/slides/%d", base, id), token, nil)
		json.Unmarshal(b, &sl)
		st, _ := sl["status"].(string)
		if st == want || (st != tiler.StatusQueued && st != tiler.StatusProcessing) {
			return sl
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("slide %d still %v after %v, want %s", id, sl["status"], limit, want)
	return nil
}

func uploadID(tb testing.TB, base, token string, project int64, path string, fields map[string]string) int64 {
	tb.Helper()
	st, body := upload(tb, base, token, project, path, fields)
	if st != http.StatusAccepted || body["status"] != "queued" {
		tb.Fatalf("upload = %d %v, want 202 queued", st, body)
	}
	return int64(body["id"].(float64))
}
