#!/usr/bin/env bash
# The fault suite (make test-faults): replays the faults of issue 15 against
# a throwaway stack of its own (ports, database, Redis prefix, MinIO) and
# prints, for each, the fault, what was expected and what happened, then
# PASS or FAIL. Exits non-zero when any fault FAILs. The figures it prints
# are the ones docs/operations/faults.md reports.
#
#   scripts/test-faults.sh            (PL_PORT, PL_MINIO_PORT choose the ports; default 18380, 19310)
#
# Faults: Redis wiped mid-ingest and mid-export; kill -9 of the ingest worker
# and of the export service mid-job; the object store stopped 60 s and frozen
# 20 s; the database unreachable 20 s for one service; 50 concurrent PATCHes
# of one mark; a burst of concurrent batch writes, every acknowledged mark
# counted afterwards. Only processes this script started are stopped,
# killed or frozen; the shared MariaDB and Redis are never touched beyond
# this stack's own database and key prefix.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap 'say "test-faults: stopped at line $LINENO: $BASH_COMMAND"' ERR

svs=$PL_ROOT/scripts/demo/CMU-1-Small-Region.svs
for tool in curl jq socat redis-cli vips; do command -v "$tool" >/dev/null || die "$tool is needed (apt-get install $tool)"; done

started=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT # until the stack's own clean-up takes over
# The slide the ingest faults act on: the demo slide enlarged five times
# (11,100 × 14,835 px), so its ingest lasts long enough to be hit mid-job.
big=$work/enlarged.tif
nice -n 10 vips resize "$svs" "$big[tile,compression=jpeg,Q=85,pyramid]" 5 ||
  die "vips could not make the enlarged test slide (apt-get install libvips-tools)"
throwaway_stack faults "${PL_PORT:-18380}" "${PL_MINIO_PORT:-19310}"
mysql_load_settings
base=$PATHOLABEL_URL
faults_cleanup() {
  # A frozen MinIO would not stop; the database proxy is ours alone.
  [ -f "$PL_STATE/pids/minio.pid" ] && kill -CONT "$(cat "$PL_STATE/pids/minio.pid")" 2>/dev/null
  stop_pid "$PL_STATE" dbproxy
  rm -rf "$work"
  _throwaway_cleanup
}
trap faults_cleanup EXIT

# --- the API, as a client sees it through the entry point -----------------
jar=$work/jar
csrf=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' \
  -d "$(jq -nc --arg p "$PATHOLABEL_ADMIN_PASSWORD" '{username: "admin", password: $p}')" "$base/api/v1/auth/login" | jq -r .csrf_token)
