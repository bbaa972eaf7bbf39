# API helpers of scripts/cluster/test.sh: calls through the ingress, as a
# browser makes them (session cookie, CSRF token). Source after env.sh.
# shellcheck shell=bash

API_JAR=$(mktemp)
API_CSRF=""

# api_login PASSWORD: sign in as admin.
api_login() {
  local me
  me=$(curl -fsS -c "$API_JAR" -H 'Content-Type: application/json' \
    -d "$(jq -nc --arg p "$1" '{username: "admin", password: $p}')" "$CL_URL/api/v1/auth/login") || return 1
  API_CSRF=$(jq -r '.csrf_token // empty' <<<"$me")
  [ -n "$API_CSRF" ]
}

# api METHOD PATH [JSON]: the answer's body; fails on an HTTP error.
api() {
  local args=(-fsS -b "$API_JAR" -X "$1" -H "X-CSRF-Token: $API_CSRF")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}" "$CL_URL$2"
}

# api_upload PROJECT FILE NAME: a resumable upload part by part, as the
# viewer sends a multi-GB slide; prints the slide id.
api_upload() {
  local project=$1 file=$2 name=$3 size up id parts psize n
  size=$(stat -c %s "$file")
  up=$(api POST /api/v1/uploads "$(jq -nc --argjson p "$project" --arg n "$name" --argjson s "$size" \
    '{project_id: $p, name: $n, size: $s, stain: "H&E"}')") || return 1
  id=$(jq -r .id <<<"$up") parts=$(jq -r .parts <<<"$up") psize=$(jq -r .part_size <<<"$up")
  for ((n = 1; n <= parts; n++)); do
    dd if="$file" bs="$psize" skip=$((n - 1)) count=1 status=none |
      curl -fsS -b "$API_JAR" -X PUT -H "X-CSRF-Token: $API_CSRF" -H 'Content-Type: application/octet-stream' \
        --data-binary @- "$CL_URL/api/v1/uploads/$id/parts/$n" >/dev/null || return 1
  done
  api POST "/api/v1/uploads/$id/complete" '{}' | jq -r .id
}

# api_wait_slide ID SECONDS: until the slide is tiled.
api_wait_slide() {
  local i s
  for ((i = 0; i < $2; i++)); do
    s=$(api GET "/api/v1/slides/$1" | jq -r .status)
    [ "$s" = ready ] && return 0
    [ "$s" = failed ] && { api GET "/api/v1/slides/$1" >&2; return 1; }
    sleep 1
  done
  return 1
}
