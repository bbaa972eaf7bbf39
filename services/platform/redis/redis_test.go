package redis_test

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/redis"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// tlsRedis starts a redis-server of the test's own that speaks TLS only and
// knows one ACL user, app with password app-secret, and returns its address.
func tlsRedis(t *testing.T, f testenv.TLSFiles) string {
	t.Helper()
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", port,
		"--tls-cert-file", f.Cert, "--tls-key-file", f.Key, "--tls-ca-cert-file", f.CA, "--tls-auth-clients", "no",
		"--user", "default", "off", "--user", "app", "on", ">app-secret", "~*", "&*", "+@all",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("redis-server with TLS did not listen on %s: %s", addr, out.String())
		}
	}
}

// Redis with AUTH as an ACL user and TLS, configured through the variables
// the chart sets: it answers only with the right user, password and CA.
func TestRedisACLUserAndTLS(t *testing.T) {
	f := testenv.MustTLS(t)
	addr := tlsRedis(t, f)
	good := map[string]string{
		"PATHOLABEL_REDIS_ADDR": addr, "PATHOLABEL_REDIS_USERNAME": "app", "PATHOLABEL_REDIS_PASSWORD": "app-secret",
		"PATHOLABEL_REDIS_TLS": "true", "PATHOLABEL_REDIS_TLS_CA_FILE": f.CA, "PATHOLABEL_CACHE_KEY": strings.Repeat("k", 32),
	}
	for _, c := range []struct {
		what    string
		change  map[string]string
		wantErr string
	}{
		{"user, password and CA", nil, ""},
		{"the CA implies TLS", map[string]string{"PATHOLABEL_REDIS_TLS": "false"}, ""},
		{"skip-verify", map[string]string{"PATHOLABEL_REDIS_TLS": "skip-verify", "PATHOLABEL_REDIS_TLS_CA_FILE": ""}, ""},
		{"wrong password", map[string]string{"PATHOLABEL_REDIS_PASSWORD": "guess"}, "WRONGPASS"},
		{"no user", map[string]string{"PATHOLABEL_REDIS_USERNAME": ""}, "WRONGPASS"},
		{"system CAs only", map[string]string{"PATHOLABEL_REDIS_TLS_CA_FILE": ""}, "certificate"},
		{"plain TCP", map[string]string{"PATHOLABEL_REDIS_TLS": "false", "PATHOLABEL_REDIS_TLS_CA_FILE": ""}, "EOF"},
	} {
		vars := map[string]string{}
		for k, v := range good {
			vars[k] = v
		}
		for k, v := range c.change {
			vars[k] = v
		}
		r := config.NewReader(config.FromMap(vars))
		cfg := redis.ReadConfig(r)
		if err := r.Err(); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		rdb := redis.New(cfg)
		err := rdb.Ping(context.Background()).Err()
		rdb.Close()
		if (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: PING = %v, want an error containing %q (none if empty)", c.what, err, c.wantErr)
		}
	}
}

func TestReadConfigRequiresCredentialsOutsideDevMode(t *testing.T) {
	r := config.NewReader(config.FromMap(map[string]string{"PATHOLABEL_REDIS_PASSWORD": ""}))
	redis.ReadConfig(r)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "PATHOLABEL_CACHE_KEY is required") {
		t.Errorf("without a cache key: %v, want PATHOLABEL_CACHE_KEY is required", err)
	}
	r = config.NewReader(config.FromMap(map[string]string{"PATHOLABEL_CACHE_KEY": strings.Repeat("k", 32)}))
	redis.ReadConfig(r)
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "PATHOLABEL_REDIS_PASSWORD is required") {
		t.Errorf("without a password: %v, want PATHOLABEL_REDIS_PASSWORD is required", err)
	}
	r = config.NewReader(config.FromMap(map[string]string{"PATHOLABEL_DEV_MODE": "true"}))
	if c := redis.ReadConfig(r); r.Err() != nil || c.Password != "" || c.CacheKey != "" {
		t.Errorf("dev mode: %+v, %v; want no password, a throwaway cache key", c, r.Err())
	}
}