api() { # METHOD PATH [JSON]: the body; fails on an HTTP error
  local args=(-fsS -m 60 -b "$jar" -X "$1" -H "X-CSRF-Token: $csrf")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}" "$base$2"
}
status_of() { # METHOD PATH [JSON]: "HTTP-STATUS SECONDS", never failing
  local args=(-sS -m 60 -o "$work/body" -w '%{http_code} %{time_total}\n' -b "$jar" -X "$1" -H "X-CSRF-Token: $csrf")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}" "$base$2" 2>/dev/null || true
}
upload() { # FILE NAME: the new slide's id
  curl -fsS -m 120 -b "$jar" -H "X-CSRF-Token: $csrf" -F "project_id=$project" -F "name=$2" -F "file=@$1" \
    "$base/api/v1/slides" | jq -r .id
}
slide_field() { api GET "/api/v1/slides/$1" | jq -r ".$2"; }
export_field() { api GET "/api/v1/exports/$1" | jq -r ".$2"; }
# until_ SECONDS CMD...: run CMD every half second until it succeeds; fails after SECONDS.
until_() {
  local end=$(($(date +%s) + $1))
  shift
  until "$@" 2>/dev/null; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.5
  done
}
slide_is() { [ "$(slide_field "$1" status)" = "$2" ]; }
export_is() { [ "$(export_field "$1" status)" = "$2" ]; }
export_running() { local s; s=$(export_field "$1" status); [ "$s" = running ]; }
new_export() {
  api POST /api/v1/exports "$(jq -nc --argjson p "$project" --argjson s "$slide" \
    '{project_id: $p, slide_ids: [$s], formats: ["geojson", "csv", "patches"], patch_sizes: [64, 256], stride: 64}')" | jq -r .id
}
# data_files EXPORT: "sha256 path" of its data files (not the README or
# snapshot, which name the export), to compare two exports byte for byte.
data_files() {
  api GET "/api/v1/exports/$1?include=manifest" |
    jq -r '.manifest.files[] | select(.path | test("^(patches|csv|geojson)/")) | "\(.sha256) \(.path)"' | sort
}
# geometry SLIDE: "TOP-LEVEL COLUMNS ROWS" of its full-resolution level, from its DZI.
geometry() {
  local d w h ts top=0 s
  d=$(curl -fsS -m 30 -b "$jar" "$base/tiles/$1.dzi")
  w=$(sed -n 's/.*Width="\([0-9]*\)".*/\1/p' <<<"$d") h=$(sed -n 's/.*Height="\([0-9]*\)".*/\1/p' <<<"$d")
  ts=$(sed -n 's/.*TileSize="\([0-9]*\)".*/\1/p' <<<"$d")
  for ((s = w > h ? w : h; s > 1; s = (s + 1) / 2)); do top=$((top + 1)); done
  echo "$top $(((w + ts - 1) / ts)) $(((h + ts - 1) / ts))"
}
# fresh_tile SLIDE N: a full-resolution tile of a slide whose tiles nobody
# asked for yet, so no cache holds it (a miss reads a 1 MiB block around the
# tile): the centre one, N rows down.
fresh_tile() {
  local top cols rows
  read -r top cols rows < <(geometry "$1")
  echo "/tiles/${1}_files/$top/$((cols / 2))_$(((rows / 2 + $2) % rows))"".jpeg"
}
tile_sums() { # SLIDE: sha256 of its descriptor and a tile of three levels
  local top
  read -r top _ < <(geometry "$1")
  for p in "$1.dzi" "${1}_files/$top/0_0.jpeg" "${1}_files/$((top - 2))/0_0.jpeg" "${1}_files/$((top - 4))/0_0.jpeg"; do
    curl -fsS -m 30 -b "$jar" "$base/tiles/$p" | sha256sum | cut -c1-16
  done | tr '\n' ' '
}
# sleep_rest T0-MS SECONDS: sleep until SECONDS have passed since T0.
sleep_rest() {
  local left=$(($2 * 1000 - ($(date +%s%3N) - $1)))
  [ "$left" -gt 0 ] && sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
  return 0
}
ms_since() { echo $(($(date +%s%3N) - $1)); }

# --- reporting -------------------------------------------------------------
results=()
fault() { printf '\n== %s\n   expected: %s\n' "$1" "$2"; current=$1; }
outcome() { # PASS|FAIL WHAT-HAPPENED
  printf '   happened: %s\n   %s\n' "$2" "$1"
  results+=("$1  $current")
}

# --- restarting what the stack started ------------------------------------
service_env() { "$PL_ROOT/scripts/stack.sh" env "$1"; }
restart_worker() {
  start_bg tiler-worker "$PL_STATE" env $(service_env tiler) PATHOLABEL_LISTEN="127.0.0.1:$((PL_PORT + 5))" \
    PATHOLABEL_TILER_WORKERS=1 "$PL_STATE/bin/tiler" worker
  wait_port 127.0.0.1 $((PL_PORT + 5)) 30 "tiler worker"
}
restart_service() { # NAME [EXTRA-ENV...]
  local name=$1 i
  shift
  for i in "${!SERVICES[@]}"; do [ "${SERVICES[$i]}" = "$name" ] && break; done
  start_bg "$name" "$PL_STATE" env $(service_env "$name") "$@" "$PL_STATE/bin/$name"
  wait_port 127.0.0.1 $((PL_PORT + i + 1)) 30 "$name"
}
kill9() { # NAME: SIGKILL what the stack started as NAME
  local pid
  pid=$(cat "$PL_STATE/pids/$1.pid")
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true # reaped quietly when it was started here
  sleep 0.3
}
wipe_redis() { # every key of this stack, as a flush would; the shared Redis keeps the others'
  redis-cli -h 127.0.0.1 --scan --pattern "patholabel:$PL_DB:*" | xargs -r -n 500 redis-cli -h 127.0.0.1 del >/dev/null
}

