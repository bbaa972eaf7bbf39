package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/testenv"
)

// TestMain lets a test start this binary as `tiler worker` in a process of
// its own, so a worker can be killed as the kernel would kill it.
func TestMain(m *testing.M) {
	if os.Getenv("PL_TILER_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestWorkerProcessDiesServingStaysUp runs ingest in its own `tiler worker`
// process beside a server that runs none: the server keeps serving tiles
// while the worker is killed mid-job, and the next worker start clears the
// staging folder the dead one left and finishes the job.
func TestWorkerProcessDiesServingStaysUp(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, func(m *Main) { m.Tiler.Workers = 0 })
	worker, health := e.startWorker(t)
	id := uploadID(t, base, u.member, u.project, testdata+"images/skimage-ihc.png", nil)
	if sl := waitFor(t, base, u.member, id, "ready", 60*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide ingested by the worker process = %v", sl)
	}
	if resp, _ := call(t, "GET", health+"/healthz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("worker healthz = %d", resp.StatusCode)
	}
	if resp, _ := call(t, "GET", fmt.Sprintf("%s/api/v1/slides/%d", health, id), u.member, nil); resp.StatusCode != 404 {
		t.Fatalf("worker serves the API: %d, want 404", resp.StatusCode)
	}

	slow := uploadID(t, base, u.member, u.project, testdata+"slides/test3-DAPI-2-387.ndpi", nil)
	waitFor(t, base, u.member, slow, "processing", 30*time.Second)
	// The job is marked processing before its staging folder is made.
	var left []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if left = stagingFolders(t, e.main.Tiler.TempDir); len(left) > 0 {
			break
		}
	}
	if len(left) != 1 {
		t.Fatalf("staging folders while ingesting: %v, want one", left)
	}
	worker.kill() // SIGKILL: no clean-up runs
	tile := fmt.Sprintf("%s/tiles/%d_files/9/1_1.jpeg", base, id)
	if resp, b := call(t, "GET", tile, u.member, nil); resp.StatusCode != 200 || !isJPEG(b) {
		t.Fatalf("tile after the worker was killed = %d", resp.StatusCode)
	}
	if got := stagingFolders(t, e.main.Tiler.TempDir); len(got) != 1 || got[0] != left[0] {
		t.Fatalf("staging folders after kill -9: %v, want %v left behind", got, left)
	}

	e.startWorker(t)
	if sl := waitFor(t, base, u.member, slow, "ready", 120*time.Second); sl["status"] != "ready" {
		t.Fatalf("slide after its worker was killed and restarted = %v", sl)
	}
	if _, err := os.Stat(left[0]); !os.IsNotExist(err) {
		t.Fatalf("the dead worker's staging folder %s is still there (%v)", left[0], err)
	}
}

// process is a started `tiler worker`.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// kill sends SIGKILL and waits until the process is gone.
func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

// startWorker runs `tiler worker` against the env's dependencies until the
// test ends, and returns the process and its health address.
func (e *env) startWorker(t *testing.T) (*process, string) {
	t.Helper()
	addr := testenv.FreeAddr(t)
	m := e.main
	cmd := exec.Command(os.Args[0], "worker")
	cmd.Env = append(os.Environ(), "PL_TILER_TEST_RUN_MAIN=1",
		"PATHOLABEL_LISTEN="+addr, "PATHOLABEL_LOG_FORMAT=text", "PATHOLABEL_DEV_MODE=true", // root without a password
		"PATHOLABEL_MYSQL_ADDR="+m.Base.MySQL.Addr, "PATHOLABEL_MYSQL_USER="+m.Base.MySQL.User,
		"PATHOLABEL_MYSQL_PASSWORD="+m.Base.MySQL.Password, "PATHOLABEL_MYSQL_DATABASE="+m.Base.MySQL.Database,
		"PATHOLABEL_REDIS_ADDR="+m.Redis.Addr, "PATHOLABEL_REDIS_PREFIX="+m.Redis.Prefix, fmt.Sprint("PATHOLABEL_REDIS_DB=", m.Redis.DB),
		"PATHOLABEL_S3_ENDPOINT="+m.S3.Endpoint, "PATHOLABEL_S3_ACCESS_KEY="+m.S3.AccessKey, "PATHOLABEL_S3_SECRET_KEY="+m.S3.SecretKey,
		"PATHOLABEL_S3_BUCKET_SLIDES="+m.S3.SlidesBucket, "PATHOLABEL_S3_BUCKET_EXPORTS="+m.S3.ExportsBucket,
		"PATHOLABEL_TILER_TEMP_DIR="+m.Tiler.TempDir, "PATHOLABEL_TILER_LEASE=3s", "PATHOLABEL_TILER_SCAN_INTERVAL=1s")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	})
	health := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return &process{cmd: cmd, exited: exited}, health
		}
		select {
		case <-exited:
			t.Fatalf("tiler worker exited: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("tiler worker did not listen within 30 s")
		}
	}
}

func stagingFolders(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "ingest-") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
