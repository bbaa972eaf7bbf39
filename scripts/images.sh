#!/usr/bin/env bash
# Builds the five Patholabel images with whatever container engine exists.
#
#   scripts/images.sh [--pin] [--list]
#
#   TAG=0.1.0 REGISTRY=docker.io scripts/images.sh
#   --list  prints the image references (for air-gapped mirroring) and exits
#   --pin   first rewrites every FROM line's exact tag to tag@digest, as the
#           registry serves it now; commit the result to freeze the bases
#
# The images build from the repository root (go.work modules, web/); see each
# Dockerfile. Nothing here runs in `make test`: no engine or registry is
# reachable on the CI machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tag=${TAG:-$(awk '$1=="appVersion:"{gsub(/"/,"",$2); print $2}' "$root/charts/patholabel/Chart.yaml")}
registry=${REGISTRY:-docker.io}
dockerfiles=(services/auth/Dockerfile services/tiler/Dockerfile services/annotation/Dockerfile
  services/export/Dockerfile web/Dockerfile)

name_of() { basename "$(dirname "$1")"; }

list() {
  for f in "${dockerfiles[@]}"; do echo "$registry/patholabel/$(name_of "$f"):$tag"; done
  # The images the chart runs besides its own, and the bases to build ours.
  cat "${dockerfiles[@]/#/$root/}" | awk '$1=="FROM"{print $2}' | sort -u
  awk '/repository:/{r=$2} /tag:/ && r ~ /\// && r !~ /^patholabel\//{gsub(/"/,"",$2); print "docker.io/" r ":" $2; r=""}' \
    "$root/charts/patholabel/values.yaml"
}

engine() {
  for e in docker podman; do command -v "$e" >/dev/null && "$e" info >/dev/null 2>&1 && { echo "$e"; return; }; done
  echo "images.sh: no working docker or podman here" >&2; exit 1
}

pin() {
  local e=$1 f ref digest
  for f in "${dockerfiles[@]}"; do
    for ref in $(awk '$1=="FROM" && $2 !~ /@/{print $2}' "$root/$f" | sort -u); do
      "$e" pull -q "$ref" >/dev/null
      digest=$("$e" image inspect --format '{{index .RepoDigests 0}}' "$ref" | cut -d@ -f2)
      sed -i "s|^FROM $ref\\b|FROM $ref@$digest|" "$root/$f"
      echo "pinned $ref@$digest in $f"
    done
  done
}

case "${1:-}" in
  --list) list | sort -u; exit 0 ;;
esac
e=$(engine)
[ "${1:-}" = --pin ] && pin "$e"
for f in "${dockerfiles[@]}"; do
  "$e" build -f "$root/$f" -t "$registry/patholabel/$(name_of "$f"):$tag" "$root"
done
