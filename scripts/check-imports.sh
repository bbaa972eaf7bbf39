#!/usr/bin/env bash
# The service boundaries `go list -deps` can prove (issue 18), tests
# included:
#   - no service module depends on another service module: shared code
#     lives in services/platform, which depends on no service;
#   - no handler package (a service's http/) depends on its service's
#     adapters (mysql/, minio/, redis/, cache/, worker/, vips/, …): http/
#     sees the use cases only as the interfaces at the service root.
# It prints every package that crosses a line and fails; `make test` runs
# it first (scripts/test.sh go).
#
#   scripts/check-imports.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PL_ROOT"

base=github.com/patholabel/patholabel/services
found=0
for mod in services/*/go.mod; do
  dir=$(dirname "$mod")
  svc=$(basename "$dir")
  # One line a package: its path, then every package it depends on.
  # Test variants ("path [path.test]", path_test, path.test) count as path.
  crossings=$(cd "$dir" && go list -test -f '{{.ImportPath}}|{{join .Deps ","}}' ./... | awk -F'|' -v base="$base" -v svc="$svc" '
    function bare(p) { sub(/ \[.*$/, "", p); sub(/(_test|\.test)$/, "", p); return p }
    {
      pkg = bare($1); own = base "/" svc
      rel = substr(pkg, length(own) + 1)
      handler = (rel ~ /^\/http(\/|$)/)
      n = split($2, deps, ",")
      for (i = 1; i <= n; i++) {
        d = bare(deps[i])
        if (index(d, base "/") != 1) continue
        other = substr(d, length(base) + 2); sub(/\/.*$/, "", other)
        if (other != svc && (other != "platform" || svc == "platform")) {
          print pkg " depends on " d ", of the " other " service module"
        } else if (handler && other == svc) {
          r = substr(d, length(own) + 1)
          if (r != "" && r !~ /^\/http(\/|$)/) print pkg " (a handler package) depends on the adapter " d
        }
      }
    }' | sort -u)
  if [ -n "$crossings" ]; then
    printf '%s\n' "$crossings" >&2
    found=1
  fi
done
[ "$found" = 0 ] || die "the service boundaries are crossed (above): shared code belongs in services/platform, and http/ depends on the interfaces at the service root"
say "service boundaries hold: no service module imports another, no http/ imports an adapter"
