package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

const refPrefix = "#/definitions/"

type gvk struct{ Group, Version, Kind string }

// writeBuiltin writes a schema for every definition of the spec that is a
// kind (carries exactly one x-kubernetes-group-version-kind). Each file holds
// the definitions it reaches, so it stands alone and recursive types stay
// references instead of being expanded forever.
func writeBuiltin(path, dir string, strict bool) (int, error) {
	defs, err := readDefinitions(path)
	if err != nil {
		return 0, err
	}
	n := 0
	for name, def := range defs {
		kinds := kindsOf(def)
		if len(kinds) != 1 {
			continue // not a kind, or a shared options type such as DeleteOptions
		}
		k := kinds[0]
		s := standalone(defs, name)
		normalize(s, strict)
		pinKind(s, k.Group, k.Version, k.Kind)
		if err := writeSchema(dir, k.Group, k.Version, k.Kind, s); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func readDefinitions(path string) (map[string]schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var spec struct {
		Definitions map[string]schema `json:"definitions"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("decode spec %s: %w", path, err)
	}
	if len(spec.Definitions) == 0 {
		return nil, fmt.Errorf("spec %s has no definitions", path)
	}
	return spec.Definitions, nil
}

func kindsOf(def schema) []gvk {
	raw, _ := def["x-kubernetes-group-version-kind"].([]any)
	var out []gvk
	for _, r := range raw {
		m, _ := r.(schema)
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		out = append(out, gvk{g, v, k})
	}
	return out
}

// standalone copies the root definition and every definition it reaches
// into one schema whose $refs point at its own "definitions".
func standalone(defs map[string]schema, root string) schema {
	reached := map[string]any{}
	var visit func(name string)
	visit = func(name string) {
		if _, ok := reached[name]; ok {
			return
		}
		c := deepCopy(defs[name])
		reached[name] = c
		for _, ref := range refsIn(c) {
			visit(ref)
		}
	}
	visit(root)
	s := deepCopy(defs[root]).(schema)
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["definitions"] = reached
	return s
}

func refsIn(node any) []string {
	var out []string
	switch n := node.(type) {
	case []any:
		for _, v := range n {
			out = append(out, refsIn(v)...)
		}
	case schema:
		if ref, ok := n["$ref"].(string); ok && strings.HasPrefix(ref, refPrefix) {
			out = append(out, strings.TrimPrefix(ref, refPrefix))
		}
		for _, v := range n {
			out = append(out, refsIn(v)...)
		}
	}
	return out
}

func deepCopy(node any) any {
	switch n := node.(type) {
	case []any:
		c := make([]any, len(n))
		for i, v := range n {
			c[i] = deepCopy(v)
		}
		return c
	case schema:
		c := make(schema, len(n))
		for k, v := range n {
			c[k] = deepCopy(v)
		}
		return c
	}
	return node
}
