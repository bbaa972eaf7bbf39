// Command export writes training datasets to object storage.
//
//	export            serve (configured by PATHOLABEL_* variables)
//	export migrate    apply database migrations and exit
package main

import (
	"context"
	"log/slog"
	"os"

	exporthttp "github.com/patholabel/patholabel/services/export/http"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func main() {
	os.Exit(app.Main("export", os.Args[1:], os.LookupEnv, os.Stderr, build))
}

func build(r *config.Reader, base app.Base, log *slog.Logger) (app.Runner, error) {
	m := &Main{Base: base, Redis: redis.ReadConfig(r), S3: objstore.ReadConfig(r), Log: log}
	return m, r.Err()
}

// Main is the export service process, bootable from tests.
type Main struct {
	Base  app.Base
	Redis redis.Config
	S3    objstore.Config
	Log   *slog.Logger

	res    *app.Resources
	server *httpapi.Server
}

// Open connects and binds the listener, so tests can read Addr before Run.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.res, err = app.Open(m.Base.MySQL, &m.Redis, &m.S3); err != nil {
		return err
	}
	m.server = httpapi.New(m.Base.HTTP, httpapi.Deps{
		Service: "export", Log: m.Log, Registry: httpapi.NewRegistry(), Checks: m.res.Checks(m.S3.ExportsBucket, m.S3.CreateBuckets),
	})
	exporthttp.Register(m.server.Engine())
	return m.server.Listen()
}

// Addr is the bound address.
func (m *Main) Addr() string { return m.server.Addr() }

// Run serves until ctx ends.
func (m *Main) Run(ctx context.Context) error {
	if m.server == nil {
		if err := m.Open(ctx); err != nil {
			return err
		}
	}
	return m.server.Serve(ctx)
}

// Close releases connections.
func (m *Main) Close() error {
	if m.res == nil {
		return nil
	}
	return m.res.Close()
}
