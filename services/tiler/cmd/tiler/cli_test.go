package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestCLIUploadResumes: `patholabel slides upload` with a personal access
// token sends a real slide through the resumable upload API; run on a
// file whose upload was interrupted after one part, it sends only the
// missing parts of that same upload, and the slide is queued once.
func TestCLIUploadResumes(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	bin := testenv.BuildCLI(t)
	token := access.NewSecret("")
	now := time.Now().UTC()
	if _, err := e.db.Exec(`INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at, expires_at)
		SELECT id, 'cli', ?, 0, ?, ? FROM users WHERE username = 'alice'`, access.HashSecret(token), now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) { return testenv.RunCLI(t, bin, base, token, args...) }
	var slide struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}

	// A whole upload of the real SVS.
	svs := filepath.Join(t.TempDir(), "CMU-1-Small-Region.svs")
	if b, err := os.ReadFile(testdata + "slides/CMU-1-Small-Region.svs"); err != nil || os.WriteFile(svs, b, 0o644) != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("slides", "upload", "--project", fmt.Sprint(u.project), "--case", "C1", "--stain", "HE", svs)
	if code != 0 || json.Unmarshal([]byte(out), &slide) != nil || slide.ID == 0 {
		t.Fatalf("slides upload: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(svs + ".patholabel-upload"); !os.IsNotExist(err) {
		t.Errorf("the upload's state file outlived the upload: %v", err)
	}

	// An upload of three parts, interrupted after the first.
	src, file, up := openRegionUpload(t, base, u)
	st, _ := os.Stat(src)
	if resp, b := call(t, "PUT", fmt.Sprintf("%s/api/v1/uploads/%s/parts/1", base, up.ID), u.member, bytes.NewReader(file[:up.PartSize])); resp.StatusCode != 200 {
		t.Fatalf("part 1 = %d %s", resp.StatusCode, b)
	}
	// What the CLI had written before it was interrupted.
	state, _ := json.Marshal(map[string]any{"base": base, "upload_id": up.ID, "size": len(file), "mod_time": st.ModTime()})
	if err := os.WriteFile(src+".patholabel-upload", state, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run("slides", "upload", "--project", fmt.Sprint(u.project), "--case", "C9", src)
	if code != 0 || !strings.Contains(errOut, fmt.Sprintf("resuming upload %s: 1 of 3 parts received", up.ID)) ||
		strings.Contains(errOut, "sent part 1 ") || !strings.Contains(errOut, "sent part 3 of 3") {
		t.Fatalf("resumed upload: exit %d\n%s%s", code, out, errOut)
	}
	if json.Unmarshal([]byte(out), &slide) != nil || slide.ID == 0 {
		t.Fatalf("resumed upload printed %q", out)
	}
	var n int
	if err := e.db.QueryRow(`SELECT COUNT(*) FROM slides WHERE project_id = ? AND name = 'region.tif'`, u.project).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d slides named region.tif (%v), want 1", n, err)
	}
	resp, b := call(t, "GET", base+"/api/v1/uploads/"+up.ID, u.member, nil)
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(fmt.Sprintf(`"slide_id":%d`, slide.ID))) {
		t.Errorf("the interrupted upload = %d %s, want it completed into slide %d", resp.StatusCode, b, slide.ID)
	}
}