# --- the world the faults act on -------------------------------------------
say "setting up a project, a ready slide with 60 marks"
project=$(api POST /api/v1/projects "$(jq -nc --arg n "faults $(random_hex 3)" '{name: $n, description: "scripts/test-faults.sh"}')" | jq -r .id)
category=$(api POST "/api/v1/projects/$project/categories" '{"class_id": 1, "name": "Tumour cell", "color": "#e6194b"}' | jq -r .id)
slide=$(upload "$svs" CMU-1)
until_ 180 slide_is "$slide" ready || die "the first slide did not become ready: $(api GET "/api/v1/slides/$slide")"
points() { # SLIDE N X0 [Y0]: N point features at (x0 + 20i, y0 + 7i)
  jq -nc --argjson s "$1" --argjson n "$2" --argjson x "$3" --argjson y "${4:-300}" --argjson c "$category" \
    '{slide_id: $s, features: [range($n) | {type: "Feature", geometry: {type: "Point", coordinates: [$x + 20 * ., $y + 7 * .]}, properties: {category_id: $c, radius: 5}}]}'
}
# The marks every export cuts: 60 points and a region sampled every 64 px,
# some 3,000 patches, so an export runs long enough to be hit mid-job.
api POST /api/v1/annotations "$(jq -nc --argjson s "$slide" --argjson c "$category" \
  '{slide_id: $s, features: [{type: "Feature", geometry: {type: "Polygon", coordinates: [[[100, 100], [2100, 100], [2100, 2800], [100, 2800], [100, 100]]]}, properties: {category_id: $c}}]}')" >/dev/null
api POST /api/v1/annotations "$(points "$slide" 60 100)" >/dev/null

# --- 1. Redis wiped mid-ingest and mid-export --------------------------------
fault "Redis wiped (every key of the stack) mid-ingest and mid-export" \
  "the ingest ends ready and the export done: Redis only wakes workers and caches; MySQL holds every job"
s1=$(upload "$big" big-redis)
e1=$(new_export)
until_ 60 slide_is "$s1" processing || true
until_ 60 export_running "$e1" || true
at_wipe="ingest $(slide_field "$s1" status) $(slide_field "$s1" progress) %, export $(export_field "$e1" status) $(export_field "$e1" progress) %"
wipe_redis
t0=$(date +%s%3N)
ok=PASS
[[ $at_wipe == "ingest processing"*"export running"* ]] || ok=FAIL # else the fault missed the jobs
until_ 240 slide_is "$s1" ready || ok=FAIL
ingest_ms=$(ms_since "$t0")
until_ 240 export_is "$e1" done || ok=FAIL
outcome $ok "wiped at $at_wipe; ingest $(slide_field "$s1" status) $((ingest_ms / 1000)) s after the wipe; export $(export_field "$e1" status) ($(export_field "$e1" files) files)"

# --- 2. kill -9 of the ingest worker and the export service mid-job ----------
fault "kill -9 of the ingest worker mid-ingest and of the export service mid-export" \
  "both resume once the lease (30 s) lapses and end with results byte-identical to an undisturbed run"
s2=$(upload "$big" big-kill)
e2=$(new_export)
until_ 60 slide_is "$s2" processing || true
at_kill="ingest $(slide_field "$s2" status) $(slide_field "$s2" progress) %"
kill9 tiler-worker
until_ 60 export_running "$e2" || true
at_kill+=", export $(export_field "$e2" status) $(export_field "$e2" progress) %"
kill9 export
t0=$(date +%s%3N)
restart_worker
restart_service export
ok=PASS
[[ $at_kill == "ingest processing"*"export running"* ]] || ok=FAIL # else the fault missed the jobs
until_ 240 slide_is "$s2" ready || ok=FAIL
ingest_ms=$(ms_since "$t0")
until_ 240 export_is "$e2" done || ok=FAIL
export_ms=$(ms_since "$t0")
same_tiles=no same_files=no
[ "$ok" = PASS ] && [ "$(tile_sums "$s2")" = "$(tile_sums "$s1")" ] && same_tiles=yes
[ "$ok" = PASS ] && data_files "$e1" >"$work/e1" && data_files "$e2" >"$work/e2" && [ -s "$work/e1" ] && cmp -s "$work/e1" "$work/e2" && same_files=yes
[ "$same_tiles" = yes ] && [ "$same_files" = yes ] || ok=FAIL
outcome $ok "killed at $at_kill; ingest ready after $((ingest_ms / 1000)) s (tiles identical to the undisturbed slide: $same_tiles), export done after $((export_ms / 1000)) s ($(wc -l <"$work/e2") data files identical to the undisturbed export: $same_files)"

