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
step() {
  local what=$1 s=$SECONDS
  shift
  "$@" >/dev/null
  printf '[warm %4ds] %s ready (%ds)\n' $((SECONDS - t0)) "$what" $((SECONDS - s)) >&2
}
build() { step "$*" "$root/scripts/tool.sh" "$@"; }
# make test: e2e signs in through Dex; generated code; the chart checks
# (whose tool list chart-check.sh owns).
build dex
build buf; build protoc-gen-go; build protoc-gen-go-grpc
step "chart tools" "$root/scripts/chart-check.sh" tools
# make test-cluster: the node (bins.sh owns that list) and Prometheus.
step "cluster binaries" "$root/scripts/cluster/bins.sh"
build prometheus
printf '[warm %4ds] every tool cached\n' $((SECONDS - t0)) >&2
