#!/usr/bin/env bash
# Builds every pinned Go tool CI needs into the cache (scripts/tool.sh), in
# the order its steps need them, and does nothing for tools already cached.
#
#   nice -n 19 scripts/warm.sh     (what .ci/run does, in the background)
#
# Why: on a machine with an empty cache, CI spent about 55 minutes compiling
# Kubernetes, Helm, skaffold, Traefik... one after another, while `make
# test`'s Go and browser tests, which mostly wait on MariaDB, MinIO and
# Chromium, left a core idle. At nice 19 these builds take only that idle
# time; a tool still building when a step needs it is built there as before.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
t0=$SECONDS
build() {
  local s=$SECONDS
  "$root/scripts/tool.sh" "$@" >/dev/null
  printf '[warm %4ds] %s ready (%ds)\n' $((SECONDS - t0)) "$*" $((SECONDS - s)) >&2
}
# make test: e2e signs in through Dex; generated code; the chart checks.
build dex
build buf; build protoc-gen-go; build protoc-gen-go-grpc
build kubernetes kube-apiserver; build kubernetes kubectl
build helm; build helm3; build kubeconform; build kube-score; build controller-gen; build skaffold
# make test-cluster: the node (scripts/cluster/bins.sh) and Prometheus.
for b in kube-controller-manager kube-scheduler kubelet kube-proxy; do build kubernetes "$b"; done
build crictl; build coredns; build kube-router; build traefik; build prometheus
printf '[warm %4ds] every tool cached\n' $((SECONDS - t0)) >&2
