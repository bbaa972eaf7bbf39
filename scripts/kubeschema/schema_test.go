package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestFileName(t *testing.T) {
	tests := []struct{ group, version, kind, want string }{
		{"", "v1", "Service", "service-v1.json"},
		{"apps", "v1", "Deployment", "deployment-apps-v1.json"},
		{"networking.k8s.io", "v1", "NetworkPolicy", "networkpolicy-networking-v1.json"},
		{"monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitor-monitoring-v1.json"},
	}
	for _, tt := range tests {
		if got := fileName(tt.group, tt.version, tt.kind); got != tt.want {
			t.Errorf("fileName(%q, %q, %q) = %q, want %q", tt.group, tt.version, tt.kind, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	s := schema{
		"properties": schema{
			"port":   schema{"type": "string", "format": "int-or-string"},
			"labels": schema{"type": "object", "additionalProperties": schema{"type": "string"}},
			"raw":    schema{"type": "object", "properties": schema{}, "x-kubernetes-preserve-unknown-fields": true},
		},
	}
	normalize(s, true)
	if s["additionalProperties"] != false {
		t.Errorf("object with properties: additionalProperties = %v, want false", s["additionalProperties"])
	}
	props := s["properties"].(schema)
	if got, _ := json.Marshal(props["port"]); string(got) != `{"type":["string","integer"]}` {
		t.Errorf("int-or-string became %s", got)
	}
	if _, ok := props["labels"].(schema)["additionalProperties"].(schema); !ok {
		t.Errorf("a map's additionalProperties schema was replaced")
	}
	if _, ok := props["raw"].(schema)["additionalProperties"]; ok {
		t.Errorf("preserve-unknown-fields object was made strict")
	}
}

// A recursive definition must end up once in "definitions", referenced.
func TestStandaloneRecursive(t *testing.T) {
	defs := map[string]schema{
		"a.Kind":   {"type": "object", "properties": schema{"spec": schema{"$ref": "#/definitions/a.Node"}}},
		"a.Node":   {"type": "object", "properties": schema{"child": schema{"$ref": "#/definitions/a.Node"}}},
		"a.Unused": {"type": "object"},
	}
	s := standalone(defs, "a.Kind")
	got := s["definitions"].(map[string]any)
	if len(got) != 2 || got["a.Node"] == nil || got["a.Kind"] == nil {
		t.Fatalf("definitions = %v, want a.Kind and a.Node", got)
	}
}

func TestWriteBuiltin(t *testing.T) {
	spec := `{"definitions": {
	  "io.k8s.api.apps.v1.Deployment": {"type": "object",
	    "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
	    "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}},
	  "io.k8s.apimachinery.pkg.apis.meta.v1.Status": {"type": "object"}}}`
	dir := t.TempDir()
	path := filepath.Join(dir, "swagger.json")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := writeBuiltin(path, dir, true)
	if err != nil || n != 1 {
		t.Fatalf("writeBuiltin = %d, %v; want 1 schema", n, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "deployment-apps-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	kind := s["properties"].(schema)["kind"].(schema)
	if got, _ := json.Marshal(kind["enum"]); string(got) != `["Deployment"]` {
		t.Errorf("kind enum = %s, want [\"Deployment\"]", got)
	}
}
