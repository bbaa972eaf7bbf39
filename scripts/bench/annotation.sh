#!/usr/bin/env bash
# Annotation service benchmarks (issue 5): one slide with 1,000,000 points
# and 20,000 polygons; viewport of up to 10,000 marks (target p95 < 50 ms),
# whole-slide level of detail (< 100 ms), creating 10,000 points in one
# request (< 1 s), bytes per point mark with indexes (< 300, from
# information_schema after ANALYZE TABLE). Everything goes through the real
# HTTP service against a MariaDB of its own (so the shared one's settings
# and load do not skew it), started here and stopped on exit.
#
# Then issue 20's ten million marks on one slide (BenchmarkTenMillion): the
# marks are bulk-loaded by a fixture loader (multi-row INSERTs in key order,
# not the API), then the same three latencies are measured through the
# service (viewport p95 < 50 ms, whole-slide LOD < 100 ms, a 10,000-point
# batch into that slide < 1 s). MARKS=1000000 shrinks it; ONLY=slide|10m
# runs one of the two.
#
#   scripts/bench/annotation.sh                      the full run (~5 minutes)
#   POINTS=50000 BENCHTIME=20x scripts/bench/annotation.sh   a quick one
#   BUFFER_POOL=128M ...                             MariaDB's default cache
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

port=${PATHOLABEL_BENCH_MYSQL_PORT:-13316}
port_open 127.0.0.1 "$port" && die "port $port is taken; set PATHOLABEL_BENCH_MYSQL_PORT"
state=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-bench-annotation.XXXXXX")
cleanup() {
  stop_pid "$state" mariadb
  stop_pid "$state" redis
  rm -rf "$state"
}
trap cleanup EXIT

data="$state/mariadb"
mkdir -p "$data"
mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$data" --auth-root-authentication-method=normal >/dev/null
say "starting a benchmark MariaDB on 127.0.0.1:$port (buffer pool ${BUFFER_POOL:-1G})"
start_bg mariadb "$state" mariadbd --no-defaults --user="$(id -un)" --datadir="$data" --bind-address=127.0.0.1 --port="$port" \
  --socket="$data/mysqld.sock" --pid-file="$data/mysqld.pid" --innodb-buffer-pool-size="${BUFFER_POOL:-1G}" \
  --innodb-log-file-size=512M --max-allowed-packet=64M --skip-name-resolve
wait_port 127.0.0.1 "$port" 60 MariaDB
ensure_redis "$state"

cd "$PL_ROOT/services/annotation"
if [ "${ONLY:-}" != 10m ]; then
say "benchmark: ${POINTS:-1000000} points + $(( ${POINTS:-1000000} / 50 )) polygons on one slide"
PATHOLABEL_TEST_MYSQL_ADDR=127.0.0.1:$port PATHOLABEL_BENCH_POINTS=${POINTS:-1000000} GIN_MODE=release \
  go test -run '^$' -bench 'BenchmarkSlide' -benchtime "${BENCHTIME:-100x}" -timeout 60m -v ./cmd/annotation/ |
  grep -E '^(Benchmark|    bench_test|ok|FAIL|PASS)'
fi
[ "${ONLY:-}" = slide ] && exit 0
say "benchmark: ${MARKS:-10000000} marks on one slide (bulk-loaded fixture)"
PATHOLABEL_TEST_MYSQL_ADDR=127.0.0.1:$port PATHOLABEL_BENCH_MARKS=${MARKS:-10000000} GIN_MODE=release \
  go test -run '^$' -bench 'BenchmarkTenMillion' -benchtime "${BENCHTIME:-100x}" -timeout 60m -v ./cmd/annotation/ |
  grep -E '^(Benchmark|    bench|ok|FAIL|PASS)'