# --- 3. object store stopped 60 s mid-ingest and mid-export -------------------
fault "object store stopped for 60 s mid-ingest and mid-export" \
  "tiles answer 503 fast (no hang) during the outage; the ingest and the export wait it out without using up attempts and finish after it"
e3=$(new_export)
until_ 60 export_running "$e3" || true
tile=$(fresh_tile "$slide" 0)
s3=$(upload "$big" big-s3-down)
until_ 60 slide_is "$s3" processing || true
at_stop="ingest $(slide_field "$s3" status) $(slide_field "$s3" progress) %, export $(export_field "$e3" status) $(export_field "$e3" progress) %"
# Stopped at once (SIGKILL, as a crash or a pulled plug), while both run.
kill -KILL "$(cat "$PL_STATE/pids/minio.pid")"
t0=$(date +%s%3N)
rm -f "$PL_STATE/pids/minio.pid"
read -r tile_status tile_secs < <(status_of GET "$tile")
read -r ready_status _ < <(curl -sS -m 20 -o /dev/null -w '%{http_code} x\n' "$base/readyz" 2>/dev/null || echo "000 x")
sleep_rest "$t0" 60
during="ingest $(slide_field "$s3" status) ($(slide_field "$s3" error)), export $(export_field "$e3" status)"
start_minio "$PL_STATE" "$PL_MINIO_PORT" patholabel patholabel-dev-secret
t1=$(date +%s%3N)
ok=PASS
[[ $at_stop == "ingest processing"*"export running"* ]] || ok=FAIL # else the fault missed the jobs
[ "$tile_status" = 503 ] && [ "${tile_secs%.*}" -lt 10 ] || ok=FAIL
[ "$ready_status" = 503 ] || ok=FAIL
until_ 300 slide_is "$s3" ready || ok=FAIL
ingest_ms=$(ms_since "$t1")
until_ 300 export_is "$e3" done || ok=FAIL
export_ms=$(ms_since "$t1")
read -r ingest_attempts ingest_outages < <(mysql_cli -N -e "SELECT attempts, outages FROM \`$PL_DB\`.ingest_jobs WHERE kind = 'slide' AND target_id = $s3")
read -r export_attempts export_outages < <(mysql_cli -N -e "SELECT attempts, outages FROM \`$PL_DB\`.exports WHERE id = $e3")
[ "$ingest_attempts" = 1 ] && [ "$export_attempts" = 1 ] || ok=FAIL
outcome $ok "stopped at $at_stop; during: a tile answered $tile_status in ${tile_secs} s, /readyz $ready_status, $during; after the restart the ingest was ready in $((ingest_ms / 1000)) s (attempt $ingest_attempts, $ingest_outages outage waits) and the export done in $((export_ms / 1000)) s (attempt $export_attempts, $export_outages outage waits)"

# --- 4. object store frozen 20 s ----------------------------------------------
fault "object store frozen for 20 s (accepts, never answers: how a partition looks)" \
  "tile requests answer 503 within the read timeout (5 s) instead of hanging; all is served again once it answers"
