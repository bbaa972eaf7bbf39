package main

import (
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

type routeTable struct {
	Routes []struct {
		Prefix  string `json:"prefix"`
		Service string `json:"service"`
	} `json:"routes"`
	Default string `json:"default"`
}

func readRoutes(path string) (routeTable, error) {
	var t routeTable
	b, err := os.ReadFile(path)
	if err != nil {
		return t, fmt.Errorf("read route table: %w", err)
	}
	if err := yaml.UnmarshalStrict(b, &t); err != nil {
		return t, fmt.Errorf("decode route table %s: %w", path, err)
	}
	if len(t.Routes) == 0 || t.Default == "" {
		return t, fmt.Errorf("route table %s has no routes or no default", path)
	}
	return t, nil
}

// checkIngress requires, in every Ingress of the file, a Prefix path per
// route to a Service named <release>-<chart>-<service>, and "/" to the
// default. A file without an Ingress (ingress.enabled=false) passes.
func checkIngress(file string, objs []object, t routeTable) []string {
	var bad []string
	for _, o := range objs {
		if str(o, "kind") != "Ingress" {
			continue
		}
		backends := ingressPaths(o)
		for _, r := range t.Routes {
			bad = append(bad, checkRoute(file, o, backends, r.Prefix, r.Service)...)
		}
		bad = append(bad, checkRoute(file, o, backends, "/", t.Default)...)
		if len(backends) != len(t.Routes)+1 {
			bad = append(bad, fmt.Sprintf("%s %s: %d paths, the route table has %d (+ default)",
				file, name(o), len(backends), len(t.Routes)))
		}
	}
	return bad
}

type backend struct{ service, pathType string }

func ingressPaths(o object) map[string]backend {
	out := map[string]backend{}
	for _, rule := range list(o, "spec", "rules") {
		for _, p := range list(rule, "http", "paths") {
			out[str(p, "path")] = backend{str(p, "backend", "service", "name"), str(p, "pathType")}
		}
	}
	return out
}

func checkRoute(file string, o object, paths map[string]backend, prefix, service string) []string {
	b, ok := paths[prefix]
	switch {
	case !ok:
		return []string{fmt.Sprintf("%s %s: no path for %s", file, name(o), prefix)}
	case b.pathType != "Prefix":
		return []string{fmt.Sprintf("%s %s: %s has pathType %s, want Prefix", file, name(o), prefix, b.pathType)}
	case !strings.HasSuffix(b.service, "-"+service):
		return []string{fmt.Sprintf("%s %s: %s goes to %s, want the %s service", file, name(o), prefix, b.service, service)}
	}
	return nil
}
