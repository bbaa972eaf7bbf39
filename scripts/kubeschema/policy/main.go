// Command policy checks rendered manifests against the chart's own rules,
// the ones kube-score does not know or only half enforces:
//
//   - every container has CPU and memory requests and limits and runs
//     non-root, without privilege escalation, with a read-only root
//     filesystem, no capabilities and the RuntimeDefault seccomp profile;
//
//   - every long-running container (Deployment, StatefulSet) has liveness
//     and readiness probes;
//
//   - no pod or ServiceAccount mounts an API token;
//
//   - no credential-looking environment variable carries a literal value;
//
//   - the Ingress routes every prefix of the route table to the service
//     that owns it and everything else to the default.
//
//     policy -routes charts/patholabel/files/routes.yaml rendered.yaml ...
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	routes := flag.String("routes", "", "the chart's files/routes.yaml")
	flag.Parse()
	if *routes == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: policy -routes routes.yaml manifest.yaml ...")
		os.Exit(2)
	}
	bad, err := run(*routes, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "policy:", err)
		os.Exit(2)
	}
	for _, b := range bad {
		fmt.Println(b)
	}
	if len(bad) > 0 {
		fmt.Fprintf(os.Stderr, "policy: %d violation(s)\n", len(bad))
		os.Exit(1)
	}
}

func run(routesPath string, files []string) ([]string, error) {
	table, err := readRoutes(routesPath)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			bad = append(bad, checkObject(o)...)
		}
		bad = append(bad, checkIngress(f, objs, table)...)
	}
	return bad, nil
}