tile=$(fresh_tile "$slide" 4)
minio_pid=$(cat "$PL_STATE/pids/minio.pid")
kill -STOP "$minio_pid"
t0=$(date +%s%3N)
read -r tile_status tile_secs < <(status_of GET "$tile")
read -r slides_status _ < <(status_of GET "/api/v1/slides?project_id=$project")
sleep_rest "$t0" 20
kill -CONT "$minio_pid"
t1=$(date +%s%3N)
ok=PASS
[ "$tile_status" = 503 ] && [ "${tile_secs%.*}" -lt 10 ] || ok=FAIL
[ "$slides_status" = 200 ] || ok=FAIL
tile_ok() { [ "$(status_of GET "$tile" | cut -d' ' -f1)" = 200 ]; }
until_ 60 tile_ok || ok=FAIL
outcome $ok "during: a tile answered $tile_status in $tile_secs s, the slide list (MySQL only) $slides_status; the tile was served $(($(ms_since "$t1") / 1000)) s after the store answered again"

# --- 5. database unreachable 20 s for one service --------------------------------
fault "database unreachable for 20 s for the annotation service (the others keep theirs)" \
  "its requests answer 503 unavailable with Retry-After, not 500; the other services answer as usual; it recovers by itself"
proxy_port=$((PL_PORT + 9))
port_open 127.0.0.1 "$proxy_port" && die "port $proxy_port for the database proxy is taken"
start_dbproxy() {
  start_bg dbproxy "$PL_STATE" socat "TCP-LISTEN:$proxy_port,bind=127.0.0.1,reuseaddr,fork" "TCP:$PL_MYSQL_ADDR"
  wait_port 127.0.0.1 "$proxy_port" 10 "database proxy"
}
start_dbproxy
stop_pid "$PL_STATE" annotation
restart_service annotation PATHOLABEL_MYSQL_ADDR="127.0.0.1:$proxy_port"
until_ 30 bash -c "curl -fsS -o /dev/null -b '$jar' '$base/api/v1/annotations?slide_id=$slide'" ||
  die "the annotation service did not answer through the database proxy"
# Cut: the proxy and every connection through it go (socat's children share its process group).
proxy_pid=$(cat "$PL_STATE/pids/dbproxy.pid")
kill -KILL -- "-$proxy_pid" 2>/dev/null || true
wait "$proxy_pid" 2>/dev/null || true
rm -f "$PL_STATE/pids/dbproxy.pid"
t0=$(date +%s%3N)
read -r get_status get_secs < <(status_of GET "/api/v1/annotations?slide_id=$slide")
get_body=$(cat "$work/body")
read -r post_status _ < <(status_of POST /api/v1/annotations "$(points "$slide" 1 500 2500)")
retry_after=$(curl -sS -m 30 -D - -o /dev/null -b "$jar" "$base/api/v1/annotations?slide_id=$slide" 2>/dev/null | tr -d '\r' | sed -n 's/^[Rr]etry-[Aa]fter: //p')
read -r tiler_status _ < <(status_of GET "/api/v1/slides?project_id=$project")
sleep_rest "$t0" 20
start_dbproxy
t1=$(date +%s%3N)
ok=PASS
[ "$get_status" = 503 ] && [ "$post_status" = 503 ] && [ -n "$retry_after" ] && grep -q '"unavailable"' <<<"$get_body" || ok=FAIL
[ "$tiler_status" = 200 ] || ok=FAIL
annotations_ok() { [ "$(status_of GET "/api/v1/annotations?slide_id=$slide" | cut -d' ' -f1)" = 200 ]; }
until_ 60 annotations_ok || ok=FAIL
outcome $ok "during: GET marks $get_status in $get_secs s, POST a mark $post_status, Retry-After ${retry_after:-none}, the tiler's slide list $tiler_status; marks served again $(($(ms_since "$t1") / 1000)) s after the database was reachable"

# --- 6. 50 concurrent PATCHes of one mark ---------------------------------------
fault "50 concurrent PATCHes of one mark, each with the version it read (If-Match)" \
  "exactly one 200, 49 × 409 conflict; the mark ends at version+1 with the winner's position"
