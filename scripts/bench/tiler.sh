#!/usr/bin/env bash
# Tiler benchmarks (issues 4 and 20), on 127.0.0.1 only and bounded in time:
#  1. ingest to ready (HTTP upload to MinIO included) against `vips dzsave`
#     of the same file to a local folder, with the tiler's peak memory, and
#     the time from the upload's end to the first tile at the deepest and
#     the shallowest level (served from the source while the pyramid is
#     built);
#  2. warm tiles at 64 connections against nginx serving the same tiles
#     (vips' own dzsave output) from disk, in the same run;
#  3. cold tiles: no memory cache, nothing in Redis, every tile from MinIO,
#     against IIPImage (Debian's iipimage-server behind nginx, its memory
#     cache off) serving the replicate's pyramidal TIFF itself.
# Slides: the real SVS and NDPI from ../shared/testdata and a ~40,000² px
# replicate of the SVS made with `vips replicate` (cached between runs).
#
#   scripts/bench/tiler.sh            # all of it, about four minutes
#   BENCH_SECONDS=5 scripts/bench/tiler.sh
#   BENCH_PROFILE=/tmp/prof scripts/bench/tiler.sh   # also a CPU profile of the warm run
#   BENCH_WRK_THREADS=2 (default 1), BENCH_TILER_ENV="GOGC=200" (the tiler's
#   environment), BENCH_SERVER_CPUS= BENCH_CLIENT_CPUS= (no pinning): variants
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

apt_install nginx wrk libvips-tools time curl iipimage-server spawn-fcgi
testdata=${PATHOLABEL_TESTDATA:-$PL_ROOT/../shared/testdata}
seconds=${BENCH_SECONDS:-10}
# Ports below the ephemeral range (32768-60999): a listener on one above
# it failed to bind once, an outgoing connection (the tiler's to MinIO)
# holding that port.
minio_port=${BENCH_MINIO_PORT:-19430}
tiler_port=${BENCH_TILER_PORT:-19432}
nginx_port=${BENCH_NGINX_PORT:-19433}
iip_port=${BENCH_IIP_PORT:-19434}  # nginx in front of IIPImage
fcgi_port=${BENCH_FCGI_PORT:-19435} # IIPImage's FastCGI processes
state=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-bench.XXXXXX")
chmod 755 "$state" # nginx's workers run as www-data
db=plbench_$$
# The warm run pins the server (tiler or nginx alike) to one core and wrk
# to another: BENCH_SERVER_CPUS / BENCH_CLIENT_CPUS (taskset lists), 0 and
# 1 by default. Unpinned on two cores, the server's threads and wrk's
# took each other's core by turns, and the same nginx measured 45,000 to
# 60,000 req/s from one run to the next; pinned, each side has a core of
# its own and the figures repeat. Empty values (BENCH_SERVER_CPUS=) leave
# everything unpinned. The ingest and cold runs are never pinned: they
# measure the tiler with MinIO beside it, which needs the other core.
if [ "$(nproc)" -ge 2 ]; then
  : "${BENCH_SERVER_CPUS=0}" "${BENCH_CLIENT_CPUS=1}"
fi
server_cpus=${BENCH_SERVER_CPUS:+taskset -c $BENCH_SERVER_CPUS}
client_cpus=${BENCH_CLIENT_CPUS:+taskset -c $BENCH_CLIENT_CPUS}

