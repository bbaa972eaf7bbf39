package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one readiness dependency: MySQL, Redis, the object store…
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
	// Optional dependencies (Redis: a cache and a wake-up channel) are
	// probed and reported, but their failure leaves the service ready,
	// because it keeps working without them; pulling every replica out of
	// rotation when Redis blips would turn a slowdown into an outage.
	Optional bool
}

// Readiness is the body of /readyz.
type Readiness struct {
	Status string            `json:"status"` // ok, degraded (an optional check failed), unavailable or draining
	Checks map[string]string `json:"checks"` // name → ok or unavailable
}

// registerHealth adds /healthz (the process answers) and /readyz (every
// dependency answers, and the server is not draining before a shutdown).
// Failure details go to the log, not to the caller.
func registerHealth(e *gin.Engine, log *slog.Logger, checks []Check, draining *atomic.Bool) {
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", notProxied, func(c *gin.Context) {
		if draining.Load() {
			c.JSON(http.StatusServiceUnavailable, Readiness{Status: "draining", Checks: map[string]string{}})
			return
		}
		r := RunChecks(c, log, checks)
		status := http.StatusOK
		if r.Status == "unavailable" {
			status = http.StatusServiceUnavailable
		}
		c.JSON(status, r)
	})
}

// notProxied answers 404 to a request that came through a proxy. The
// Ingress sends every path no service owns to the viewer, /metrics and
// /readyz included, and these tell outsiders the software, its versions
// and its dependencies; kubelet probes and Prometheus call the pod
// directly and send no forwarding header, while every ingress controller
// adds X-Forwarded-For (or Forwarded), which a client cannot remove.
func notProxied(c *gin.Context) {
	h := c.Request.Header
	if h.Get("X-Forwarded-For") != "" || h.Get("Forwarded") != "" || h.Get("X-Real-Ip") != "" {
		Fail(c, notFound)
	}
}

// RunChecks probes every dependency at once, each bounded by two seconds so
// a hung dependency cannot hang the probe.
func RunChecks(ctx context.Context, log *slog.Logger, checks []Check) Readiness {
	r := Readiness{Status: "ok", Checks: make(map[string]string, len(checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			err := ch.Probe(cctx)
			mu.Lock()
			defer mu.Unlock()
			r.Checks[ch.Name] = "ok"
			if err != nil {
				log.Warn("readiness check failed", "check", ch.Name, "optional", ch.Optional, "err", err)
				r.Checks[ch.Name] = "unavailable"
				switch {
				case !ch.Optional:
					r.Status = "unavailable"
				case r.Status == "ok":
					r.Status = "degraded"
				}
			}
		})
	}
	wg.Wait()
	return r
}
