#!/usr/bin/env bash
# Files generated from Go sources (not protos, see proto.sh).
#
#   scripts/generate.sh          rewrite them
#   scripts/generate.sh check    fail when a committed copy is stale
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PL_ROOT"

routes=charts/patholabel/files/routes.yaml
want=$(go run github.com/patholabel/patholabel/services/platform/cmd/routes-yaml)
if [ "${1:-}" = check ]; then
  [ "$want" = "$(cat "$routes")" ] || die "$routes is stale: run \`make generate\`"
  say "$routes is current"
else
  mkdir -p "$(dirname "$routes")"
  printf '%s\n' "$want" >"$routes"
fi