cleanup() {
  local rc=$?
  [ $rc -eq 0 ] || tail -n 20 "$state"/logs/*.log >&2 || true
  stop_pid "$state" tiler
  [ -f "$state/nginx.pid" ] && kill "$(cat "$state/nginx.pid")" 2>/dev/null || true
  [ -f "$state/nginx-iip.pid" ] && kill "$(cat "$state/nginx-iip.pid")" 2>/dev/null || true
  [ -f "$state/iip.pids" ] && kill $(cat "$state/iip.pids") 2>/dev/null || true
  stop_pid "$state" minio
  mysql_cli -e "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT

ensure_mariadb "$state"
ensure_redis "$state"
start_minio "$state" "$minio_port" patholabel patholabel-bench-secret

say "building the tiler"
(cd "$PL_ROOT/services/tiler" && go build -o "$state/tiler" ./cmd/tiler)

export PATHOLABEL_DEV_MODE=true # root without a password, no Redis password, a throwaway cache key
export PATHOLABEL_MYSQL_ADDR=$PL_MYSQL_ADDR PATHOLABEL_MYSQL_USER=$PL_MYSQL_USER PATHOLABEL_MYSQL_PASSWORD=$PL_MYSQL_PASSWORD PATHOLABEL_MYSQL_DATABASE=$db
export PATHOLABEL_REDIS_ADDR=127.0.0.1:6379 PATHOLABEL_REDIS_PREFIX="plbench$$:"
export PATHOLABEL_S3_ENDPOINT=127.0.0.1:$minio_port PATHOLABEL_S3_ACCESS_KEY=patholabel PATHOLABEL_S3_SECRET_KEY=patholabel-bench-secret
export PATHOLABEL_LISTEN=127.0.0.1:$tiler_port PATHOLABEL_LOG_LEVEL=warn GIN_MODE=release
export PATHOLABEL_TILER_TEMP_DIR=$state/tmp PATHOLABEL_TILER_VIPS_THREADS=$(nproc)
mkdir -p "$state/tmp"
"$state/tiler" migrate --create-database 2>/dev/null

secret=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')
csrf=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
mysql_cli "$db" <<SQL
INSERT INTO projects (id, name, description, created_at, updated_at) VALUES (1, 'bench', '', NOW(6), NOW(6));
INSERT INTO users (id, username, system_role, created_at, updated_at) VALUES (1, 'bench', 'user', NOW(6), NOW(6));
INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (1, 1, 'manager', NOW(6));
INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at)
  VALUES ('$(printf %s "$secret" | sha256sum | cut -c1-64)', 1, '$csrf', NOW(6), NOW(6) + INTERVAL 1 DAY);
SQL
cookie="Cookie: patholabel_session=$secret"

# start_tiler [VAR=value…]: (re)start the tiler (env execs it, so the pid
# file names the tiler itself).
start_tiler() {
  stop_pid "$state" tiler
  start_bg tiler "$state" ${pin:-} env ${BENCH_TILER_ENV:-} "$@" "$state/tiler"
  wait_port 127.0.0.1 "$tiler_port" 30 tiler
}

# peak_mib: the running tiler's peak resident memory so far.
peak_mib() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$(cat "$state/pids/tiler.pid")/status"; }

big="$PL_CACHE/bench/replicate-40k.tif"
if [ ! -f "$big" ]; then
  say "making a 39,960 × 41,538 px slide from CMU-1-Small-Region.svs (once)"
  mkdir -p "$(dirname "$big")"
  vips extract_band "$testdata/slides/CMU-1-Small-Region.svs" "$state/rgb.v" 0 --n 3
  vips replicate "$state/rgb.v" "$big[tile,pyramid,compression=jpeg,Q=85,tile-width=256,tile-height=256]" 18 14
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

# first_tile URL T1 OUT: asks for URL until it answers 200 (every 10 ms, at
# most 60 s) and writes the seconds since T1 and the slide's status then.
first_tile() {
  local code j
  for ((j = 0; j < 6000; j++)); do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "$cookie" "$1" || true)
    [ "$code" = 200 ] && break
    sleep 0.01
  done
  local t=$(now) st
  st=$(curl -sS -H "$cookie" "http://127.0.0.1:$tiler_port/api/v1/slides/$4" | sed -E 's/.*"status":"([a-z]+)".*/\1/')
  [ "$code" = 200 ] && echo "$(elapsed "$2" "$t") $st" >"$3" || echo "never $st" >"$3"
}

# ingest FILE: upload, wait until ready, print seconds (total and upload),
# and, from the upload's end, to the first tile of the deepest level (the
# middle one) and of the shallowest (1×1 px) with the slide's status then.
ingest() {
  local t0 t1 id status w h top
  w=$(vipsheader -f width "$1") h=$(vipsheader -f height "$1")
  top=$(awk -v m=$((w > h ? w : h)) 'BEGIN {n = 1; while (m > 1) {m = int((m + 1) / 2); n++}; print n - 1}')
  t0=$(now)
  id=$(curl -sS -H "$cookie" -H "X-CSRF-Token: $csrf" -F project_id=1 -F "file=@$1" \
    "http://127.0.0.1:$tiler_port/api/v1/slides" | tee "$state/upload.json" | sed -E 's/.*"id":([0-9]+).*/\1/')
  t1=$(now)
  first_tile "http://127.0.0.1:$tiler_port/tiles/${id}_files/$top/$((w / 2 / 254))_$((h / 2 / 254)).jpeg" "$t1" "$state/first-deep" "$id" &
  first_tile "http://127.0.0.1:$tiler_port/tiles/${id}_files/0/0_0.jpeg" "$t1" "$state/first-shallow" "$id" &
  wait
  for ((i = 0; i < 12000; i++)); do
    status=$(curl -sS -H "$cookie" "http://127.0.0.1:$tiler_port/api/v1/slides/$id" | sed -E 's/.*"status":"([a-z]+)".*/\1/' || true)
    [ "$status" = ready ] || [ "$status" = failed ] && break
    sleep 0.05
  done
  [ "$status" = ready ] || die "slide $id ended ${status:-unknown}: $(cat "$state/upload.json")"
  echo "$id $(elapsed "$t0" "$(now)") $(elapsed "$t0" "$t1") $(cat "$state/first-deep") $(cat "$state/first-shallow")"
}

