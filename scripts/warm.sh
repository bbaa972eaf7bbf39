#!/usr/bin/env bash
# Builds every pinned Go tool CI needs into the cache (scripts/tool.sh), in
# the order its steps need them, then the images test-cluster runs (make
# images); it does nothing for tools already cached, and an image build
# with every layer cached takes seconds.
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
# make test-cluster: the images (podman, the locally made bases, the five
# images and the evaluation ones) in a lane of their own beside the node's
# binaries (bins.sh owns that list) and Prometheus: one lane's downloads and
# single-threaded links leave CPU the other can use. By now make test's
# packages are installed, so the two never wait on apt's lock together.
step images "$root/scripts/images.sh" &
images=$!
step "cluster binaries" "$root/scripts/cluster/bins.sh"
build prometheus
wait "$images"
printf '[warm %4ds] every tool cached\n' $((SECONDS - t0)) >&2
