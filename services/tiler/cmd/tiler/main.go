// Command tiler ingests slides and serves their tiles.
//
//	tiler            serve, and run PATHOLABEL_TILER_WORKERS ingest workers (configured by PATHOLABEL_* variables)
//	tiler worker     run ingest workers only: no API, just /healthz, /readyz and /metrics
//	tiler migrate    apply database migrations and exit
//	tiler ingest DIR --project N             queue every file of a local folder
//	tiler import BUCKET/PREFIX --project N   queue every object under a bucket prefix
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/cache"
	tilerhttp "github.com/patholabel/patholabel/services/tiler/http"
	"github.com/patholabel/patholabel/services/tiler/minio"
	"github.com/patholabel/patholabel/services/tiler/mysql"
	"github.com/patholabel/patholabel/services/tiler/vips"
	"github.com/patholabel/patholabel/services/tiler/worker"
)

func main() {
	os.Exit(app.Main("tiler", os.Args[1:], os.LookupEnv, os.Stderr, build, workerCommand, ingestCommand, importCommand))
}

func build(r *config.Reader, base app.Base, log *slog.Logger) (app.Runner, error) {
	m := &Main{Base: base, Redis: redis.ReadConfig(r), S3: objstore.ReadConfig(r), Tiler: readConfig(r), Log: log}
	return m, r.Err()
}

// workerCommand runs ingest in a process of its own (`tiler worker`), the
// way the chart and the local stack deploy it: libvips and the DICOM
// reader parse untrusted uploads there, so a crash or an out-of-memory
// kill on a hostile file costs a job attempt, never tile serving. The
// serving processes then run with PATHOLABEL_TILER_WORKERS=0.
var workerCommand = app.Command{Name: "worker", Run: func(ctx context.Context, r *config.Reader, base app.Base, log *slog.Logger, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected arguments %v (usage: tiler worker)", args)
	}
	runner, err := build(r, base, log)
	if err != nil {
		return err
	}
	m := runner.(*Main)
	m.IngestOnly = true
	if m.Tiler.Workers < 1 {
		return fmt.Errorf("PATHOLABEL_TILER_WORKERS is %d; a worker process needs at least 1", m.Tiler.Workers)
	}
	defer m.Close()
	return m.Run(ctx)
}}

// Main is the tiler service process, bootable from tests.
type Main struct {
	Base  app.Base
	Redis redis.Config
	S3    objstore.Config
	Tiler tiler.Config
	Log   *slog.Logger
	// IngestOnly serves no API, only health and metrics: `tiler worker`.
	IngestOnly bool

	app.Process // connections and the HTTP server
	pool        *worker.Pool
}

// Open connects and binds the listener, so tests can read Addr before Run.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.Res, err = app.Open(m.Base.MySQL, &m.Redis, &m.S3); err != nil {
		return err
	}
	m.ensureBucket(ctx)
	vips.Startup(m.Tiler.VipsThreads)
	api := m.NewServer("tiler", m.Base.HTTP, m.Redis, m.Log, m.Res.Checks(m.S3.SlidesBucket, m.S3.CreateBuckets))
	store := mysql.New(m.Res.DB, time.Now)
	objects := minio.New(m.Res.S3, m.S3.SlidesBucket, m.S3.ReadTimeout)
	shared := cache.NewRedis(m.Res.Redis, m.Redis, m.Tiler.RedisTTL, m.Tiler.RedisMaxTile, time.Now)
	m.pool = worker.New(m.Tiler, store, objects, m.Res.Redis, m.Redis.Prefix, m.Log, worker.NewMetrics(api.Registry, m.Res.DB))
	if m.IngestOnly {
		return m.Server.Listen()
	}
	tiles := cache.NewTiles(store, objects, shared, m.Tiler.MemCacheBytes, m.Tiler.ReadAheadBytes, api.Registry)
	sources, err := cache.NewSources(m.Tiler.TempDir, objects, m.Tiler.Quality, maxOpenSources, m.Tiler.MaxPixels, m.Tiler.SourceCopyBytes)
	if err != nil {
		return err
	}
	tiles.ServeSources(sources)
	tilerhttp.Register(m.Server.Engine(), tilerhttp.Deps{
		Config: m.Tiler, Store: store, Objects: objects, Tiles: tiles, Sources: sources,
		Authn: api.Authn, Waker: worker.NewWaker(m.Res.Redis, m.Redis.Prefix), Audit: api.Audit, Log: m.Log,
	})
	return m.Server.Listen()
}

// maxOpenSources bounds how many sources are served at once while their
// pyramids are built (each holds OpenSlide's caches and file handles).
const maxOpenSources = 8

// ensureBucket creates the slides bucket before the first upload when
// allowed. Failing here is not fatal: MinIO may still be starting, and the
// readiness probe keeps trying.
func (m *Main) ensureBucket(ctx context.Context) {
	if !m.S3.CreateBuckets {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := objstore.EnsureBucket(ctx, m.Res.S3, m.S3.SlidesBucket, m.S3.Region); err != nil {
		m.Log.Warn("slides bucket not ready yet", "err", err)
	}
}

// Run serves and runs the ingest workers until ctx ends; a job in progress
// is handed back so another replica resumes it.
func (m *Main) Run(ctx context.Context) error {
	return m.Serve(ctx, m.Open, func(ctx context.Context) { m.pool.Run(ctx) })
}
