// Command kubeschema writes one standalone JSON schema per Kubernetes kind,
// named the way kubeconform looks them up
// ({kind}-{group prefix}-{version}.json, {kind}-{version}.json for the core
// group), from the swagger.json that ships in the k8s.io/kubernetes module
// and from CustomResourceDefinition manifests.
//
//	kubeschema -swagger swagger.json [-crd crd.yaml ...] -out DIR
//
// With -strict (the default) every object that lists its properties rejects
// others, which is what makes a misspelt or misplaced field an error.
package main

import (
	"flag"
	"fmt"
	"os"
)

type crdFlags []string

func (c *crdFlags) String() string     { return fmt.Sprint(*c) }
func (c *crdFlags) Set(v string) error { *c = append(*c, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kubeschema:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("kubeschema", flag.ContinueOnError)
	swagger := fs.String("swagger", "", "path of api/openapi-spec/swagger.json")
	out := fs.String("out", "", "folder to write the schemas to")
	strict := fs.Bool("strict", true, "reject properties a schema does not list")
	var crds crdFlags
	fs.Var(&crds, "crd", "CustomResourceDefinition YAML (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *swagger == "" || *out == "" {
		return fmt.Errorf("-swagger and -out are required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", *out, err)
	}
	n, err := writeBuiltin(*swagger, *out, *strict)
	if err != nil {
		return err
	}
	for _, path := range crds {
		m, err := writeCRD(path, *out, *strict)
		if err != nil {
			return err
		}
		n += m
	}
	fmt.Fprintf(os.Stderr, "kubeschema: wrote %d schemas to %s\n", n, *out)
	return nil
}
