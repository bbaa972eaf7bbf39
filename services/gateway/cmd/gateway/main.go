// Command gateway serves the web viewer and, on one machine, routes the
// API prefixes to the services (see package gateway).
//
//	gateway    serve (configured by PATHOLABEL_* variables); it holds no database
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/patholabel/patholabel/services/gateway"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

func main() {
	os.Exit(app.MainWithoutDB("gateway", os.Args[1:], os.LookupEnv, os.Stderr, build))
}

func build(r *config.Reader, base app.Base, log *slog.Logger) (app.Runner, error) {
	m := &Main{Base: base, Gateway: readConfig(r), Log: log}
	return m, r.Err()
}

// Main is the gateway process, bootable from tests.
type Main struct {
	Base    app.Base
	Gateway gateway.Config
	Log     *slog.Logger

	app.Process // the HTTP server; the gateway opens no connections
}

// Open binds the listener, so tests can read Addr before Run.
func (m *Main) Open(context.Context) error {
	m.Server = httpapi.New(m.Base.HTTP, httpapi.Deps{
		Service: "gateway", Log: m.Log, Registry: httpapi.NewRegistry(), Checks: gateway.Checks(m.Gateway),
	})
	gateway.Register(m.Server.Engine(), m.Gateway, m.Log)
	return m.Server.Listen()
}

// Run serves until ctx ends.
func (m *Main) Run(ctx context.Context) error {
	return m.Serve(ctx, m.Open)
}
