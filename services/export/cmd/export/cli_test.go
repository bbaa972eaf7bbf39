package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// mustToken gives the manager a personal access token, as POST
// /api/v1/tokens would, and returns its secret.
func (env *Env) mustToken(t *testing.T, readOnly bool) string {
	t.Helper()
	secret := testenv.Name("pat-")
	_, err := env.World.DB.Exec(`INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at) VALUES (?, 'cli test', ?, ?, ?)`,
		env.World.Fixture.Users[testenv.Manager], access.HashSecret(secret), readOnly, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestCLIPullsAndVerifiesExports drives the patholabel command as an ML
// team would with a token: create a named, pinned export and wait for it,
// list it, pull it, verify it; a changed file fails verify (exit 1) and is
// fetched again by the next pull, a partial one is resumed.
func TestCLIPullsAndVerifiesExports(t *testing.T) {
	env := MustMain(t)
	env.mustMarks(t)
	bin := testenv.BuildCLI(t)
	token := env.mustToken(t, false)
	w := env.World

	code, out, errOut := testenv.RunCLI(t, bin, env.Base, token, "exports", "create", "--project", fmt.Sprint(w.Project),
		"--formats", "csv,patches,webdataset", "--name", "cli set", "--pin", "--wait")
	if code != 0 {
		t.Fatalf("exports create: exit %d\n%s%s", code, out, errOut)
	}
	var id int64
	if _, err := fmt.Sscan(out, &id); err != nil || !strings.Contains(out, fmt.Sprintf("export %d done", id)) {
		t.Fatalf("exports create printed %q", out)
	}
	code, out, _ = testenv.RunCLI(t, bin, env.Base, token, "exports", "list", "--project", fmt.Sprint(w.Project))
	if code != 0 || !strings.Contains(out, "cli set") || !strings.Contains(out, "true") {
		t.Errorf("exports list: exit %d\n%s", code, out)
	}

	dir := filepath.Join(t.TempDir(), "export")
	reader := env.mustToken(t, true) // a read-only token pulls too
	code, out, errOut = testenv.RunCLI(t, bin, env.Base, reader, "exports", "pull", fmt.Sprint(id), dir, "--parallel", "4")
	e := env.wait(t, id)
	man, err := export.ParseManifest(e.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d files, %d fetched", len(man.Files), len(man.Files))) {
		t.Fatalf("exports pull: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range man.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || int64(len(b)) != f.Size {
			t.Fatalf("%s: %d bytes (%v), want %d", f.Path, len(b), err, f.Size)
		}
	}
	if code, out, _ := testenv.RunCLI(t, bin, "", "", "exports", "verify", dir); code != 0 || !strings.Contains(out, "match the manifest") {
		t.Fatalf("exports verify: exit %d\n%s", code, out)
	}

	// One file changed, one cut short (as an interrupted pull leaves it).
	changed, partial := filepath.Join(dir, export.ClassesPath), filepath.Join(dir, export.CSVPath)
	b, _ := os.ReadFile(changed)
	b[len(b)/2] ^= 1
	if err := os.WriteFile(changed, b, 0o644); err != nil {
		t.Fatal(err)
	}
	full, _ := os.ReadFile(partial)
	if err := os.WriteFile(partial+".part", full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(partial)
	code, out, _ = testenv.RunCLI(t, bin, "", "", "exports", "verify", dir)
	if code != 1 || !strings.Contains(out, export.ClassesPath+": sha256") || !strings.Contains(out, export.CSVPath+": missing") {
		t.Fatalf("verify of a changed and a missing file: exit %d\n%s", code, out)
	}
	code, out, errOut = testenv.RunCLI(t, bin, env.Base, reader, "exports", "pull", fmt.Sprint(id), dir)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("1 fetched, 1 resumed, %d already there", len(man.Files)-2)) {
		t.Fatalf("second pull: exit %d\n%s%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(partial); !bytes.Equal(got, full) {
		t.Error("the resumed file differs from the export's")
	}
	if code, _, _ := testenv.RunCLI(t, bin, "", "", "exports", "verify", dir); code != 0 {
		t.Errorf("verify after the repairing pull: exit %d", code)
	}

	// A whole request from a file, then waited for on its own.
	req := filepath.Join(t.TempDir(), "request.json")
	if err := os.WriteFile(req, []byte(`{"formats":["pathofusion"],"patch_sizes":[32],"edge":"skip"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = testenv.RunCLI(t, bin, env.Base, token, "exports", "create", "--project", fmt.Sprint(w.Project), "--request", req, "--hard-negatives")
	var second int64
	if _, err := fmt.Sscan(out, &second); code != 0 || err != nil || second <= id {
		t.Fatalf("exports create --request: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := testenv.RunCLI(t, bin, env.Base, token, "exports", "wait", fmt.Sprint(second)); code != 0 || !strings.Contains(out, "done") {
		t.Fatalf("exports wait: exit %d\n%s%s", code, out, errOut)
	}
	if e := env.wait(t, second); e.Params.Edge != "skip" || fmt.Sprint(e.Params.PatchSizes) != "[32]" || !e.Params.Has(export.FormatPathoFusion) || !e.Params.HardNegatives {
		t.Errorf("the request file's params: %+v", e.Params)
	}

	// Errors: an unknown export, a bad token, a bad command line.
	if code, _, errOut := testenv.RunCLI(t, bin, env.Base, token, "exports", "wait", "999999"); code != 1 || !strings.Contains(errOut, "not_found") {
		t.Errorf("wait for a missing export: exit %d %s", code, errOut)
	}
	if code, _, errOut := testenv.RunCLI(t, bin, env.Base, "wrong", "exports", "list", "--project", "1"); code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("a bad token: exit %d %s", code, errOut)
	}
	if code, _, _ := testenv.RunCLI(t, bin, env.Base, token, "exports", "pull", "x"); code != 2 {
		t.Errorf("a bad command line: exit %d, want 2", code)
	}
	if code, out, _ := testenv.RunCLI(t, bin, "", "", "help"); code != 0 || !strings.Contains(out, "exports pull") || !strings.Contains(out, "slides upload") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}
