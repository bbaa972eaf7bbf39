package staging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/staging"
)

// TestSweepRemovesOnlyDeadFolders: a folder whose process was killed goes,
// a live one (this process's, or another live process's) stays.
func TestSweepRemovesOnlyDeadFolders(t *testing.T) {
	base := t.TempDir()
	live, err := staging.Make(base, "ingest-")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()
	os.WriteFile(filepath.Join(live.Path, "source"), []byte("live"), 0o600)

	// A leftover: made by a process that then died with kill -9.
	dead := filepath.Join(base, "ingest-dead")
	os.MkdirAll(filepath.Join(dead, "frames"), 0o700)
	os.WriteFile(filepath.Join(dead, "frames", "frame-1"), make([]byte, 1<<20), 0o600)
	// A folder held by another live process (flock(1) holds it while sleeping).
	other := filepath.Join(base, "ingest-other")
	os.Mkdir(other, 0o700)
	holder := exec.Command("flock", "-x", other, "sleep", "30")
	if err := holder.Start(); err != nil {
		t.Fatalf("flock: %v", err)
	}
	defer holder.Process.Kill()
	waitLocked(t, other)
	unrelated := filepath.Join(base, "export-x")
	os.Mkdir(unrelated, 0o700)

	removed, err := staging.Sweep(base, "ingest-")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{dead}) {
		t.Fatalf("removed %v, want only %s", removed, dead)
	}
	for _, keep := range []string{live.Path, other, unrelated} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	if err := live.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(live.Path); !os.IsNotExist(err) {
		t.Fatalf("after Remove: %v", err)
	}
}

// waitLocked waits until another process holds path's lock.
func waitLocked(t *testing.T, path string) {
	t.Helper()
	for range 100 {
		if exec.Command("flock", "-n", "-x", path, "true").Run() != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never got locked", path)
}
