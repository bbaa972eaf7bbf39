// kubeschema turns the Kubernetes OpenAPI spec (and CRDs) into the standalone
// JSON schemas kubeconform reads, so the chart is checked offline against the
// exact API version we pin. Built with GOWORK=off: it is not a service.
module github.com/patholabel/patholabel/scripts/kubeschema

go 1.26

require sigs.k8s.io/yaml v1.6.0

require go.yaml.in/yaml/v2 v2.4.2 // indirect
