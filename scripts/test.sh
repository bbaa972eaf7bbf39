#!/usr/bin/env bash
# `make test`: every test of every module and of the web viewer, against
# real MariaDB, Redis, MinIO and Chromium, then the generated-code and chart
# checks. Starts what it needs and leaves nothing running.
#
#   scripts/test.sh [go|fuzz|web|e2e|generated|charts]...   (default: all, in this order)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PL_ROOT"

go_tests() {
  say "go tests (every module, real MariaDB/Redis/MinIO)"
  local dirs
  dirs=$(go_modules | tr '\n' ' ')
  # Each module alone, as its image builds it (GOWORK=off): a go.sum entry
  # missing from one module breaks only its image build, not the workspace.
  for d in $dirs; do (cd "$d" && GOWORK=off GOFLAGS=-mod=readonly go build -o /dev/null ./...) || die "module $d does not build on its own (GOWORK=off): run go mod tidy in it"; done
  # No service module imports another, no http/ imports an adapter.
  scripts/check-imports.sh
  scripts/testenv.sh bash -c "set -e; for d in $dirs; do (cd \"\$d\" && go test -timeout 20m ./...); done"
}

fuzz_tests() {
  say "fuzz targets, briefly each (make fuzz runs them longer)"
  scripts/fuzz.sh smoke
}

web_tests() {
  say "web unit tests"
  scripts/web.sh test
}

e2e_tests() {
  say "end-to-end tests in headless Chromium against the whole system"
  scripts/e2e.sh
}

generated() {
  say "generated code is current"
  scripts/generate.sh check
  scripts/proto.sh check
}

charts() {
  say "chart, manifests and skaffold checks (offline)"
  scripts/chart-check.sh
}

scripts/deps.sh test
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(go fuzz web e2e generated charts)
for s in "${steps[@]}"; do
  case "$s" in
    go) go_tests ;;
    fuzz) fuzz_tests ;;
    web) web_tests ;;
    e2e) e2e_tests ;;
    generated) generated ;;
    charts) charts ;;
    *) die "unknown test step $s" ;;
  esac
done
say "all tests passed"
