// Command gateway serves the web viewer and, on one machine, routes the
// API prefixes to the services (see package gateway).
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/gateway"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/logging"
)

func main() { os.Exit(run(os.LookupEnv, os.Stderr)) }

// run is main without the process: the gateway has no database, so it
// does not use app.Main's migrate/MySQL handling.
func run(lookup config.LookupFunc, stderr *os.File) int {
	r := config.NewReader(lookup)
	logCfg := logging.Config{Format: r.String("PATHOLABEL_LOG_FORMAT", "json"), Level: r.String("PATHOLABEL_LOG_LEVEL", "info")}
	httpCfg := httpapi.ReadConfig(r, ":8080")
	cfg := readConfig(r)
	if err := r.Err(); err != nil {
		stderr.WriteString("gateway: " + err.Error() + "\n")
		return 2
	}
	if err := logCfg.Validate(); err != nil {
		stderr.WriteString("gateway: " + err.Error() + "\n")
		return 2
	}
	log := logging.New(logCfg, "gateway", stderr)
	gin.SetMode(gin.ReleaseMode) // gin's debug mode prints to stdout, outside the structured log
	m := &Main{HTTP: httpCfg, Gateway: cfg, Log: log}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := m.Run(ctx); err != nil {
		log.Error("stopped with error", "err", err)
		return 1
	}
	return 0
}

// Main is the gateway process, bootable from tests.
type Main struct {
	HTTP    httpapi.Config
	Gateway gateway.Config
	Log     *slog.Logger
	server  *httpapi.Server
}

// Open binds the listener.
func (m *Main) Open(context.Context) error {
	m.server = httpapi.New(m.HTTP, httpapi.Deps{
		Service: "gateway", Log: m.Log, Registry: httpapi.NewRegistry(), Checks: gateway.Checks(m.Gateway),
	})
	gateway.Register(m.server.Engine(), m.Gateway, m.Log)
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

// Close has nothing to release: the gateway holds no connections.
func (m *Main) Close() error { return nil }
