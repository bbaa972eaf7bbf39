package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const routes = `routes:
  - prefix: /api/v1/auth
    service: auth
  - prefix: /tiles
    service: tiler
default: web
`

const goodDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: x-auth}
spec:
  template:
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: auth
          env:
            - name: PATHOLABEL_MYSQL_PASSWORD
              valueFrom: {secretKeyRef: {name: s, key: k}}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          readinessProbe: {httpGet: {path: /readyz, port: http}}
          resources:
            requests: {cpu: 10m, memory: 10Mi}
            limits: {cpu: 100m, memory: 100Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
`

const goodIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: x-ingress}
spec:
  rules:
    - http:
        paths:
          - {path: /api/v1/auth, pathType: Prefix, backend: {service: {name: x-auth, port: {name: http}}}}
          - {path: /tiles, pathType: Prefix, backend: {service: {name: x-tiler, port: {name: http}}}}
          - {path: /, pathType: Prefix, backend: {service: {name: x-web, port: {name: http}}}}
`

func check(t *testing.T, manifests string) []string {
	t.Helper()
	dir := t.TempDir()
	r := filepath.Join(dir, "routes.yaml")
	m := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(r, []byte(routes), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m, []byte(manifests), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, err := run(r, []string{m})
	if err != nil {
		t.Fatal(err)
	}
	return bad
}

func TestGoodManifestsPass(t *testing.T) {
	if bad := check(t, goodDeployment+"---\n"+goodIngress); len(bad) > 0 {
		t.Fatalf("violations in good manifests: %v", bad)
	}
}

func TestViolations(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{"no readiness probe", "          readinessProbe: {httpGet: {path: /readyz, port: http}}\n", "", "no readinessProbe"},
		{"no memory limit", "limits: {cpu: 100m, memory: 100Mi}", "limits: {cpu: 100m}", "no memory limits"},
		{"writable root", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem"},
		{"capabilities kept", "drop: [ALL]", "drop: [NET_RAW]", "drop ALL"},
		{"token mounted", "automountServiceAccountToken: false", "automountServiceAccountToken: true", "automountServiceAccountToken"},
		{"literal password", "valueFrom: {secretKeyRef: {name: s, key: k}}", "value: hunter2", "literal value"},
		{"no seccomp", "seccompProfile: {type: RuntimeDefault}", "seccompProfile: {type: Unconfined}", "seccompProfile"},
		{"route missing", "          - {path: /tiles, pathType: Prefix, backend: {service: {name: x-tiler, port: {name: http}}}}\n", "", "no path for /tiles"},
		{"route to wrong service", "name: x-tiler", "name: x-web", "want the tiler service"},
		{"exact path", "path: /tiles, pathType: Prefix", "path: /tiles, pathType: Exact", "want Prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := goodDeployment + "---\n" + goodIngress
			if !strings.Contains(all, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			bad := check(t, strings.Replace(all, tt.from, tt.to, 1))
			if !strings.Contains(strings.Join(bad, "\n"), tt.want) {
				t.Fatalf("violations %v, want one containing %q", bad, tt.want)
			}
		})
	}
}

// An init container (the in-chart database's migration) needs no probes,
// which Kubernetes refuses on init containers, but every other rule holds.
func TestInitContainers(t *testing.T) {
	initc := strings.Replace(goodDeployment, "      containers:\n", `      initContainers:
        - name: migrate
          resources:
            requests: {cpu: 10m, memory: 10Mi}
            limits: {cpu: 100m, memory: 100Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: WRITABLE
            capabilities: {drop: [ALL]}
      containers:
`, 1)
	if bad := check(t, strings.Replace(initc, "WRITABLE", "true", 1)); len(bad) > 0 {
		t.Fatalf("an init container without probes: violations %v, want none", bad)
	}
	bad := check(t, strings.Replace(initc, "WRITABLE", "false", 1))
	if want := "init container migrate: readOnlyRootFilesystem"; !strings.Contains(strings.Join(bad, "\n"), want) {
		t.Fatalf("violations %v, want one containing %q", bad, want)
	}
}
