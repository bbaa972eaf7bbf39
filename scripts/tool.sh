#!/usr/bin/env bash
# Prints the path of a pinned developer tool, building it first if the cache lacks it.
#
#   scripts/tool.sh NAME [BIN]
#
# Each tool is pinned by its own Go module in scripts/tools/NAME: its go.mod
# requires the tool at an exact version and declares it with a `tool` line
# (several `tool` lines build several binaries; NAME names the first one unless
# scripts/tools/NAME/bin says which package to build, and BIN picks another one
# by the last element of its package path, e.g. `scripts/tool.sh kubernetes kubectl`).
# Tools are built without debug information (no DWARF, stripped): nobody
# debugs them here, and on a cold machine that is less to compile and link.
# An optional scripts/tools/NAME/ldflags holds -ldflags for tools that report
# their version from link-time variables; a file scripts/tools/NAME/cgo builds
# it with cgo (Dex links SQLite). The binary is cached outside the
# repository, keyed by the hash of go.mod, go.sum and ldflags, so a clean clone
# (CI) builds each tool once per machine and never again.
set -euo pipefail

name=${1:?usage: scripts/tool.sh NAME [BIN]}
want=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/scripts/tools/$name"
[ -f "$dir/go.mod" ] || { echo "tool.sh: no pinned module for $name in $dir" >&2; exit 2; }

tools() { awk '$1=="tool" && $2!="("{print $2} /^tool \(/{blk=1; next} blk&&/^\)/{blk=0} blk{print $1}' "$dir/go.mod"; }
if [ -n "$want" ]; then
  pkg=$(tools | awk -v b="$want" '{n=split($0,p,"/")} p[n]==b{print; exit}')
  [ -n "$pkg" ] || { echo "tool.sh: $name declares no tool named $want" >&2; exit 2; }
elif [ -f "$dir/bin" ]; then
  pkg=$(cat "$dir/bin")
else
  pkg=$(tools | head -n1)
fi

cgo=${CGO_ENABLED:-0}
[ -f "$dir/cgo" ] && cgo=1
cache=${PATHOLABEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/patholabel}
ldflags=$(cat "$dir/ldflags" 2>/dev/null || true)
key=$({ cat "$dir/go.mod" "$dir/go.sum"; cat "$dir/ldflags" 2>/dev/null || true; } | sha256sum | cut -c1-12)
out="$cache/tools/$name${want:+-$want}-$key"
if [ ! -x "$out" ]; then
  mkdir -p "$cache/tools"
  # One build of a tool at a time: CI's warm.sh builds in the background what
  # a step may ask for at the same moment, and the second caller waits for
  # the first one's binary rather than compiling the same packages beside it.
  exec 9>"$out.lock"
  flock 9
  if [ ! -x "$out" ]; then
    echo "tool.sh: building $name ($pkg), once per machine" >&2
    (cd "$dir" && GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" CGO_ENABLED=$cgo \
      go build -trimpath -gcflags=all=-dwarf=false -ldflags="-s -w $ldflags" -o "$out.tmp.$$" "$pkg")
    mv "$out.tmp.$$" "$out"
  fi
  exec 9>&-
fi
echo "$out"
