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
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
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

	res    *app.Resources
	server *httpapi.Server
	store  *mysql.Store
	feed   *annotationredis.Feed
}

// Open connects and binds the listener, so tests can read Addr before Run.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.res, err = app.Open(m.Base.MySQL, &m.Redis, nil); err != nil {
		return err
	}
	audits := audit.New(m.res.DB, time.Now)
	reg := httpapi.NewRegistry()
	m.server = httpapi.New(m.Base.HTTP, httpapi.Deps{
		Service: "annotation", Log: m.Log, Registry: reg, Checks: m.res.Checks("", false),
		Denied: audits.Denied,
	})
	m.store = mysql.New(m.res.DB, m.Annotation, time.Now)
	authn := access.NewAuthenticator(m.res.DB, m.res.Redis, m.Redis, reg, time.Now)
	events := annotationredis.NewPublisher(m.res.Redis, m.Redis.Prefix, m.Log)
	m.feed = annotationredis.NewFeed(m.res.Redis, m.Redis.Prefix, m.Log)
	annotationhttp.Register(m.server.Engine(), m.store, authn, events, m.feed, audits, m.Log)
	annotationhttp.RegisterSuggestions(m.server.Engine(), m.store, m.Annotation, authn, events, audits)
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
	go m.pruneRequests(ctx)
	// The live feed ends with ctx, closing the open event streams so the shutdown is not held up by them.
	go m.feed.Run(ctx)
	return m.server.Serve(ctx)
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

// Close releases connections.
func (m *Main) Close() error {
	if m.res == nil {
		return nil
	}
	return m.res.Close()
}
