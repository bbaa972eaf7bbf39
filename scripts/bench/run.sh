#!/usr/bin/env bash
# `make bench`: runs every benchmark script in this folder (each bounded in
# time, loopback only) and prints their figures. `make bench BENCH=tiler`
# runs one.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib.sh"
for f in "$dir"/*.sh; do
  name=$(basename "$f" .sh)
  [ "$name" = run ] && continue
  [ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
  say "benchmark: $name"
  "$f"
done
