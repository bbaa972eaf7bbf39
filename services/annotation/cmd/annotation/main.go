// Command annotation stores and serves marks on slides.
//
//	annotation            serve (configured by PATHOLABEL_* variables)
//	annotation migrate    apply database migrations and exit
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/patholabel/patholabel/services/annotation"
	annotationhttp "github.com/patholabel/patholabel/services/annotation/http"
	"github.com/patholabel/patholabel/services/annotation/mysql"
	annotationredis "github.com/patholabel/patholabel/services/annotation/redis"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/redis"
)

func main() {
	os.Exit(app.Main("annotation", os.Args[1:], os.LookupEnv, os.Stderr, build))
}

func build(r *config.Reader, base app.Base, log *slog.Logger) (app.Runner, error) {
	m := &Main{Base: base, Redis: redis.ReadConfig(r), Annotation: readConfig(r), Log: log}
	return m, r.Err()
}

// Main is the annotation service process, bootable from tests.
type Main struct {
	Base       app.Base
	Redis      redis.Config
	Annotation annotation.Config
	Log        *slog.Logger

	app.Process // connections and the HTTP server
	store       *mysql.Store
	feed        *annotationredis.Feed
}

// Open connects and binds the listener, so tests can read Addr before Run.
func (m *Main) Open(ctx context.Context) error {
	var err error
	// A batch of 10,000 marks is twenty statements of 10,000–16,000
	// arguments: sent as text they cost the database a third less CPU than
	// prepared (issue 20), and every small query one round trip, not three.
	db := m.Base.MySQL
	db.Interpolate = true
	if m.Res, err = app.Open(db, &m.Redis, nil); err != nil {
		return err
	}
	api := m.NewServer("annotation", m.Base.HTTP, m.Redis, m.Log, m.Res.Checks("", false))
	m.store = mysql.New(m.Res.DB, m.Annotation, time.Now)
	m.feed = annotationredis.NewFeed(m.Res.Redis, m.Redis.Prefix, m.Log)
	deps := annotationhttp.Deps{
		Config: m.Annotation, Store: m.store, Models: m.store,
		Events: annotationredis.NewPublisher(m.Res.Redis, m.Redis.Prefix, m.Log), Feed: m.feed,
		Authn: api.Authn, Audit: api.Audit, Log: m.Log,
	}
	annotationhttp.Register(m.Server.Engine(), deps)
	annotationhttp.RegisterSuggestions(m.Server.Engine(), deps, m.store)
	return m.Server.Listen()
}

// Run serves until ctx ends, pruning idempotency answers beside it. The
// live feed ends with ctx, closing the open event streams so the shutdown
// is not held up by them.
func (m *Main) Run(ctx context.Context) error {
	return m.Serve(ctx, m.Open, m.pruneRequests, func(ctx context.Context) { m.feed.Run(ctx) })
}

// pruneRequests drops expired idempotency answers every few minutes; any
// replica may do it, and a failure only leaves rows for the next round.
func (m *Main) pruneRequests(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.store.PruneRequests(ctx); err != nil {
				m.Log.Warn("prune idempotency keys", "err", err)
			}
		}
	}
}
