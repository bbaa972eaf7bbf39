#!/usr/bin/env bash
# Imports image tarballs of `make images` into the throwaway cluster's
# containerd, each once per image id (a stamp beside containerd's store).
# Pods then run them with imagePullPolicy IfNotPresent: nothing is pulled.
#
#   scripts/cluster/load.sh [TAR...]     default: every $CL_IMAGES/*.tar
#
# Does nothing when the cluster's containerd is not running.
set -euo pipefail
. "$(dirname "$0")/env.sh"
running "$CL_STATE" containerd || exit 0
[ $# -gt 0 ] || set -- "$CL_IMAGES"/*.tar
n=0
for t in "$@"; do
  [ -e "$t" ] || continue
  stamp=$CL_STATE/containerd/imported-$(basename "$t" .tar)
  [ -s "$stamp" ] && [ "$(cat "$stamp")" = "$(cat "$t.id" 2>/dev/null)" ] && continue
  ctr_ images import --no-unpack "$t" >/dev/null
  cat "$t.id" >"$stamp"
  n=$((n + 1))
done
say "images: $n imported, $(ctr_ images ls -q | grep -vc '^sha256:') in the cluster's containerd"
