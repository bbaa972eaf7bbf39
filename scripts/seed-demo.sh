#!/usr/bin/env bash
# Seeds the demo (idempotent): the project "GBM H&E" with the six categories
# of the original Patholabelling study, through the auth service's own code,
# then the sample slide through the public upload API, once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state=${PL_STATE:-$PL_ROOT/.dev}
port=${PL_PORT:-8080}
base="http://127.0.0.1:$port"
# One variable per line: a value may hold spaces (a project named in a group rule).
mapfile -t envs < <("$PL_ROOT/scripts/stack.sh" env auth)
env "${envs[@]}" "$state/bin/auth" seed-demo

slide="$PL_ROOT/scripts/demo/CMU-1-Small-Region.svs"
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
login=$(printf '{"username":"admin","password":"%s"}' "$PATHOLABEL_ADMIN_PASSWORD")
me=$(curl -fsS -c "$jar" -H 'Content-Type: application/json' -d "$login" "$base/api/v1/auth/login") ||
  { say "demo slide: cannot sign in as admin; skipped"; exit 0; }
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$me")
project=$(sed -n 's/.*"project_id":\([0-9]*\),"project_name":"GBM H\\u0026E".*/\1/p' <<<"$me")
[ -n "$project" ] || die "demo project not found in /me: $me"
if curl -fsS -b "$jar" "$base/api/v1/slides?project_id=$project&limit=200" | grep '"name":"CMU-1-Small-Region"' >/dev/null; then
  say "demo slide already uploaded"
  exit 0
fi
# The file goes last: the tiler streams it to storage and needs the other
# fields first.
curl -fsS -b "$jar" -H "X-CSRF-Token: $csrf" -F "project_id=$project" -F "name=CMU-1-Small-Region" \
  -F "stain=H&E" -F "case_id=CMU-1" -F "file=@$slide" "$base/api/v1/slides" >/dev/null
say "demo slide CMU-1-Small-Region uploaded to project $project; it is being tiled"