start_tiler
printf '\n## 1. ingest to ready vs vips dzsave to a local folder (tile 254, overlap 1, JPEG Q80)\n\n'
printf '%-28s %12s %14s %12s %8s   %s\n' slide "vips dzsave" "tiler ready" "(upload)" ratio "first tile after the upload: deepest, shallowest level (slide status then)"
for f in "$testdata/slides/CMU-1-Small-Region.svs" "$testdata/slides/test3-DAPI-2-387.ndpi" "$big"; do
  name=$(basename "$f")
  /usr/bin/time -f "%e %M" -o "$state/vips.time" vips dzsave "$f" "$state/dz-${name%%.*}" \
    --tile-size 254 --overlap 1 --suffix '.jpeg[Q=80,strip]'
  read -r vsec vmem <"$state/vips.time"
  read -r id tsec usec deep deepst shallow shallowst < <(ingest "$f")
  printf '%-28s %10.2f s %12.2f s %10.2f s %7.2fx   %s s, %s s (%s, %s)  (vips peak %d MiB)\n' "$name" "$vsec" "$tsec" "$usec" "$(awk -v a="$tsec" -v b="$vsec" 'BEGIN {print a / b}')" \
    "$deep" "$shallow" "$deepst" "$shallowst" $((vmem / 1024))
  last_id=$id
done
printf 'tiler peak memory (VmHWM) over the three ingests: %s MiB\n' "$(peak_mib)"

# The same tiles for both servers: the replicate's full-resolution level.
top=$(ls "$state/dz-replicate-40k_files" | sort -n | tail -1)
(cd "$state/dz-replicate-40k_files/$top" && ls) | shuf -n 20000 --random-source=<(yes) >"$state/tiles.txt"
head -2000 "$state/tiles.txt" | sed "s|^|/tiles/${last_id}_files/$top/|" >"$state/warm-tiler.txt"
head -2000 "$state/tiles.txt" | sed "s|^|/$top/|" >"$state/warm-nginx.txt"
sed "s|^|/tiles/${last_id}_files/$top/|" "$state/tiles.txt" >"$state/cold-tiler.txt"

cat >"$state/nginx.conf" <<NGINX
worker_processes $(${server_cpus:-} nproc);
pid $state/nginx.pid;
error_log $state/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  open_file_cache max=50000;
  server { listen 127.0.0.1:$nginx_port; root $state/dz-replicate-40k_files; }
}
NGINX
$server_cpus nginx -c "$state/nginx.conf"
wait_port 127.0.0.1 "$nginx_port" 10 nginx

# One wrk thread by default: on two cores, two load-generator threads plus
# the server's own oversubscribe the machine, and the OS's time slices, not
# the server, then make the tail latency. The same wrk serves both servers.
# With TILE_ONCE set, each tile of the list is asked for once and the run
# lasts until the last answer (at most 300 s): the rate is the script's
# own timing of the list (tiler-tiles.lua says why), and a list not
# answered whole fails the benchmark.
run_wrk() { # URL PATHS [header]
  local threads=${BENCH_WRK_THREADS:-1} duration=${seconds}s finished=
  # in once mode, where each thread counts itself done
  [ -z "${TILE_ONCE:-}" ] || { duration=300s; finished=$(mktemp "$state/wrk-done.XXXXXX"); }
  TILE_PATHS=$2 TILE_THREADS=$threads TILE_DONE=$finished $client_cpus wrk -t"$threads" -c64 -d"$duration" --latency -s "$(dirname "$0")/tiler-tiles.lua" ${3:+-H "$3"} "$1" |
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      /^once: / {if ($2 != $4 || $NF != "req/s" || $(NF-1) + 0 == 0) {print "asked once for each of " $4 " tiles, answered " $2 ": " $0 > "/dev/stderr"; failed = 1; exit}; rps = $(NF-1)}
      END {if (failed || !rps) exit 1; printf "%10s req/s  p50 %8s  p99 %8s  %s\n", rps, p50, p99, (bad ? "NON-2XX: " bad : "")}'
}

