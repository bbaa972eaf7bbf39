#!/usr/bin/env bash
# Builds the five Patholabel images with whatever container engine exists,
# and (with podman) the images the evaluation profile and `helm test` run.
#
#   scripts/images.sh [--pin] [--list] [--skaffold]
#
#   TAG=0.1.0 REGISTRY=docker.io scripts/images.sh
#   IMAGES="auth web" CONTEXT=/tmp/tree scripts/images.sh   some images, from another tree
#   --list  prints the image references (for air-gapped mirroring) and exits
#   --pin   first rewrites every FROM line's exact tag to tag@digest, as the
#           registry serves it now; commit the result to freeze the bases
#   --skaffold  skaffold's custom builder (skaffold.yaml): builds the one image
#           $IMAGE names, pushes it when skaffold says $PUSH_IMAGE=true, and
#           loads it into the throwaway cluster when that runs
#
# The images are the targets of the repository's one Dockerfile, built from
# the repository root; see its head. With podman (`make images` on the CI
# machine, where no registry answers):
#   - a base image that is neither present nor pullable is made locally
#     under the FROM line's name (scripts/cluster/bases.sh);
#   - the host's Go module cache serves as the builds' GOPROXY (offline,
#     falling back to proxy.golang.org) and the host's npm cache is npm's,
#     and Go's build cache persists in a cache mount, so a rebuild after a
#     one-line change takes seconds;
#   - the evaluation images of scripts/cluster/images/ are built as
#     localhost/patholabel-eval/NAME:TAG (scripts/cluster/values.yaml picks them;
#     scripts/cluster/sso.sh runs dex and slapd);
#   - every image is saved to $PATHOLABEL_CACHE/images/*.tar for the
#     throwaway cluster to import (only when its id changed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=${CONTEXT:-$PL_ROOT}
tag=${TAG:-$(awk '$1=="appVersion:"{gsub(/"/,"",$2); print $2}' "$PL_ROOT/charts/patholabel/Chart.yaml")}
registry=${REGISTRY:-docker.io}
dockerfile=$root/Dockerfile
# The Dockerfile's targets, one per image.
targets=(auth tiler annotation export web)
for i in ${IMAGES:-}; do
  [[ " ${targets[*]} " == *" $i "* ]] || die "IMAGES names $i; the Dockerfile's targets are ${targets[*]}"
done
# Evaluation images: NAME TAG (the tag says which upstream release it stands for).
# dex and slapd are the identity provider and the directory of test-cluster's
# single sign-on step (scripts/cluster/sso.sh), not the chart's.
eval_images=("mariadb 10.11" "redis 7.0" "minio $MINIO_VERSION" "testclient 1" "dex $(dex_version)" "slapd 2.5")

list() {
  for t in "${targets[@]}"; do echo "$registry/patholabel/$t:$tag"; done
  # The images the chart runs besides its own, and the bases to build ours.
  base_refs
  awk '/repository:/{r=$2} /tag:/ && r ~ /\// && r !~ /^patholabel\//{gsub(/"/,"",$2); print "docker.io/" r ":" $2; r=""}' \
    "$root/charts/patholabel/values.yaml"
}

engine() {
  # PL_ENGINE picks one: with podman's Docker API socket (for skaffold)
  # the docker CLI would answer too, but without podman's build features.
  [ -n "${PL_ENGINE:-}" ] && { echo "$PL_ENGINE"; return; }
  for e in docker podman; do command -v "$e" >/dev/null && "$e" info >/dev/null 2>&1 && { echo "$e"; return; }; done
  # A fresh machine (CI's first run) has neither: install podman as the
  # cluster does (runc, lowered rlimits), rather than fail.
  if command -v apt-get >/dev/null; then
    "$PL_ROOT/scripts/cluster/install.sh" >&2
    CONTAINERS_CONF=$PL_CACHE/cluster/containers.conf podman info >/dev/null 2>&1 && { echo podman; return; }
  fi
  echo "images.sh: no working docker or podman here (and scripts/cluster/install.sh could not install podman)" >&2; exit 1
}

# base_refs: the external images the Dockerfile starts from (its own stages,
# such as `runtime`, carry no tag).
base_refs() { awk '$1=="FROM" && $2 ~ /:/{print $2}' "$dockerfile" | sort -u; }

pin() {
  local e=$1 ref digest
  for ref in $(base_refs | grep -v @); do
    "$e" pull -q "$ref" >/dev/null
    digest=$("$e" image inspect --format '{{index .RepoDigests 0}}' "$ref" | cut -d@ -f2)
    sed -i "s|^FROM $ref\\b|FROM $ref@$digest|" "$dockerfile"
    echo "pinned $ref@$digest in $dockerfile"
  done
}

