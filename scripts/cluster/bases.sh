#!/usr/bin/env bash
# Makes the base images of the Dockerfile locally, under the names its
# FROM lines use, when no registry can be pulled from:
#
#   scripts/cluster/bases.sh REF...     e.g. debian:12.12-slim golang:1.26.8-bookworm
#
#   debian:*-slim      debootstrap --variant=minbase of the same Debian release
#   golang:*-bookworm  debian:12.12-slim + gcc, libc6-dev, pkg-config, git and
#                      this host's Go toolchain, which must be the tag's version
#   node:*-bookworm-slim  debian:12.12-slim + this host's Node.js of the same
#                      major version (the nodejs package's files)
#
# A base made here carries the label org.patholabel.local-base=1 so that
# `make images` can tell it from a pulled one. Needs root.
set -euo pipefail
. "$(dirname "$0")/env.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/pl-bases.XXXX")
trap 'rm -rf "$work"' EXIT
full() { case $1 in */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac; }

# rootfs DIR [PACKAGE...]: Debian 12 minbase with the packages, without docs,
# apt lists or caches (what the -slim images leave out too).
rootfs() {
  local dir=$1
  shift
  local inc=ca-certificates
  [ $# -gt 0 ] && inc="$inc,$(IFS=,; echo "$*")"
  debootstrap --variant=minbase --include="$inc" bookworm "$dir" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  chroot "$dir" apt-get clean
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
    "$dir"/var/log/*.log "$dir"/tmp/*
  # The security updates the images' apt-get install expects to see.
  echo "deb http://deb.debian.org/debian-security bookworm-security main" >>"$dir/etc/apt/sources.list"
  echo "deb http://deb.debian.org/debian bookworm-updates main" >>"$dir/etc/apt/sources.list"
}

import() { # DIR REF CHANGE...
  local dir=$1 ref=$2
  shift 2
  local args=(--change "LABEL org.patholabel.local-base=1")
  local c
  for c in "$@"; do args+=(--change "$c"); done
  tar -C "$dir" -c . | podman import -q "${args[@]}" - "$ref" >/dev/null
  say "made $ref locally"
}

# debian_base: the Debian 12 slim image the others start from, made first.
debian_base() {
  local ref=docker.io/library/debian:12.12-slim
  podman image exists "$ref" || "$0" debian:12.12-slim >&2
  echo "$ref"
}

for ref in "$@"; do
  name=${ref%%:*} tag=${ref#*:}
  dir=$work/$name
  case $name in
    debian)
      case $tag in 12*-slim | bookworm-slim) ;; *) die "bases.sh: cannot make debian:$tag" ;; esac
      rootfs "$dir"
      import "$dir" "$(full "$ref")" 'CMD ["bash"]'
      ;;
    golang)
      v=${tag%%-*}
      have=$(go env GOVERSION)
      [ "$have" = "go$v" ] || die "bases.sh: golang:$tag needs Go $v here, this host has $have"
      mkdir -p "$dir"
      cp -a "$(go env GOROOT)" "$dir/go"
      cat >"$dir/Dockerfile" <<DF
FROM $(debian_base)
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make pkg-config git \\
 && rm -rf /var/lib/apt/lists/*
COPY go /usr/local/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOPATH=/go GOLANG_VERSION=$v GOTOOLCHAIN=local
LABEL org.patholabel.local-base=1
WORKDIR /go
DF
      podman build -q -t "$(full "$ref")" "$dir" >/dev/null
      say "made $(full "$ref") locally"
      ;;
    node)
      v=${tag%%-*}
      have=$(node --version)
      [ "${have%%.*}" = "v${v%%.*}" ] || die "bases.sh: node:$tag needs Node ${v%%.*} here, this host has $have"
      mkdir -p "$dir"
      # node and the global modules (npm, corepack) as this host has them:
      # not the nodejs package's file list, which npm's self-update outdated.
      tar -C / -cz -f "$dir/node.tar.gz" usr/bin/node usr/bin/npm usr/bin/npx usr/lib/node_modules \
        $(cd / && ls -d usr/bin/corepack 2>/dev/null)
      cat >"$dir/Dockerfile" <<DF
FROM $(debian_base)
ADD node.tar.gz /
ENV NODE_VERSION=${have#v}
LABEL org.patholabel.local-base=1
CMD ["node"]
DF
      podman build -q -t "$(full "$ref")" "$dir" >/dev/null
      say "made $(full "$ref") locally"
      ;;
    *) die "bases.sh: no recipe for $ref" ;;
  esac
  rm -rf "$dir"
done
