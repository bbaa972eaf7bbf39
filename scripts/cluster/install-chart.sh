#!/usr/bin/env bash
# Installs (or upgrades) the chart into the throwaway cluster with the
# evaluation profile and scripts/cluster/values.yaml, and waits for it.
#
#   scripts/cluster/install-chart.sh [helm upgrade flags...]
set -euo pipefail
. "$(dirname "$0")/env.sh"
cl_bins
# The values, rendered where skaffold's "throwaway" profile finds them too.
# The MinIO image's tag is the pinned MinIO version (scripts/lib.sh).
vals=$PL_ROOT/.dev/cluster/values.yaml
mkdir -p "$(dirname "$vals")"
sed -e "s|MINIO_TAG|\"$MINIO_VERSION\"|" -e "s|PUBLIC_URL|$CL_URL|" "$CL_DIR/values.yaml" >"$vals"
say "helm upgrade --install $CL_RELEASE (namespace $CL_NS)"
hl upgrade --install "$CL_RELEASE" "$PL_ROOT/charts/patholabel" -n "$CL_NS" --create-namespace \
  -f "$PL_ROOT/charts/patholabel/ci/evaluation-values.yaml" -f "$vals" --wait --timeout 15m --hide-notes "$@"
