#!/usr/bin/env bash
# Viewer benchmark: boots the whole system in a throwaway state folder on its
# own ports and database, uploads the largest test slide with 50,000 point
# marks, and measures in headless Chromium the frame rate while panning and
# zooming (requestAnimationFrame deltas) and the JS heap (CDP metrics).
# Loopback only; each phase is bounded (BENCH_SECONDS, default 6).
#
#   scripts/bench/viewer.sh                 boot a stack, measure, stop it
#   PATHOLABEL_URL=... PATHOLABEL_ADMIN_PASSWORD=... scripts/bench/viewer.sh
#                                           measure against a running system
# Settings: BENCH_MARKS (50000), BENCH_SLIDE (testdata's NDPI, 3968×4864),
# PL_BENCH_PORT / PL_BENCH_MINIO_PORT (18280 / 19300).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

run_bench() {
  "$PL_ROOT/scripts/web.sh" deps
  cd "$PL_ROOT/web"
  node --import tsx bench/viewer.ts
}

if [ -n "${PATHOLABEL_URL:-}" ]; then
  run_bench
  exit 0
fi

export PL_STATE
PL_STATE=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-bench-viewer.XXXXXX")
export PL_PORT=${PL_BENCH_PORT:-18280}
export PL_MINIO_PORT=${PL_BENCH_MINIO_PORT:-19300}
export PL_DB="plbench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PATHOLABEL_ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

cleanup() {
  "$PL_ROOT/scripts/stack.sh" stop || true
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS \`$PL_DB\`" 2>/dev/null || true
  redis-cli -h 127.0.0.1 --scan --pattern "patholabel:$PL_DB:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$PL_STATE"
}
trap cleanup EXIT

"$PL_ROOT/scripts/stack.sh" start
export PATHOLABEL_URL="http://127.0.0.1:$PL_PORT"
run_bench
