// Package routes is the route table: which service owns which URL prefix.
// It is the single definition; the local entry point (gateway) routes with
// it and `make generate` renders it for the Helm chart's Ingress.
package routes

import (
	"fmt"
	"strings"
)

// Service names, also the chart's component names.
const (
	Auth       = "auth"
	Tiler      = "tiler"
	Annotation = "annotation"
	Export     = "export"
	Web        = "web" // the viewer: every path no service owns
)

// Route maps a path prefix to the service that owns it.
type Route struct {
	Prefix  string
	Service string
}

// Table is every API prefix, in the order the Ingress lists them. Prefixes
// are disjoint so plain Prefix matching routes them; a prefix matches the
// path itself and anything below it ("/tiles" matches "/tiles/7.dzi", not
// "/tilesets").
var table = []Route{
	{"/api/v1/auth", Auth},
	{"/api/v1/users", Auth},
	{"/api/v1/projects", Auth},
	{"/api/v1/audit", Auth},
	{"/api/v1/tokens", Auth},
	{"/api/v1/slides", Tiler},
	{"/api/v1/uploads", Tiler},
	{"/tiles", Tiler},
	{"/api/v1/annotations", Annotation},
	{"/api/v1/exports", Export},
}

// Table returns a copy of the route table.
func Table() []Route { return append([]Route(nil), table...) }

// Services lists the backend services in route-table order.
func Services() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range table {
		if !seen[r.Service] {
			seen[r.Service] = true
			out = append(out, r.Service)
		}
	}
	return out
}

// Owner returns the service that serves path, Web when no prefix owns it.
func Owner(path string) string {
	for _, r := range table {
		if path == r.Prefix || strings.HasPrefix(path, r.Prefix+"/") {
			return r.Service
		}
	}
	return Web
}

// Prefixes returns the prefixes service owns.
func Prefixes(service string) []string {
	var out []string
	for _, r := range table {
		if r.Service == service {
			out = append(out, r.Prefix)
		}
	}
	return out
}

// YAML renders the table for charts/patholabel/files/routes.yaml.
func YAML() string {
	var b strings.Builder
	b.WriteString("# Generated from services/platform/routes by `make generate`; do not edit.\n")
	b.WriteString("# The route table: each API prefix and the service that owns it; every\n# other path goes to the default (the web viewer).\n")
	b.WriteString("routes:\n")
	for _, r := range table {
		fmt.Fprintf(&b, "  - prefix: %s\n    service: %s\n", r.Prefix, r.Service)
	}
	fmt.Fprintf(&b, "default: %s\n", Web)
	return b.String()
}
