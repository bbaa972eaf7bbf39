package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/staging"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestStartClearsDeadStagingFolders: a worker killed mid-export leaves its
// export-* folder in the temporary folder (in the chart, an emptyDir that
// survives restarts); the next start removes it, and only it.
func TestStartClearsDeadStagingFolders(t *testing.T) {
	env := MustMainWorkers(t, 0)
	tmp := env.Main.Export.TempDir
	dead := filepath.Join(tmp, "export-killed")
	os.MkdirAll(filepath.Join(dead, "pathofusion"), 0o700)
	os.WriteFile(filepath.Join(dead, "slide-1"), make([]byte, 1<<20), 0o600)
	live, err := staging.Make(tmp, "export-")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()

	next := Main{Base: env.Main.Base, Redis: env.Main.Redis, S3: env.Main.S3, Export: env.Main.Export, Log: env.Main.Log}
	next.Export.Workers = 1
	testenv.MustServe(t, &next)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(dead); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still there 10 s after a worker started", dead)
		}
	}
	if _, err := os.Stat(live.Path); err != nil {
		t.Fatalf("a live export's folder was removed: %v", err)
	}
}
