package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, c := range []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}}}, "0123456789ab"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "0123456789ab-dirty"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "unversioned"},
	} {
		if got := fromBuildInfo(&c.bi); got != c.want {
			t.Errorf("fromBuildInfo(%+v) = %q, want %q", c.bi, got, c.want)
		}
	}
}

// TestLinkerFlagSetsTheVersion builds a binary the way the build scripts
// do and runs it: the linked-in version is what it reports.
func TestLinkerFlagSetsTheVersion(t *testing.T) {
	dir := t.TempDir()
	main := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/patholabel/patholabel/services/platform/version\"\n)\n\nfunc main() { fmt.Print(version.Of()) }\n"
	// Built inside this module, so the import resolves without a go.mod of its own.
	pkgDir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tmpPkg := filepath.Join(pkgDir, "testdata-build-"+filepath.Base(dir))
	if err := os.Mkdir(tmpPkg, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmpPkg)
	if err := os.WriteFile(filepath.Join(tmpPkg, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "v")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", LinkerFlag("v9.8.7-test"), "-o", bin, "./"+filepath.Base(tmpPkg))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "v9.8.7-test" {
		t.Fatalf("binary reports %q, want v9.8.7-test", got)
	}
}
