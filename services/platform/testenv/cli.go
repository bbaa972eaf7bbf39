package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildCLI builds the patholabel command-line tool from the workspace
// (cli/), as make build does, so the services' tests drive the real one.
func BuildCLI(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "patholabel")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/patholabel/patholabel/cli/cmd/patholabel")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build the CLI: %v\n%s", err, out)
	}
	return bin
}

// RunCLI runs the tool bin against the server at base with a personal
// access token, as an ML team's script would; it returns the exit code
// and what the tool wrote to standard output and standard error.
func RunCLI(tb testing.TB, bin, base, token string, args ...string) (int, string, string) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "PATHOLABEL_URL="+base, "PATHOLABEL_TOKEN="+token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("run patholabel %v: %v", args, err)
	}
	return code, stdout.String(), stderr.String()
}
