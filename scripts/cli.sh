#!/usr/bin/env bash
# Builds the patholabel command-line tool (cli/) into DIR/patholabel for
# this machine, and its release binaries into DIR/release/ with their
# SHA256SUMS: static (no cgo), for Linux, macOS and Windows on amd64 and
# arm64, each stamped with `git describe` (`patholabel version`).
#
#   scripts/cli.sh DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
mkdir -p "${1:?usage: scripts/cli.sh DIR}"
out=$(cd "$1" && pwd)
pkg=github.com/patholabel/patholabel/cli/cmd/patholabel
flags=(-trimpath -ldflags "-s -w -X main.Version=$(pl_version)")
cd "$PL_ROOT"
CGO_ENABLED=0 go build "${flags[@]}" -o "$out/patholabel" "$pkg"
mkdir -p "$out/release"
rm -f "$out"/release/patholabel-*
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  goos=${target%/*} goarch=${target#*/}
  ext=""; [ "$goos" = windows ] && ext=.exe
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build "${flags[@]}" -o "$out/release/patholabel-$goos-$goarch$ext" "$pkg"
done
(cd "$out/release" && sha256sum patholabel-* >SHA256SUMS)
say "patholabel $(pl_version): $out/patholabel, release binaries in $out/release"
