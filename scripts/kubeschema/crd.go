package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

type crd struct {
	Kind string `json:"kind"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Schema struct {
				OpenAPIV3Schema schema `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// writeCRD writes a schema for every version a CustomResourceDefinition
// serves, from its openAPIV3Schema (already standalone: CRDs have no refs).
func writeCRD(path, dir string, strict bool) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read CRD: %w", err)
	}
	var c crd
	if err := yaml.Unmarshal(b, &c); err != nil {
		return 0, fmt.Errorf("decode CRD %s: %w", path, err)
	}
	if c.Kind != "CustomResourceDefinition" {
		return 0, fmt.Errorf("%s is a %q, not a CustomResourceDefinition", path, c.Kind)
	}
	for _, v := range c.Spec.Versions {
		s := v.Schema.OpenAPIV3Schema
		if s == nil {
			return 0, fmt.Errorf("%s version %s has no openAPIV3Schema", path, v.Name)
		}
		normalize(s, strict)
		pinKind(s, c.Spec.Group, v.Name, c.Spec.Names.Kind)
		s["$schema"] = "http://json-schema.org/draft-07/schema#"
		if err := writeSchema(dir, c.Spec.Group, v.Name, c.Spec.Names.Kind, s); err != nil {
			return 0, err
		}
	}
	return len(c.Spec.Versions), nil
}
