package gateway

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/routes"
)

// Checks are the readiness probes: one per configured service, so the
// entry point's /readyz is green only when the whole system is.
func Checks(cfg Config) []httpapi.Check {
	client := &http.Client{Timeout: 2 * time.Second}
	var checks []httpapi.Check
	for _, svc := range routes.Services() {
		if u, ok := cfg.Upstreams[svc]; ok {
			checks = append(checks, httpapi.Check{Name: svc, Probe: probeUpstream(client, u)})
		}
	}
	return checks
}

// Register routes every path that no gateway endpoint serves: API prefixes
// to their service (by the shared route table), the rest to the viewer.
func Register(e *gin.Engine, cfg Config, log *slog.Logger) {
	proxies := map[string]http.Handler{}
	for svc, u := range cfg.Upstreams {
		proxies[svc] = newProxy(svc, u, log)
	}
	web := newStatic(cfg.WebDir)
	e.HandleMethodNotAllowed = false // every method falls through to routing
	e.NoRoute(func(c *gin.Context) {
		svc := routes.Owner(c.Request.URL.Path)
		if svc == routes.Web {
			web.ServeHTTP(c.Writer, c.Request)
			return
		}
		p, ok := proxies[svc]
		if !ok {
			httpapi.Fail(c, platform.Errorf(platform.ENOTFOUND, "the %s service is not routed by this entry point", svc))
			return
		}
		p.ServeHTTP(c.Writer, c.Request)
	})
}
