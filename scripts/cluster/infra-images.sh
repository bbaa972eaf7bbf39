#!/usr/bin/env bash
# Makes the cluster's own images, each one static binary in an otherwise
# empty image (the registries that serve them cannot be reached), and saves
# them next to those of `make images` when the binary changed:
#   localhost/patholabel-cluster/pause:1    the pod sandbox (pause/main.go)
#   localhost/patholabel-cluster/coredns:V  CoreDNS, pinned in scripts/tools/coredns
#   localhost/patholabel-cluster/traefik:V  Traefik, pinned in scripts/tools/traefik
#
#   scripts/cluster/infra-images.sh [NAME TAG BINARY]
set -euo pipefail
. "$(dirname "$0")/env.sh"
cl_bins
mkdir -p "$CL_IMAGES" "$PL_CACHE/cluster"
pause=$PL_CACHE/cluster/pause
if [ ! -x "$pause" ] || [ "$CL_DIR/pause/main.go" -nt "$pause" ]; then
  (cd "$CL_DIR/pause" && GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$pause" main.go)
fi
ver() { awk -v m="$1" '$1==m{print $2; exit}' "$PL_ROOT/scripts/tools/$2/go.mod"; }
# mk NAME TAG BINARY: the image, saved as $CL_IMAGES/cluster_NAME.tar.
mk() {
  local name=$1 tag=$2 bin=$3 out id r
  out=$CL_IMAGES/patholabel-cluster_${name}_$tag.tar
  id=$(sha256sum "$bin" | cut -c1-16)
  [ -f "$out" ] && [ "$(cat "$out.id")" = "$id" ] && return 0
  r=$(mktemp -d)
  mkdir -p "$r/tmp" "$r/etc"
  chmod 1777 "$r/tmp"
  cp "$bin" "$r/$name"
  echo "nobody:x:65534:65534:nobody:/:/sbin/nologin" >"$r/etc/passwd"
  echo "nobody:x:65534:" >"$r/etc/group"
  tar -C "$r" -c . | podman import -q --change "ENTRYPOINT [\"/$name\"]" - "localhost/patholabel-cluster/$name:$tag" >/dev/null
  rm -rf "$r"
  podman save -q --format docker-archive -o "$out.tmp" "localhost/patholabel-cluster/$name:$tag"
  podman rmi -f "localhost/patholabel-cluster/$name:$tag" >/dev/null
  mv "$out.tmp" "$out"
  echo "$id" >"$out.id"
  say "made localhost/patholabel-cluster/$name:$tag"
}
# scripts/cluster/infra-images.sh NAME TAG BINARY: one more such image.
if [ $# -eq 3 ]; then
  mk "$@"
  exit 0
fi
mk pause 1 "$pause"
mk coredns "$(ver github.com/coredns/coredns coredns)" "$coredns"
mk traefik "$(ver github.com/traefik/traefik/v3 traefik)" "$traefik"
