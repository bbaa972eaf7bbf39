# Settings of the throwaway single-node cluster (sourced by the scripts in
# this folder). Each can be overridden from the environment. Sources
# scripts/lib.sh; defines variables and functions, runs nothing.
# shellcheck shell=bash
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"

CL_DIR=$PL_ROOT/scripts/cluster
# State (certs, etcd, containerd store, logs) lives outside the repository:
# the containerd store alone is ~1 GB and must not be walked by go/npm tools.
CL_STATE=${PL_CLUSTER_STATE:-$PL_CACHE/cluster/state}
# The kubeconfig the user and the tests use.
CL_KUBECONFIG=$PL_ROOT/.dev/cluster/kubeconfig
CL_NODE=${PL_CLUSTER_NODE:-patholabel}
CL_DEV=${PL_CLUSTER_DEV:-$(ip -4 route show default | awk '{for(i=1;i<=NF;i++) if($i=="dev") {print $(i+1); exit}}')}
CL_NODE_IP=${PL_CLUSTER_NODE_IP:-$(ip -4 -o addr show dev "$CL_DEV" | awk '{split($4,a,"/"); print a[1]; exit}')}
CL_APISERVER_PORT=${PL_CLUSTER_APISERVER_PORT:-16443}
CL_ETCD_PORT=${PL_CLUSTER_ETCD_PORT:-23791}
CL_ETCD_PEER_PORT=${PL_CLUSTER_ETCD_PEER_PORT:-23801}
CL_POD_CIDR=10.244.0.0/24
CL_CLUSTER_CIDR=10.244.0.0/16
CL_SERVICE_CIDR=10.96.0.0/16
CL_KUBE_SVC_IP=10.96.0.1
CL_DNS_IP=10.96.0.10
CL_BRIDGE=plcluster0
CL_HTTP_PORT=${PL_CLUSTER_HTTP_PORT:-30080}
CL_URL=http://127.0.0.1:$CL_HTTP_PORT
# Dex of test-cluster's single sign-on step (scripts/cluster/sso.sh), on a
# NodePort of the node's address: one issuer URL that the browser on this
# host and the auth pods both reach.
CL_DEX_PORT=${PL_CLUSTER_DEX_PORT:-30556}
CL_ISSUER=http://$CL_NODE_IP:$CL_DEX_PORT/dex
CL_SOCK=$CL_STATE/containerd/containerd.sock
# The release cluster-up installs.
CL_NS=${PL_CLUSTER_NAMESPACE:-patholabel}
CL_RELEASE=${PL_CLUSTER_RELEASE:-patholabel}
# Image tarballs made by `make images`, imported into containerd.
CL_IMAGES=$PL_CACHE/images
# podman settings for our builds only (runc; nofile no higher than the hard
# limit a process here may hold), without editing /etc/containers.
export CONTAINERS_CONF=$PL_CACHE/cluster/containers.conf

# bins: NAME=PATH of every cluster binary (scripts/cluster/bins.sh).
cl_bins() {
  local f=$PL_CACHE/cluster/bins.env
  if [ ! -s "$f" ] || ! (set -a; . "$f"; for b in "$kube_apiserver" "$kubelet" "$traefik" "$coredns"; do [ -x "$b" ]; done) ||
    [ "$(cat "$f.key" 2>/dev/null)" != "$(cl_bins_key)" ]; then
    mkdir -p "$(dirname "$f")"
    "$CL_DIR/bins.sh" >"$f.tmp"
    mv "$f.tmp" "$f"
    cl_bins_key >"$f.key"
  fi
  set -a; . "$f"; set +a
}
cl_bins_key() { cat "$PL_ROOT"/scripts/tools/{kubernetes,crictl,coredns,helm,kube-router,traefik}/go.{mod,sum} | sha256sum | cut -c1-12; }

kc() { "$kubectl" --kubeconfig "$CL_KUBECONFIG" "$@"; }
hl() { "$helm" --kubeconfig "$CL_KUBECONFIG" "$@"; }
ctr_() { ctr -a "$CL_SOCK" -n k8s.io "$@"; }

# putfile PATH: stdin to PATH, only when the content changed (kube-proxy
# exits when its config file is touched, even with the same content).
putfile() {
  local t
  t=$(mktemp "$1.XXXX")
  cat >"$t"
  if cmp -s "$t" "$1"; then rm -f "$t"; else mv "$t" "$1"; fi
}

# waitfor DESC SECONDS CMD...: poll CMD until it succeeds.
waitfor() {
  local d=$1 t=$2 i=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -ge $((t * 2)) ] && die "timeout after ${t}s waiting for $d"
    sleep 0.5
  done
  say "$d ok"
}
