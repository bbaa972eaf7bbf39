package testenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MinIO is a MinIO server of the test's own, which the test may stop and
// start again as an outage or a restart of the object store would: the
// shared one of scripts/testenv.sh serves every other test and must stay.
// Its data folder survives a stop, as a real store's disk does.
type MinIO struct {
	tb       testing.TB
	bin, dir string
	addr     string
	mu       sync.Mutex
	cmd      *exec.Cmd
}

// MustMinIO starts MinIO on a free port with the credentials of S3Config,
// from the binary scripts/testenv.sh names in PATHOLABEL_TEST_MINIO_BIN,
// and stops it when the test ends.
func MustMinIO(tb testing.TB) *MinIO {
	tb.Helper()
	bin := os.Getenv("PATHOLABEL_TEST_MINIO_BIN")
	if bin == "" {
		tb.Fatal("testenv: PATHOLABEL_TEST_MINIO_BIN is not set: run the tests through scripts/testenv.sh, which builds MinIO once")
	}
	m := &MinIO{tb: tb, bin: bin, dir: tb.TempDir(), addr: FreeAddr(tb)}
	m.Start()
	tb.Cleanup(m.Stop)
	return m
}

// Endpoint is the host:port to give a service as its S3 endpoint.
func (m *MinIO) Endpoint() string { return m.addr }

// Start starts the server (again) on the same port and data, and waits
// until it answers its health check.
func (m *MinIO) Start() {
	m.tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	cfg := S3Config()
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, filepath.Join(m.dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+cfg.AccessKey, "MINIO_ROOT_PASSWORD="+cfg.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	log, err := os.OpenFile(filepath.Join(m.dir, "minio.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		m.tb.Fatalf("testenv: minio log: %v", err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		m.tb.Fatalf("testenv: start minio %s: %v", m.bin, err)
	}
	m.cmd = cmd
	if err := waitHealthy(m.addr, 60*time.Second); err != nil {
		b, _ := os.ReadFile(filepath.Join(m.dir, "minio.log"))
		m.tb.Fatalf("testenv: minio on %s: %v; its log:\n%s", m.addr, err, b)
	}
}

// Stop ends the server (SIGTERM, SIGKILL after 10 s); new connections are
// then refused until Start.
func (m *MinIO) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = m.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = m.cmd.Process.Kill()
		<-done
	}
	m.cmd = nil
}

// waitHealthy polls MinIO's liveness endpoint until it answers 200.
func waitHealthy(addr string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for ctx.Err() == nil {
		if resp, err := client.Get("http://" + addr + "/minio/health/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %v", limit)
}