mark=$(api POST /api/v1/annotations "$(points "$slide" 1 1000 2000)" | jq -r '.features[0].id')
version=$(api GET "/api/v1/annotations/$mark" | jq -r '.properties.version')
patch_one() { # X: one PATCH moving the mark to x
  curl -sS -m 60 -o /dev/null -w '%{http_code} '"$1"'\n' -b "$jar" -X PATCH -H "X-CSRF-Token: $csrf" -H "If-Match: $version" \
    -H 'Content-Type: application/json' --data-binary \
    "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[$1,2000]},\"properties\":{\"category_id\":$category,\"radius\":5}}" \
    "$base/api/v1/annotations/$mark"
}
export -f patch_one
export jar csrf version category base mark
seq 1001 1050 | xargs -P 50 -I{} bash -c 'patch_one {}' >"$work/patches"
wins=$(grep -c '^200 ' "$work/patches" || true)
conflicts=$(grep -c '^409 ' "$work/patches" || true)
winner=$(awk '$1 == 200 {print $2}' "$work/patches")
final=$(api GET "/api/v1/annotations/$mark")
ok=PASS
[ "$wins" = 1 ] && [ "$conflicts" = 49 ] || ok=FAIL
[ "$(jq -r .properties.version <<<"$final")" = $((version + 1)) ] && [ "$(jq -r '.geometry.coordinates[0]' <<<"$final")" = "$winner" ] || ok=FAIL
outcome $ok "$wins × 200, $conflicts × 409, others: $(grep -cv '^\(200\|409\) ' "$work/patches" || true); the mark is at version $(jq -r .properties.version <<<"$final"), x = $(jq -r '.geometry.coordinates[0]' <<<"$final") (winner $winner)"

# --- 7. a burst of concurrent batch writes, every acknowledged mark counted ------
clients=20 batches=10 per=50
fault "a burst of $clients concurrent clients × $batches batch writes × $per marks on one slide" \
  "every acknowledged (201) mark is stored, none twice; any refusal is an honest 503/429, never a lost mark"
burst_slide=$s1
write_batches() { # CLIENT: its batches, each answer's status and acknowledged ids
  local b
  for ((b = 0; b < batches; b++)); do
    curl -sS -m 60 -o "$work/burst.$1.$b" -w '%{http_code}\n' -b "$jar" -X POST -H "X-CSRF-Token: $csrf" \
      -H 'Content-Type: application/json' --data-binary @"$work/batch.$1.$b" "$base/api/v1/annotations" || echo 000
  done
}
for ((c = 0; c < clients; c++)); do
  for ((b = 0; b < batches; b++)); do points "$burst_slide" "$per" $((100 + 13 * c)) $((300 + 100 * b)) >"$work/batch.$c.$b"; done
done
export -f write_batches
export work batches
t0=$(date +%s%3N)
seq 0 $((clients - 1)) | xargs -P "$clients" -I{} bash -c 'write_batches {}' >"$work/burst.status"
burst_ms=$(ms_since "$t0")
acked=0
for f in "$work"/burst.*.*; do
  if jq -e '.features' "$f" >/dev/null 2>&1; then jq -r '.features[].id' "$f"; fi
done | sort >"$work/acked"
acked=$(wc -l <"$work/acked")
mysql_cli -N -e "SELECT id FROM \`$PL_DB\`.annotations WHERE slide_id = $burst_slide" | sort >"$work/stored"
stored=$(wc -l <"$work/stored")
missing=$(comm -23 "$work/acked" "$work/stored" | wc -l)
dupes=$(uniq -d "$work/acked" | wc -l)
ok=PASS
[ "$missing" = 0 ] && [ "$dupes" = 0 ] && [ "$acked" = "$stored" ] || ok=FAIL
grep -qv '^\(201\|503\|429\)$' "$work/burst.status" && ok=FAIL
outcome $ok "$(sort "$work/burst.status" | uniq -c | awk '{printf "%s × %s, ", $1, $2}')in $((burst_ms / 1000)) s; $acked marks acknowledged, $stored stored, $missing acknowledged but missing, $dupes acknowledged twice"

# --- summary -----------------------------------------------------------------------
printf '\n== fault suite: %s s\n' $(($(date +%s) - started))
failed=0
for r in "${results[@]}"; do
  printf '   %s\n' "$r"
  [[ $r == FAIL* ]] && failed=$((failed + 1))
done
[ "$failed" = 0 ] || die "$failed fault(s) FAILED"
say "every fault PASSED"
