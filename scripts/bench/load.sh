#!/usr/bin/env bash
# Fifty pathologists at once (issue 20): a throwaway stack (the gateway, the
# four services, the ingest worker, MinIO, and a MariaDB of its own so its
# CPU and queries are this run's alone) with one slide, then
# scripts/bench/loadgen at rising numbers of simulated pathologists, each
# for DURATION: tiles while panning and zooming, the marks in view, a mark
# saved every ~3 s, progress counts and history every ~15 s. Limits: tile
# p99 < 50 ms, save p99 < 200 ms, zero errors, every saved mark on the slide
# afterwards. An error or a lost mark fails the script; every step runs
# (each prints one summary line: the limits' figures and the stack's CPU,
# memory and MySQL queries per pathologist) and the largest step within the
# limits is printed. Each step adds its own users and marks to the same
# slide; tiles fetched by an earlier step may be cached for a later one.
#
#   scripts/bench/load.sh                          steps 10 25 50 75 100, 60 s each
#   STEPS="50" DURATION=30s scripts/bench/load.sh  one step
#   LOAD_OUT=dir ...                              keep each step's full JSON report there
#   SLIDE=path.svs ...                             the slide (default: the 40,000²
#                                                  bench slide when cached, else the demo)
# Ports: PL_BENCH_PORT (+1..+5) / PL_BENCH_MINIO_PORT (18290 / 19310) and
# PATHOLABEL_BENCH_MYSQL_PORT for the database (13318).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mysql_port=${PATHOLABEL_BENCH_MYSQL_PORT:-13318}
port_open 127.0.0.1 "$mysql_port" && die "port $mysql_port is taken; set PATHOLABEL_BENCH_MYSQL_PORT"
export PL_MYSQL_ADDR=127.0.0.1:$mysql_port PL_MYSQL_USER=root PL_MYSQL_PASSWORD=
throwaway_stack load "${PL_BENCH_PORT:-18290}" "${PL_BENCH_MINIO_PORT:-19310}"
"$PL_ROOT/scripts/seed-demo.sh"

base=$PATHOLABEL_URL
jar="$PL_STATE/jar"
login=$(printf '{"username":"admin","password":"%s"}' "$PATHOLABEL_ADMIN_PASSWORD")
me=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' -d "$login" "$base/api/v1/auth/login")
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$me")
project=$(sed -n 's/.*"project_id":\([0-9]*\),"project_name":"GBM H\\u0026E".*/\1/p' <<<"$me")
[ -n "$project" ] || die "demo project not found in /me: $me"

slide_file=${SLIDE:-}
[ -z "$slide_file" ] && [ -f "$PL_CACHE/bench/aperio-39960x38571.svs" ] && slide_file=$PL_CACHE/bench/aperio-39960x38571.svs
name=CMU-1-Small-Region
if [ -n "$slide_file" ]; then
  name=load-$(basename "$slide_file" | sed 's/\.[^.]*$//')
  say "uploading $slide_file"
  curl -fsS -b "$jar" -H "X-CSRF-Token: $csrf" -F "project_id=$project" -F "name=$name" -F "file=@$slide_file" \
    "$base/api/v1/slides" >/dev/null
fi
say "waiting for slide $name to be ready (up to 15 minutes)"
slide=""
for ((i = 0; i < 900; i++)); do
  slide=$(curl -fsS -b "$jar" "$base/api/v1/slides?project_id=$project&limit=200" | tr '{' '\n' |
    grep "\"name\":\"$name\"" | grep '"status":"ready"' | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -n1 || true)
  [ -n "$slide" ] && break
  sleep 1
done
[ -n "$slide" ] || die "slide $name is not ready after 15 minutes"
say "slide $name is $slide"

(cd "$PL_ROOT/scripts/bench/loadgen" && go build -o "$PL_STATE/bin/loadgen" .)
pids=""
for f in "$PL_STATE"/pids/*.pid; do pids+="${pids:+,}$(basename "$f" .pid)=$(cat "$f")"; done
questions="mariadb -h127.0.0.1 -P$mysql_port -uroot -N -e \"SHOW GLOBAL STATUS LIKE 'Questions'\" | cut -f2"
best=0
for n in ${STEPS:-10 25 50 75 100}; do
  say "load: $n pathologists for ${DURATION:-60s} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  rc=0
  "$PL_STATE/bin/loadgen" -url "$base" -project "$project" -slide "$slide" -n "$n" -duration "${DURATION:-60s}" \
    -pids "$pids" -counter-cmd "$questions" >"$PL_STATE/load-$n.json" 2>"$PL_STATE/load-$n.err" || rc=$?
  if [ -n "${VERBOSE:-}" ] || [ "$rc" -eq 1 ]; then cat "$PL_STATE/load-$n.json"; fi
  if [ -n "${LOAD_OUT:-}" ]; then mkdir -p "$LOAD_OUT" && cp "$PL_STATE/load-$n.json" "$LOAD_OUT/"; fi
  cat "$PL_STATE/load-$n.err"
  [ "$rc" -eq 1 ] && die "load: errors or lost marks with $n pathologists (above)"
  if [ "$rc" -eq 0 ]; then best=$n; fi
done
say "load: the largest step within the limits: $best pathologists (steps: ${STEPS:-10 25 50 75 100})"
