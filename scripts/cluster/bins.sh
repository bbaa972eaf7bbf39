#!/usr/bin/env bash
# Builds (once per machine, cached by scripts/tool.sh) every binary the
# throwaway cluster runs, and prints NAME=PATH lines for env.sh to source.
#
#   scripts/cluster/bins.sh            build what is missing, print the paths
#
# All come from the Go module proxy, pinned in scripts/tools/*: Kubernetes
# v1.34.4, CoreDNS, Traefik, crictl, kube-router (NetworkPolicy), helm.
# A cold build is about 25 CPU-minutes; it runs at nice 10. (Prometheus,
# only for make test-cluster, is built by prometheus.sh when first needed.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tool() { nice -n 10 "$root/scripts/tool.sh" "$@"; }
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  echo "${b//-/_}=$(tool kubernetes "$b")"
done
echo "crictl=$(tool crictl)"
echo "coredns=$(tool coredns)"
echo "helm=$(tool helm)"
echo "kube_router=$(tool kube-router)"
echo "traefik=$(tool traefik)"
