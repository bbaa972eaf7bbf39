package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	"github.com/patholabel/patholabel/services/annotation/annotationtest"
	annotationhttp "github.com/patholabel/patholabel/services/annotation/http"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/logging"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// MustMain boots the real annotation service against fresh real dependencies.
func MustMain(tb testing.TB) (*Main, string) {
	tb.Helper()
	m, base, _ := MustWorld(tb, nil)
	return m, base
}

// MustWorld boots the service on a database holding the fixture world;
// edit may change the configuration first (nil: none).
func MustWorld(tb testing.TB, edit func(*Main)) (*Main, string, *annotationtest.World) {
	tb.Helper()
	db, dbcfg := testenv.MustDB(tb)
	_, rcfg := testenv.MustRedis(tb)
	m := &Main{
		Base: app.Base{
			Log:   logging.Config{Format: "json", Level: "info"},
			HTTP:  httpapi.Config{Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second},
			MySQL: dbcfg,
		},
		Redis:      rcfg,
		Annotation: annotation.DefaultConfig(),
		Log:        testenv.Logger(),
	}
	if edit != nil {
		edit(m)
	}
	w := annotationtest.MustWorld(tb, db)
	return m, testenv.MustServe(tb, m), w
}

func TestStandardEndpoints(t *testing.T) {
	_, base := MustMain(t)
	testenv.CheckStandardEndpoints(t, base, "annotation")
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	m, _ := MustMain(t)
	missing, stale, err := httpapi.Undocumented(m.Server.Engine(), annotationhttp.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("undocumented routes %v; documented but not served %v", missing, stale)
	}
}

func TestBadConfigExitsWithOneLine(t *testing.T) {
	var stderr bytes.Buffer
	code := app.Main("annotation", nil, config.FromMap(map[string]string{"PATHOLABEL_REDIS_DB": "many"}), &stderr, build)
	out := strings.TrimSpace(stderr.String())
	if code != 2 || strings.Contains(out, "\n") || !strings.Contains(out, "PATHOLABEL_REDIS_DB") {
		t.Fatalf("exit %d, stderr %q; want 2 and one line naming PATHOLABEL_REDIS_DB", code, out)
	}
}
