package main

import (
	"net/url"

	"github.com/patholabel/patholabel/services/gateway"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/routes"
)

// readConfig reads PATHOLABEL_WEB_DIR and PATHOLABEL_UPSTREAM_<SERVICE>;
// Validate names the bad one.
func readConfig(r *config.Reader) gateway.Config {
	c := gateway.Config{WebDir: r.String("PATHOLABEL_WEB_DIR", "web/dist"), Upstreams: map[string]*url.URL{}}
	for _, svc := range routes.Services() {
		key := gateway.UpstreamVar(svc)
		raw := r.String(key, "")
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		r.Check(err == nil, key, raw, "an http(s) URL such as http://127.0.0.1:8081")
		if err == nil {
			c.Upstreams[svc] = u
		}
	}
	r.Validate(c)
	return c
}
