package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// schema is a JSON schema (or OpenAPI definition) as decoded JSON.
type schema = map[string]any

// fileName is kubeconform's lookup name: the kind, the first label of the
// group ("networking" for networking.k8s.io), the version.
func fileName(group, version, kind string) string {
	name := strings.ToLower(kind)
	if group != "" {
		name += "-" + strings.ToLower(strings.Split(group, ".")[0])
	}
	return name + "-" + strings.ToLower(version) + ".json"
}

func apiVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

// normalize rewrites one OpenAPI node into JSON schema in place: Kubernetes
// string formats become the types YAML authors write (an int-or-string port,
// a quantity written as a number), other formats are dropped because the
// validator would not check them consistently, and in strict mode objects
// with listed properties get additionalProperties: false.
func normalize(node any, strict bool) {
	switch n := node.(type) {
	case []any:
		for _, v := range n {
			normalize(v, strict)
		}
	case schema:
		if n["format"] == "int-or-string" {
			n["type"] = []any{"string", "integer"}
		}
		delete(n, "format")
		_, hasProps := n["properties"]
		_, hasAdditional := n["additionalProperties"]
		preserve, _ := n["x-kubernetes-preserve-unknown-fields"].(bool)
		if strict && hasProps && !hasAdditional && !preserve {
			n["additionalProperties"] = false
		}
		for _, v := range n {
			normalize(v, strict)
		}
	}
}

// pinKind makes apiVersion and kind accept only this kind's values, so a
// document cannot pass under another kind's schema.
func pinKind(s schema, group, version, kind string) {
	props, _ := s["properties"].(schema)
	if props == nil {
		return
	}
	props["apiVersion"] = schema{"type": "string", "enum": []any{apiVersion(group, version)}}
	props["kind"] = schema{"type": "string", "enum": []any{kind}}
}

func writeSchema(dir, group, version, kind string, s schema) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", apiVersion(group, version), kind, err)
	}
	path := filepath.Join(dir, fileName(group, version, kind))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
