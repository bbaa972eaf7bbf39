package pull

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A manifest is the server's, but a pull writes where it says: a path
// leaving the folder is refused, never written.
func TestManifestPathsStayInTheFolder(t *testing.T) {
	for _, p := range []string{"../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", ".."} {
		if _, err := local("/d", p); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	for _, p := range []string{"a", "patches/64/01_tumor/x.png", "manifest.json"} {
		if got, err := local("/d", p); err != nil || !strings.HasPrefix(got, "/d/") {
			t.Errorf("path %q: %q, %v", p, got, err)
		}
	}
}

// Verify reports a missing file, a wrong size and a wrong hash, each by path.
func TestVerifyNamesEveryMismatch(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// sha256("hello") and sha256("world")
	write(ManifestPath, `{"export_id":7,"files":[
		{"path":"a/ok.txt","size":5,"sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
		{"path":"b.txt","size":5,"sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
		{"path":"c.txt","size":9,"sha256":"486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"},
		{"path":"gone.txt","size":1,"sha256":"00"}]}`)
	write("a/ok.txt", "hello")
	write("b.txt", "world")
	write("c.txt", "world")
	m, problems, err := Verify(context.Background(), dir, 2)
	if err != nil || m.ExportID != 7 {
		t.Fatal(m, err)
	}
	got := map[string]string{}
	for _, p := range problems {
		got[p.Path] = p.Reason
	}
	if len(got) != 3 || !strings.HasPrefix(got["b.txt"], "sha256") || !strings.HasPrefix(got["c.txt"], "size 5") || got["gone.txt"] != "missing" {
		t.Errorf("problems %v", got)
	}
}
