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

// UpstreamVar is the variable that routes svc to a URL (PATHOLABEL_UPSTREAM_AUTH, …).
func UpstreamVar(svc string) string { return "PATHOLABEL_UPSTREAM_" + strings.ToUpper(svc) }

// Validate names the first bad setting by its variable (read by
// cmd/gateway): an upstream that is not an http(s) URL, or a web folder
// without the built viewer.
func (c Config) Validate() error {
	for _, svc := range routes.Services() {
		if u, ok := c.Upstreams[svc]; ok && ((u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return config.Invalid(UpstreamVar(svc), u, "an http(s) URL such as http://127.0.0.1:8081")
		}
	}
	if st, err := os.Stat(filepath.Join(c.WebDir, "index.html")); err != nil || st.IsDir() {
		return config.Invalid("PATHOLABEL_WEB_DIR", c.WebDir, "a folder holding the built viewer's index.html (run `make web`)")
	}
	return nil
}
