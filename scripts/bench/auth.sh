#!/usr/bin/env bash
# Auth middleware benchmark (issue 3): what authentication plus a project
# rule add to a tile-like request with a warm cache (target: added p99 <
# 0.2 ms). Reports ns/op and p99-ns for a bare route and for the same
# route behind access.Middleware + Require(InProject), and added-p99-ns,
# against the MariaDB and Redis that scripts/testenv.sh provides.
#
#   scripts/bench/auth.sh                 5 s per measurement, 3 runs
#   BENCHTIME=1s COUNT=1 scripts/bench/auth.sh   a quick one
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
"$PL_ROOT/scripts/testenv.sh" bash -c "cd '$PL_ROOT/services/platform' && go test ./access -run '^$' \
  -bench Middleware -benchtime '${BENCHTIME:-5s}' -count '${COUNT:-3}'" | grep -E '^(Benchmark|ok|FAIL)'
