#!/usr/bin/env bash
# Export benchmark (issue 7): 256 px patches per second and peak memory,
# cutting through libvips region reads as the export service does
# ("regions") against decoding the whole slide and cropping, as PathoFusion
# did with PIL ("full"), on the same seeded centres (the checksums match).
# Slides: the real SVS from ../shared/testdata, and a 17,760 × 23,736 px
# replicate of it (tiled pyramidal TIFF, made once with `vips replicate`
# and cached) standing for a scanner-sized slide. Peak memory is
# /usr/bin/time -v's maximum resident set size.
#
#   scripts/bench/export.sh
#   BENCH_PATCHES=300 scripts/bench/export.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

apt_install libvips-tools time
testdata=${PATHOLABEL_TESTDATA:-$PL_ROOT/../shared/testdata}
patches=${BENCH_PATCHES:-1000}
svs="$testdata/slides/CMU-1-Small-Region.svs"
state=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-bench-export.XXXXXX")
trap 'rm -rf "$state"' EXIT

big="$PL_CACHE/bench/replicate-svs-8x8.tif"
if [ ! -f "$big" ]; then
  say "making a 17,760 × 23,736 px slide from CMU-1-Small-Region.svs (once)"
  mkdir -p "$(dirname "$big")"
  vips extract_band "$svs" "$state/rgb.v" 0 --n 3
  vips replicate "$state/rgb.v" "$big[tile,pyramid,compression=jpeg,Q=85,tile-width=256,tile-height=256]" 8 8
fi

say "building exportbench"
(cd "$PL_ROOT/services/export" && go build -o "$state/exportbench" ./cmd/exportbench)

# run MODE SLIDE N prints "patches/s peak-MiB checksum".
run() {
  /usr/bin/time -v -o "$state/time" "$state/exportbench" -mode "$1" -slide "$2" -n "$3" -size 256 >"$state/out" 2>"$state/err" || {
    cat "$state/err" >&2; return 1; }
  local rate sum kb
  rate=$(sed -E 's/.*"patches_per_second":([0-9.]+).*/\1/' "$state/out")
  sum=$(sed -E 's/.*"checksum":([0-9]+).*/\1/' "$state/out")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$state/time")
  printf '%.1f %d %s\n' "$rate" $((kb / 1024)) "$sum"
}

status=0
printf '\n%-34s %8s %14s %10s %14s %10s %8s\n' slide patches "regions/s" "peak MiB" "full-decode/s" "peak MiB" speedup
for spec in "CMU-1-Small-Region.svs:$svs:100" "CMU-1-Small-Region.svs:$svs:$patches" \
  "replicate 17760x23736:$big:300" "replicate 17760x23736:$big:$patches"; do
  IFS=: read -r name path n <<<"$spec"
  read -r r_rate r_mib r_sum < <(run regions "$path" "$n")
  read -r f_rate f_mib f_sum < <(run full "$path" "$n")
  [ "$r_sum" = "$f_sum" ] || { echo "checksums differ: regions $r_sum, full $f_sum" >&2; status=1; }
  speed=$(awk -v a="$r_rate" -v b="$f_rate" 'BEGIN { printf "%.2f", a / b }')
  printf '%-34s %8s %14s %10s %14s %10s %7sx\n' "$name" "$n" "$r_rate" "$r_mib" "$f_rate" "$f_mib" "$speed"
done
printf '\ntargets: regions at least 5x the full decode, under 500 MiB peak\n'
exit $status
