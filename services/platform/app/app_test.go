package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
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
