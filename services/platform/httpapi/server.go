// Package httpapi is the HTTP plumbing every service shares: a gin engine
// under an http.Server with graceful shutdown, the standard endpoints
// (/healthz, /readyz, /metrics), request logging and metrics by route
// template, one JSON error shape, and strict JSON decoding.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/patholabel/patholabel/services/platform/config"
)

// Config is the listener, the shutdown grace period and the proxies whose
// X-Forwarded-For is believed.
type Config struct {
	Listen          string
	ShutdownTimeout time.Duration
	// ShutdownDelay is how long the server keeps serving after SIGTERM,
	// answering /readyz with 503, before it stops accepting: the time an
	// ingress controller and kube-proxy take to drop a terminating pod
	// from their endpoints. Without it, requests routed in that window meet
	// a closed port (502 during every rolling update). 0 outside a cluster.
	ShutdownDelay  time.Duration
	TrustedProxies []string // IPs or CIDRs of the ingress; nil trusts none
	// DebugListen, when set, serves Go's profiler (net/http/pprof) on a
	// second listener, so it is never reachable through the ingress.
	DebugListen string
}

// DefaultTrustedProxies is the local gateway (make up), which reaches the
// services over loopback. Trusting whole private ranges would let any pod
// in the cluster, and any hospital-LAN client behind an ingress that
// appends to X-Forwarded-For, pick the address that rate limits and the
// audit log see; in a cluster, list the ingress controller's addresses.
const DefaultTrustedProxies = "127.0.0.1,::1"

// ReadConfig reads PATHOLABEL_LISTEN, _SHUTDOWN_TIMEOUT, _SHUTDOWN_DELAY
// and _TRUSTED_PROXIES.
func ReadConfig(r *config.Reader, defaultListen string) Config {
	c := Config{
		Listen:          r.String("PATHOLABEL_LISTEN", defaultListen),
		ShutdownTimeout: r.Duration("PATHOLABEL_SHUTDOWN_TIMEOUT", 30*time.Second),
		ShutdownDelay:   r.Duration("PATHOLABEL_SHUTDOWN_DELAY", 0),
		TrustedProxies:  splitList(r.String("PATHOLABEL_TRUSTED_PROXIES", DefaultTrustedProxies)),
		DebugListen:     r.String("PATHOLABEL_DEBUG_LISTEN", ""),
	}
	for _, p := range c.TrustedProxies {
		r.Check(isIPOrCIDR(p), "PATHOLABEL_TRUSTED_PROXIES", p, "a comma-separated list of IP addresses or CIDRs")
	}
	_, _, err := net.SplitHostPort(c.Listen)
	r.Check(err == nil, "PATHOLABEL_LISTEN", c.Listen, "a listen address such as :8080 or 127.0.0.1:8081")
	if c.DebugListen != "" {
		_, _, err := net.SplitHostPort(c.DebugListen)
		r.Check(err == nil, "PATHOLABEL_DEBUG_LISTEN", c.DebugListen, "empty, or a listen address such as 127.0.0.1:6060")
	}
	r.Check(c.ShutdownTimeout > 0, "PATHOLABEL_SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String(), "a positive duration")
	r.Check(c.ShutdownDelay >= 0 && c.ShutdownDelay <= 5*time.Minute, "PATHOLABEL_SHUTDOWN_DELAY", c.ShutdownDelay.String(), "a duration from 0s to 5m")
	return c
}

// Server is a service's HTTP server. Build it with New, register routes on
// Engine(), then Run.
type Server struct {
	cfg    Config
	log    *slog.Logger
	engine *gin.Engine
	http   *http.Server
	ln     net.Listener
	// draining is set when SIGTERM arrived and ShutdownDelay runs: /readyz
	// then fails so that the pod leaves every endpoint list.
	draining *atomic.Bool
}

// Deps are what the server needs from its service.
type Deps struct {
	Service  string // "auth", "tiler", …: a metrics label and log field
	Log      *slog.Logger
	Registry *prometheus.Registry
	Checks   []Check // readiness checks, run by /readyz
	// Denied, when set, is told of every request answered 403 once the
	// answer is sent: the services' audit log (audit.Log.Denied).
	Denied func(c *gin.Context)
}

// New builds the engine with the standard middleware and endpoints.
func New(cfg Config, d Deps) *Server {
	e := gin.New()
	// Handlers must pass c.Request.Context() to anything that outlives the
	// call (database/sql watches it from another goroutine): gin reuses c.
	e.HandleMethodNotAllowed = true
	_ = e.SetTrustedProxies(cfg.TrustedProxies) // validated by ReadConfig
	m := newHTTPMetrics(d.Registry, d.Service)
	e.Use(m.middleware(), logRequests(d.Log, d.Denied), drainBody, recoverPanics(d.Log), refuseBadQuery)
	e.NoRoute(func(c *gin.Context) { Fail(c, notFound) })
	e.NoMethod(func(c *gin.Context) { Fail(c, methodNotAllowed) })
	draining := new(atomic.Bool)
	registerHealth(e, d.Log, d.Checks, draining)
	e.GET("/metrics", notProxied, gin.WrapH(metricsHandler(d.Registry)))
	s := &Server{cfg: cfg, log: d.Log, engine: e, draining: draining}
	s.http = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(d.Log.Handler(), slog.LevelWarn),
		ConnContext:       withConn,  // for WriteWhole
		ConnState:         flushIdle, // the end of a coalesced answer
	}
	return s
}

// Engine is where the service registers its routes.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Listen binds the configured address; tests bind ":0" and read Addr.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	s.ln = newCoalescingListener(ln)
	return nil
}

// Addr is the bound address, valid after Listen.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves until ctx ends, then stops accepting and waits up to the
// shutdown timeout for in-flight requests.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	s.log.Info("listening", "addr", s.Addr())
	if s.cfg.DebugListen != "" {
		dbg := &http.Server{Addr: s.cfg.DebugListen, Handler: profiler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			s.log.Warn("profiler listening; keep this address private", "addr", s.cfg.DebugListen)
			if err := dbg.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("profiler listener", "err", err)
			}
		}()
		defer dbg.Close()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	if s.cfg.ShutdownDelay > 0 {
		// Keep serving while the endpoint removal spreads; close each
		// connection after its answer so clients reconnect elsewhere.
		s.draining.Store(true)
		s.http.SetKeepAlivesEnabled(false)
		s.log.Info("draining before shutdown", "delay", s.cfg.ShutdownDelay)
		select {
		case err := <-errc:
			return fmt.Errorf("serve http: %w", err)
		case <-time.After(s.cfg.ShutdownDelay):
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	if err := s.http.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

// profiler serves net/http/pprof on its own mux (the package's init only
// registers on http.DefaultServeMux, which nothing here serves).
func profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func isIPOrCIDR(s string) bool {
	_, _, err := net.ParseCIDR(s)
	return err == nil || net.ParseIP(s) != nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
