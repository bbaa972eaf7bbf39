package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

type noop struct{}

func (noop) Run(context.Context) error { return nil }
func (noop) Close() error              { return nil }

// build reads what a service with MySQL, Redis and S3 reads.
func build(r *config.Reader, _ app.Base, _ *slog.Logger) (app.Runner, error) {
	redis.ReadConfig(r)
	objstore.ReadConfig(r)
	return noop{}, r.Err()
}

// Outside development mode a service never falls back to the development
// credentials: each missing one stops it with exit 2 and one line naming
// it, for serving and for migrate alike.
func TestMissingCredentialsStopTheServiceOutsideDevMode(t *testing.T) {
	all := map[string]string{
		"PATHOLABEL_MYSQL_USER": "patholabel", "PATHOLABEL_MYSQL_PASSWORD": "pw", "PATHOLABEL_REDIS_PASSWORD": "pw",
		"PATHOLABEL_CACHE_KEY": strings.Repeat("k", 32), "PATHOLABEL_S3_ACCESS_KEY": "ak", "PATHOLABEL_S3_SECRET_KEY": "sk",
	}
	for missing := range all {
		vars := map[string]string{}
		for k, v := range all {
			if k != missing {
				vars[k] = v
			}
		}
		for _, args := range [][]string{nil, {"migrate"}} {
			if args != nil && !strings.HasPrefix(missing, "PATHOLABEL_MYSQL") {
				continue // migrate reads only the database settings
			}
			var stderr bytes.Buffer
			code := app.Main("svc", args, config.FromMap(vars), &stderr, build)
			out := strings.TrimSpace(stderr.String())
			if code != 2 || strings.Contains(out, "\n") || !strings.Contains(out, missing+" is required") {
				t.Errorf("%v without %s: exit %d, %q; want 2 and one line naming it", args, missing, code, out)
			}
		}
	}
	var stderr bytes.Buffer
	if code := app.Main("svc", nil, config.FromMap(all), &stderr, build); code != 0 {
		t.Errorf("with every credential: exit %d, %s", code, stderr.String())
	}
	if code := app.Main("svc", nil, config.FromMap(map[string]string{"PATHOLABEL_DEV_MODE": "true"}), &stderr, build); code != 0 {
		t.Errorf("in development mode: exit %d, %s", code, stderr.String())
	}
}

// `migrate --wait` keeps trying a database that does not answer yet (an
// in-cluster MySQL still starting) and gives up with a clear error after
// the wait; a flag it does not know stops it with exit 2.
func TestMigrateWaitsForTheDatabase(t *testing.T) {
	vars := map[string]string{"PATHOLABEL_DEV_MODE": "true", "PATHOLABEL_MYSQL_ADDR": testenv.FreeAddr(t), "PATHOLABEL_LOG_FORMAT": "text"}
	var stderr bytes.Buffer
	start := time.Now()
	code := app.Main("svc", []string{"migrate", "--wait", "3s"}, config.FromMap(vars), &stderr, build)
	took := time.Since(start)
	if code != 1 || !strings.Contains(stderr.String(), "did not answer within 3s") {
		t.Errorf("migrate --wait 3s against nothing: exit %d, %q; want 1 and the reason", code, stderr.String())
	}
	if took < 3*time.Second {
		t.Errorf("gave up after %v, before the 3s wait", took)
	}
	stderr.Reset()
	if code := app.Main("svc", []string{"migrate", "--frobnicate"}, config.FromMap(vars), &stderr, build); code != 2 {
		t.Errorf("migrate --frobnicate: exit %d, want 2 (%s)", code, stderr.String())
	}
}

// A binary without a database (the gateway) starts outside development
// mode with no MySQL credential set, and refuses subcommands (it has no
// migrate) with exit 2 and one line.
func TestMainWithoutDBRequiresNoDatabase(t *testing.T) {
	var base app.Base
	build := func(r *config.Reader, b app.Base, _ *slog.Logger) (app.Runner, error) {
		base = b
		return noop{}, r.Err()
	}
	var stderr bytes.Buffer
	if code := app.MainWithoutDB("web", nil, config.FromMap(nil), &stderr, build); code != 0 || base.MySQL.Addr != "" || base.HTTP.Listen != ":8080" {
		t.Errorf("no variables set: exit %d (%s), base %+v; want 0, no MySQL settings, the default listen address", code, stderr.String(), base)
	}
	stderr.Reset()
	code := app.MainWithoutDB("web", []string{"migrate"}, config.FromMap(nil), &stderr, build)
	if out := strings.TrimSpace(stderr.String()); code != 2 || strings.Contains(out, "\n") || !strings.Contains(out, "no subcommands") {
		t.Errorf("web migrate: exit %d, %q; want 2 and one line saying it has no subcommands", code, out)
	}
	stderr.Reset()
	if code := app.Main("svc", nil, config.FromMap(nil), &stderr, build); code != 2 || !strings.Contains(stderr.String(), "PATHOLABEL_MYSQL_USER is required") {
		t.Errorf("a service with a database and no credentials: exit %d, %q; want 2 naming the MySQL user", code, stderr.String())
	}
}
