#!/usr/bin/env bash
# Suggestions benchmark: boots the whole system in a throwaway state folder
# on its own ports and database, has a model post 100,000 point suggestions
# on the largest test slide, and measures in headless Chromium the frame
# rate while panning and zooming with the suggestions layer on
# (requestAnimationFrame deltas) and the JS heap (CDP metrics). Fails when
# a pan runs under BENCH_MIN_FPS (30). Loopback only; each phase is bounded
# (BENCH_SECONDS, default 6).
#
#   scripts/bench/suggestions.sh            boot a stack, measure, stop it
#   PATHOLABEL_URL=... PATHOLABEL_ADMIN_PASSWORD=... scripts/bench/suggestions.sh
#                                           measure against a running system
# Settings: BENCH_SUGGESTIONS (100000), BENCH_MIN_FPS (30), BENCH_SLIDE
# (testdata's NDPI, 3968×4864), PL_BENCH_PORT / PL_BENCH_MINIO_PORT (18280 / 19300).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

run_bench() {
  "$PL_ROOT/scripts/web.sh" deps
  cd "$PL_ROOT/web"
  node --import tsx bench/suggestions.ts
}

if [ -n "${PATHOLABEL_URL:-}" ]; then
  run_bench
  exit 0
fi

throwaway_stack bench "${PL_BENCH_PORT:-18280}" "${PL_BENCH_MINIO_PORT:-19300}"
run_bench
