package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// auditRow is one audit_log row as the audit view shows it.
type auditRow struct {
	action, actor, target, ip string
	project                   sql.NullInt64
}

func auditRows(t *testing.T, db *sql.DB) []auditRow {
	t.Helper()
	rows, err := db.Query(`SELECT action, actor_name, target_id, client_ip, project_id FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.action, &r.actor, &r.target, &r.ip, &r.project); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func hasRow(rows []auditRow, want auditRow) bool {
	for _, r := range rows {
		if r == want {
			return true
		}
	}
	return false
}

// Every access to patient images is traceable: who uploaded a slide, who
// opened it, who looked at its label, and who was refused.
func TestPHIAccessIsAudited(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	allowAssociated(t, e.db, u.project, true)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, cmuSmall, nil)
	if sl := waitFor(t, base, u.member, id, "ready", 90*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide = %v, want ready", sl)
	}
	for _, path := range []string{"/tiles/%d.dzi", "/tiles/%d/label.jpeg", "/tiles/%d/macro.jpeg"} {
		if resp, b := call(t, "GET", base+fmt.Sprintf(path, id), u.viewer, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, b)
		}
	}
	url := fmt.Sprintf("%s/api/v1/slides?project_id=%d", base, u.project)
	if resp, b := call(t, "POST", url, u.viewer, strings.NewReader("x"), "Content-Type", "multipart/form-data; boundary=x"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upload by a viewer = %d %s, want 403 before the body is read", resp.StatusCode, b)
	}
	if resp, b := call(t, "DELETE", base+"/api/v1/uploads/x", u.member, nil, "Origin", "http://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin write = %d %s, want 403", resp.StatusCode, b)
	}
	rows, slide, project := auditRows(t, e.db), fmt.Sprint(id), sql.NullInt64{Int64: u.project, Valid: true}
	for _, want := range []auditRow{
		{"slide.upload", "alice", slide, "127.0.0.1", project},
		{"slide.view", "vera", slide, "127.0.0.1", project},
		{"slide.label.view", "vera", slide, "127.0.0.1", project},
		{"slide.macro.view", "vera", slide, "127.0.0.1", project},
		{"access.denied", "vera", "/api/v1/slides", "127.0.0.1", sql.NullInt64{}},
		{"access.denied", "alice", "/api/v1/uploads/:id", "127.0.0.1", sql.NullInt64{}}, // refused before any rule
	} {
		if !hasRow(rows, want) {
			t.Errorf("audit log lacks %+v; it has %+v", want, rows)
		}
	}
}

// A browser may keep a tile for minutes, not a year: after that it
// revalidates, and the revalidation passes the access check again.
func TestTilesRevalidateAfterMinutes(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	id := uploadID(t, base, u.member, u.project, cmuSmall, nil)
	waitFor(t, base, u.member, id, "ready", 90*time.Second)
	url := fmt.Sprintf("%s/tiles/%d_files/0/0_0.jpeg", base, id)
	resp, _ := call(t, "GET", url, u.viewer, nil)
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || cc != "private, max-age=300" {
		t.Fatalf("tile = %d Cache-Control %q, want 200 private, max-age=300 (no immutable)", resp.StatusCode, cc)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := call(t, "GET", url, u.viewer, nil, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation by a member = %d, want 304", resp.StatusCode)
	}
	if resp, _ := call(t, "GET", url, u.outsider, nil, "If-None-Match", etag); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revalidation by a non-member = %d, want 404", resp.StatusCode)
	}
}

// Only the known text fields, each once, are read before the file, so a
// form of countless small fields cannot fill the tiler's memory.
func TestUploadRefusesUnknownAndRepeatedFields(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	for name, fields := range map[string][][2]string{
		"unknown":  {{"project_id", fmt.Sprint(u.project)}, {"f0", "x"}, {"f1", "x"}},
		"repeated": {{"project_id", fmt.Sprint(u.project)}, {"stain", "HE"}, {"stain", "HE"}},
	} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range fields {
			mw.WriteField(f[0], f[1])
		}
		for i := 0; name == "unknown" && i < 20000; i++ {
			mw.WriteField(fmt.Sprintf("junk%d", i), "x")
		}
		fw, _ := mw.CreateFormFile("file", "a.tif")
		fw.Write([]byte("not a slide"))
		mw.Close()
		resp, b := call(t, "POST", base+"/api/v1/slides", u.member, &buf, "Content-Type", mw.FormDataContentType())
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "form field") {
			t.Errorf("%s fields: %d %s, want 400 naming the field", name, resp.StatusCode, b)
		}
	}
	var n int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM slides`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d slides stored (%v), want none", n, err)
	}
}