# quiet_seconds: waits (60 s at most) until the machine is idle, and prints
# how long that took. The ingests leave a gigabyte of MinIO objects and
# dzsave's 35,000 files to be written back, and MinIO's own background
# work: run beside that, the warm rounds measured the host's leftovers,
# and unevenly, since the tiler uses its whole core while nginx, held
# back by wrk, has some of its own to spare.
quiet_seconds() {
  local i a b
  sync
  for ((i = 1; i <= 60; i++)); do
    a=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)
    # busy share of the last second, in percent, all cores
    if awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2]; exit !(busy * 100 < 5 * (busy + idle))}'; then
      echo "$i"
      return
    fi
  done
  echo "60 (still busy)"
}

printf '\n## 2. warm tiles, 64 connections, %s s, 2,000 distinct full-resolution tiles (servers on CPU %s, wrk on CPU %s)\n\n' "$seconds" "${BENCH_SERVER_CPUS:-any}" "${BENCH_CLIENT_CPUS:-any}"
printf 'waited %s s for the machine to be idle after the ingests\n' "$(quiet_seconds)"
debug_addr=127.0.0.1:${BENCH_DEBUG_PORT:-19439}
pin=$server_cpus # ingest above had every core
start_tiler ${BENCH_PROFILE:+PATHOLABEL_DEBUG_LISTEN=$debug_addr}
# Warm-up: every tile of the set asked for once, so the measured run
# starts with all of them in memory however slowly the machine answers; a
# fixed 3 s warm-up left a loaded machine's run still reading blocks from
# MinIO.
TILE_ONCE=1 run_wrk "http://127.0.0.1:$tiler_port" "$state/warm-tiler.txt" "$cookie" >/dev/null
TILE_ONCE=1 run_wrk "http://127.0.0.1:$nginx_port" "$state/warm-nginx.txt" >/dev/null
# BENCH_ROUNDS rounds (5 by default), the two servers by turns, then the
# median of each: one 10 s figure of either moved by a tenth from one run
# to the next, and taking turns exposes both to the same drift.
: >"$state/warm-rounds"
for ((round = 1; round <= ${BENCH_ROUNDS:-5}; round++)); do
  if [ -n "${BENCH_PROFILE:-}" ] && [ $round = 1 ]; then
    mkdir -p "$BENCH_PROFILE"
    curl -sS -o "$BENCH_PROFILE/warm-cpu.pprof" "http://$debug_addr/debug/pprof/profile?seconds=$((seconds - 1))" &
    profiler=$!
  fi
  line=$(run_wrk "http://127.0.0.1:$tiler_port" "$state/warm-tiler.txt" "$cookie")
  printf 'round %d  tiler %s\n' $round "$line"
  echo "$line" >>"$state/warm-rounds"
  [ -z "${profiler:-}" ] || wait "$profiler"
  profiler=
  line=$(run_wrk "http://127.0.0.1:$nginx_port" "$state/warm-nginx.txt")
  printf 'round %d  nginx %s\n' $round "$line"
  echo "$line" >>"$state/warm-rounds"
done
# Lines alternate tiler, nginx: the medians of req/s and p99 (in ms), and
# the median of each round's tiler / nginx, the figure to quote: the two
# runs of a round are seconds apart, so a slow spell of the machine (this
# one shares its host) moves both of them.
awk 'function ms(v) { return v ~ /us$/ ? v / 1000 : (v ~ /ms$/ ? v + 0 : v * 1000) }
  function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { k = (NR % 2) ? "t" : "n"; c[k]++; rps[k, c[k]] = $1; p99[k, c[k]] = ms($6) }
  END {
    for (k in c) { for (i = 1; i <= c[k]; i++) { r[i] = rps[k, i]; q[i] = p99[k, i] }; mr[k] = med(r, c[k]); mq[k] = med(q, c[k]) }
    for (i = 1; i <= c["n"]; i++) { pr[i] = rps["t", i] / rps["n", i]; rounds = rounds sprintf(" %.2f", pr[i]) }
    printf "median  tiler %.0f req/s (p99 %.2f ms), nginx %.0f req/s (p99 %.2f ms)\n", mr["t"], mq["t"], mr["n"], mq["n"]
    printf "tiler / nginx, median of the rounds: %.2fx  (rounds:%s)\n", med(pr, c["n"]), rounds
  }' "$state/warm-rounds"

