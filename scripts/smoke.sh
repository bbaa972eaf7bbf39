#!/usr/bin/env bash
# A newcomer's first look, as a script: the entry point is ready, the admin
# signs in, and the demo slide serves a full-resolution tile (a real JPEG).
# Prints each check; exits non-zero at the first that fails.
#
#   scripts/smoke.sh [URL] [ADMIN_PASSWORD]   (default: http://127.0.0.1:$PL_PORT, .dev/admin-password)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:-http://127.0.0.1:${PL_PORT:-8080}}
password=${2:-$(cat "${PL_STATE:-$PL_ROOT/.dev}/admin-password")}
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
check() { say "smoke: $*"; }

check "GET $base/readyz answers 200"
curl -fsS "$base/readyz" >/dev/null || die "smoke: $base/readyz is not 200"

check "admin signs in"
me=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' \
  -d "$(printf '{"username":"admin","password":"%s"}' "$password")" "$base/api/v1/auth/login") ||
  die "smoke: the admin cannot sign in with the given password"
project=$(sed -n 's/.*"project_id":\([0-9]*\),"project_name":"GBM H\\u0026E".*/\1/p' <<<"$me")
[ -n "$project" ] || die "smoke: the demo project is missing from /me: $me"

check "the demo slide becomes ready (up to 120 s)"
slide=""
for ((i = 0; i < 240; i++)); do
  slide=$(curl -fsS -b "$jar" "$base/api/v1/slides?project_id=$project&limit=200" |
    tr '{' '\n' | grep '"name":"CMU-1-Small-Region"' | grep '"status":"ready"' || true)
  [ -n "$slide" ] && break
  sleep 0.5
done
[ -n "$slide" ] || die "smoke: the demo slide is not ready after 120 s"
id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' <<<"$slide" | head -n1)

check "a full-resolution tile of slide $id is a JPEG"
dzi=$(curl -fsS -b "$jar" "$base/tiles/$id.dzi")
w=$(sed -n 's/.*Width="\([0-9]*\)".*/\1/p' <<<"$dzi")
h=$(sed -n 's/.*Height="\([0-9]*\)".*/\1/p' <<<"$dzi")
[ -n "$w" ] && [ -n "$h" ] || die "smoke: no size in the slide's DZI: $dzi"
top=0
for ((s = w > h ? w : h; s > 1; s = (s + 1) / 2)); do top=$((top + 1)); done
curl -fsS -b "$jar" -o "$jar.tile" "$base/tiles/${id}_files/$top/0_0.jpeg" || die "smoke: tile $top/0_0 of slide $id not served"
magic=$(head -c 3 "$jar.tile" | od -An -tx1 | tr -d ' \n')
rm -f "$jar.tile"
[ "$magic" = ffd8ff ] || die "smoke: tile $top/0_0 of slide $id is not a JPEG (starts $magic)"
say "smoke: all checks passed ($base)"
