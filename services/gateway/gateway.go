// Package gateway is the viewer's server and, on one machine, the single
// entry point: it routes API prefixes to the services with the same route
// table the cluster Ingress uses, serves the built web viewer for every
// other path, and reports the whole system's readiness. In the cluster it
// runs with no upstreams and only serves the viewer.
package gateway

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/routes"
)

// Config is where the viewer's files are and where each service answers.
type Config struct {
	WebDir    string
	Upstreams map[string]*url.URL // service name → base URL; empty in the cluster
}

// ReadConfig reads PATHOLABEL_WEB_DIR and PATHOLABEL_UPSTREAM_<SERVICE>.
func ReadConfig(r *config.Reader) Config {
	c := Config{WebDir: r.String("PATHOLABEL_WEB_DIR", "web/dist"), Upstreams: map[string]*url.URL{}}
	for _, svc := range routes.Services() {
		key := "PATHOLABEL_UPSTREAM_" + strings.ToUpper(svc)
		raw := r.String(key, "")
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		r.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", key, raw, "an http(s) URL such as http://127.0.0.1:8081")
		if err == nil {
			c.Upstreams[svc] = u
		}
	}
	if st, err := os.Stat(filepath.Join(c.WebDir, "index.html")); err != nil || st.IsDir() {
		r.Check(false, "PATHOLABEL_WEB_DIR", c.WebDir, "a folder holding the built viewer's index.html (run `make web`)")
	}
	return c
}
