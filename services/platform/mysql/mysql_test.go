package mysql_test

import (
	"context"
	"net"
	"os/exec"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// tlsMariaDB starts a throwaway mariadbd of the test's own with TLS (it
// skips the grant tables: any user gets in, so an empty data folder will
// do, and plain connections too) and returns its address.
func tlsMariaDB(t *testing.T, f testenv.TLSFiles) string {
	t.Helper()
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("mariadbd", "--no-defaults", "--user="+me.Username, "--datadir="+dir, "--socket="+dir+"/mysqld.sock", "--pid-file="+dir+"/mysqld.pid",
		"--bind-address=127.0.0.1", "--port="+port, "--skip-grant-tables", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M",
		"--ssl-cert="+f.Cert, "--ssl-key="+f.Key, "--ssl-ca="+f.CA)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mariadbd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("mariadbd stopped (%v): %s", err, out.String())
		default:
		}
		if time.Since(start) > 60*time.Second {
			t.Fatalf("mariadbd did not listen on %s: %s", addr, out.String())
		}
	}
}

// MySQL over TLS, configured through the variables the chart sets: the
// connection is encrypted and the server verified against the CA file (or
// not verified, when asked by name); an unknown CA is refused.
func TestMySQLTLS(t *testing.T) {
	f := testenv.MustTLS(t)
	addr := tlsMariaDB(t, f)
	for _, c := range []struct {
		mode, ca string
		wantErr  string
		tls      bool
	}{
		{"true", f.CA, "", true},
		{"", f.CA, "", true},
		{"skip-verify", "", "", true},
		{"true", "", "certificate", false},
		{"false", "", "", false},
	} {
		r := config.NewReader(config.FromMap(map[string]string{
			"PATHOLABEL_MYSQL_ADDR": addr, "PATHOLABEL_MYSQL_USER": "root", "PATHOLABEL_MYSQL_PASSWORD": "",
			"PATHOLABEL_MYSQL_DATABASE": "pltls", "PATHOLABEL_MYSQL_TLS": c.mode, "PATHOLABEL_MYSQL_TLS_CA_FILE": c.ca,
		}))
		cfg := mysql.ReadConfig(r)
		if err := r.Err(); err != nil {
			t.Fatalf("%s/%s: %v", c.mode, c.ca, err)
		}
		version, err := tlsVersion(cfg)
		if (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("TLS=%q CA=%q: %v, want an error containing %q (none if empty)", c.mode, c.ca, err, c.wantErr)
		}
		if err == nil && strings.HasPrefix(version, "TLSv1.") != c.tls {
			t.Errorf("TLS=%q CA=%q: the session's Ssl_version is %q, want TLS %v", c.mode, c.ca, version, c.tls)
		}
	}
}

// tlsVersion creates the database and asks the server which TLS version
// the pool's connection uses.
func tlsVersion(cfg mysql.Config) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := mysql.CreateDatabase(ctx, cfg); err != nil {
		return "", err
	}
	db, err := mysql.Open(cfg)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var name, version string
	err = db.QueryRowContext(ctx, `SHOW SESSION STATUS LIKE 'Ssl_version'`).Scan(&name, &version)
	return version, err
}
