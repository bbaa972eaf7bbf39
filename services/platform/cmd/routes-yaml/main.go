// Command routes-yaml prints the route table for the Helm chart
// (charts/patholabel/files/routes.yaml); `make generate` runs it.
package main

import (
	"fmt"

	"github.com/patholabel/patholabel/services/platform/routes"
)

func main() { fmt.Print(routes.YAML()) }
