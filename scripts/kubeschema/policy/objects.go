package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"

	"sigs.k8s.io/yaml"
)

type object = map[string]any

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// readObjects splits a multi-document manifest and decodes each document.
func readObjects(path string) ([]object, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	var out []object
	for i, doc := range docSep.Split(string(b), -1) {
		if len(bytes.TrimSpace([]byte(doc))) == 0 {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("%s document %d: %w", path, i, err)
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// get walks nested maps; a missing step yields nil.
func get(o any, path ...string) any {
	for _, p := range path {
		m, ok := o.(map[string]any)
		if !ok {
			return nil
		}
		o = m[p]
	}
	return o
}

func str(o any, path ...string) string {
	s, _ := get(o, path...).(string)
	return s
}

func list(o any, path ...string) []any {
	l, _ := get(o, path...).([]any)
	return l
}

func name(o object) string {
	return fmt.Sprintf("%s/%s", str(o, "kind"), str(o, "metadata", "name"))
}