pin= server_cpus= client_cpus= # the cold runs are not pinned (above)
printf '\n## 3. cold tiles: Redis empty for this prefix and not filled, each tile asked for once\n\n'
printf '%-44s' "every tile from MinIO (no memory cache)"
start_tiler PATHOLABEL_TILER_MEM_CACHE_BYTES=0 PATHOLABEL_TILER_REDIS_MAX_TILE_BYTES=0 PATHOLABEL_REDIS_PREFIX="plbenchcold$$:"
TILE_ONCE=1 run_wrk "http://127.0.0.1:$tiler_port" "$state/cold-tiler.txt" "$cookie"
# With the memory cache, one miss reads a 1 MiB block of the pyramid and
# keeps the tiles in it: random order is the worst case for that, raster
# order (row by row, as panning across a slide asks) the best.
sort -t_ -k2,2n -k1,1n "$state/tiles.txt" | sed "s|^|/tiles/${last_id}_files/$top/|" >"$state/cold-raster.txt"
for order in random raster; do
  list=$state/cold-tiler.txt
  [ $order = random ] || list=$state/cold-raster.txt
  printf '%-44s' "read-ahead into memory, $order order"
  start_tiler PATHOLABEL_TILER_REDIS_MAX_TILE_BYTES=0 PATHOLABEL_REDIS_PREFIX="plbenchcold$order$$:"
  TILE_ONCE=1 run_wrk "http://127.0.0.1:$tiler_port" "$list" "$cookie"
done

# IIPImage serves the replicate's own pyramidal TIFF (tiled 256 px, JPEG):
# Debian's iipsrv.fcgi, one FastCGI process per core (spawn-fcgi, as its
# Apache module would run it) behind nginx, its memory cache off
# (MAX_IMAGE_CACHE_SIZE=0), the same JPEG quality as the tiler's tiles,
# Deep Zoom requests for as many distinct full-resolution tiles of its own
# 256-px grid in random order, each asked for once. The TIFF is in the page
# cache, as the tiler's pyramid is in MinIO's.
printf '%-44s' "IIPImage, pyramidal TIFF, random order"
iip_dir=$(dirname "$big")
env MAX_IMAGE_CACHE_SIZE=0 JPEG_QUALITY=80 VERBOSITY=0 FILESYSTEM_PREFIX="$iip_dir/" \
  $server_cpus spawn-fcgi -a 127.0.0.1 -p "$fcgi_port" -F "$(${server_cpus:-} nproc)" -P "$state/iip.pids" \
  -- /usr/lib/iipimage-server/iipsrv.fcgi >/dev/null
cat >"$state/nginx-iip.conf" <<NGINX
worker_processes $(${server_cpus:-} nproc);
pid $state/nginx-iip.pid;
error_log $state/nginx-iip-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$iip_port;
    location /iip {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass 127.0.0.1:$fcgi_port;
    }
  }
}
NGINX
$server_cpus nginx -c "$state/nginx-iip.conf"
wait_port 127.0.0.1 "$iip_port" 10 nginx-iip
iw=$(vipsheader -f width "$big") ih=$(vipsheader -f height "$big")
for ((c = 0; c < (iw + 255) / 256; c++)); do
  for ((r = 0; r < (ih + 255) / 256; r++)); do echo "${c}_$r"; done
done | shuf -n 20000 --random-source=<(yes 1) | sed "s|^|/iip?DeepZoom=$(basename "$big")_files/$top/|; s|$|.jpg|" >"$state/cold-iip.txt"
code=$(curl -sS -o "$state/iip-tile.jpg" -w '%{http_code}' "http://127.0.0.1:$iip_port$(tail -1 "$state/cold-iip.txt")")
[ "$code" = 200 ] && [ "$(vipsheader -f width "$state/iip-tile.jpg")" -gt 0 ] ||
  die "IIPImage answered $code for $(tail -1 "$state/cold-iip.txt"): $(head -c 300 "$state/iip-tile.jpg")"
head -n -1 "$state/cold-iip.txt" >"$state/cold-iip-unread.txt" # the last one was just read
TILE_ONCE=1 run_wrk "http://127.0.0.1:$iip_port" "$state/cold-iip-unread.txt"
