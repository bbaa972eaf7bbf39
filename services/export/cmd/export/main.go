// Command export writes training datasets to object storage.
//
//	export            serve and run export workers (configured by PATHOLABEL_* variables)
//	export migrate    apply database migrations and exit
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/patholabel/patholabel/services/export"
	exporthttp "github.com/patholabel/patholabel/services/export/http"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/export/mysql"
	"github.com/patholabel/patholabel/services/export/vips"
	"github.com/patholabel/patholabel/services/export/worker"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func main() {
	os.Exit(app.Main("export", os.Args[1:], os.LookupEnv, os.Stderr, build))
}

func build(r *config.Reader, base app.Base, log *slog.Logger) (app.Runner, error) {
	m := &Main{Base: base, Redis: redis.ReadConfig(r), S3: objstore.ReadConfig(r), Export: readConfig(r), Log: log}
	return m, r.Err()
}

// Main is the export service process, bootable from tests.
type Main struct {
	Base   app.Base
	Redis  redis.Config
	S3     objstore.Config
	Export export.Config
	Log    *slog.Logger

	app.Process // connections and the HTTP server
	pool        *worker.Pool
}

// Open connects and binds the listener, so tests can read Addr before Run.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.Res, err = app.Open(m.Base.MySQL, &m.Redis, &m.S3); err != nil {
		return err
	}
	if m.Export.GCPercent > 0 {
		debug.SetGCPercent(m.Export.GCPercent) // see export.Config
	}
	// One libvips thread per region: patches are small, and workers run
	// side by side instead.
	if err := vips.Startup(1); err != nil {
		return fmt.Errorf("start libvips: %w", err)
	}
	api := m.NewServer("export", m.Base.HTTP, m.Redis, m.Log, m.Res.Checks(m.S3.ExportsBucket, m.S3.CreateBuckets))
	store := mysql.New(m.Res.DB, time.Now)
	signer, err := objstore.NewPresigner(m.S3)
	if err != nil {
		return err
	}
	objects := minio.New(m.Res.S3, signer, m.S3.SlidesBucket, m.S3.ExportsBucket)
	m.pool = worker.New(m.Export, store, objects, m.Res.Redis, m.Redis.Prefix, m.Log, worker.NewMetrics(api.Registry, m.Res.DB))
	exporthttp.Register(m.Server.Engine(), exporthttp.Deps{
		Store: store, Objects: objects, Authn: api.Authn,
		Waker: worker.NewWaker(m.Res.Redis, m.Redis.Prefix), LinkTTL: m.Export.LinkTTL, Audit: api.Audit, Log: m.Log,
	})
	return m.Server.Listen()
}

// Run serves and runs the export workers until ctx ends; an export in
// progress is handed back so another replica resumes it.
func (m *Main) Run(ctx context.Context) error {
	return m.Serve(ctx, m.Open, func(ctx context.Context) { m.pool.Run(ctx) })
}