# bases: every external FROM image present, pulled, or made here.
bases() {
  local ref missing=()
  for ref in $(base_refs); do
    podman image exists "$ref" && continue
    timeout 30 podman pull -q "$ref" >/dev/null 2>&1 && continue
    missing+=("$ref")
  done
  [ ${#missing[@]} -eq 0 ] || { say "no registry serves ${missing[*]}; making them locally"; "$PL_ROOT/scripts/cluster/bases.sh" "${missing[@]}"; }
}

# save REF: $PL_CACHE/images/<name>.tar for containerd, when the id changed.
save() {
  local ref=$1 id out
  id=$(podman image inspect --format '{{.Id}}' "$ref")
  out=${PL_IMAGE_DIR:-$PL_CACHE/images}/$(echo "${ref#*/}" | tr '/:' '__').tar
  [ -f "$out" ] && [ "$(cat "$out.id" 2>/dev/null)" = "$id" ] && return 0
  mkdir -p "$(dirname "$out")"
  podman save -q --format docker-archive -o "$out.tmp" "$ref"
  mv "$out.tmp" "$out"
  echo "$id" >"$out.id"
  say "saved $ref ($(du -h "$out" | cut -f1))"
}

case "${1:-}" in
  --list) list | sort -u; exit 0 ;;
  --skaffold)
    # IMAGE is REGISTRY/patholabel/NAME:TAG, as skaffold.yaml names them.
    : "${IMAGE:?--skaffold: skaffold sets IMAGE}"
    [[ $IMAGE == */patholabel/*:* ]] || die "--skaffold: cannot build $IMAGE (want REGISTRY/patholabel/NAME:TAG)"
    n=${IMAGE##*/patholabel/}
    # Tarballs of skaffold's builds are imported and deleted, not kept:
    # every source change makes a new tag.
    PL_IMAGE_DIR=$(mktemp -d)
    trap 'rm -rf "$PL_IMAGE_DIR"' EXIT
    export PL_IMAGE_DIR
    IMAGES=${n%%:*} TAG=${IMAGE##*:} REGISTRY=${IMAGE%%/patholabel/*} "$0"
    e=$(engine)
    if [ "${PUSH_IMAGE:-false}" = true ]; then "$e" push "$IMAGE"; fi
    if [ "$e" = podman ]; then
      # Not pushing, skaffold deploys REPO:<image id>: that name must be in
      # the cluster too.
      idref=${IMAGE%:*}:$(podman image inspect --format '{{.Id}}' "$IMAGE")
      podman tag "$IMAGE" "$idref"
      save "$idref"
      podman untag "$IMAGE" "$idref"
      "$PL_ROOT/scripts/cluster/load.sh" "$PL_IMAGE_DIR"/*.tar
    fi
    exit 0
    ;;
esac
e=$(engine)
[ "${1:-}" = --pin ] && pin "$e"
args=()
if [ "$e" = podman ]; then
  export CONTAINERS_CONF=$PL_CACHE/cluster/containers.conf
  [ -f "$CONTAINERS_CONF" ] || "$PL_ROOT/scripts/cluster/install.sh"
  bases
  mkdir -p "$HOME/.npm"
  args=(-v "$(go env GOMODCACHE)/cache/download:/run/goproxy:ro"
    --build-arg "GOPROXY=file:///run/goproxy,https://proxy.golang.org"
    -v "$HOME/.npm:/run/npm-cache" --build-arg npm_config_cache=/run/npm-cache)
  # Fill the host's module cache with every module the images need, so the
  # builds find them in /run/goproxy.
  for d in auth tiler annotation export gateway; do
    (cd "$root/services/$d" && GOWORK=off go mod download)
  done
fi
for t in "${targets[@]}"; do
  [ -z "${IMAGES:-}" ] || [[ " $IMAGES " == *" $t "* ]] || continue
  ref=$registry/patholabel/$t:$tag
  say "building $ref"
  "$e" build ${args[@]+"${args[@]}"} --build-arg "VERSION=$(pl_version)" -f "$dockerfile" --target "$t" -t "$ref" "$root"
  [ "$e" = podman ] && save "$ref"
done

if [ "$e" = podman ] && [ -z "${IMAGES:-}" ]; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  for entry in "${eval_images[@]}"; do
    read -r name itag <<<"$entry"
    ref=localhost/patholabel-eval/$name:$itag
    rm -rf "$ctx"/*
    cp -r "$PL_ROOT/scripts/cluster/images/$name/." "$ctx/"
    case $name in
      minio) cp "$(minio_bin)" "$ctx/minio" ;;
      dex) cp "$("$PL_ROOT/scripts/tool.sh" dex)" "$ctx/dex" ;;
      slapd) cp "$PL_ROOT/scripts/sso-config.sh" "$ctx/" ;;
    esac
    say "building $ref"
    podman build -q -t "$ref" "$ctx" >/dev/null
    save "$ref"
  done
fi
# The throwaway cluster, when it runs, gets the new images at once.
if [ "$e" = podman ]; then "$PL_ROOT/scripts/cluster/load.sh"; fi
