#!/usr/bin/env bash
# Starts the throwaway single-node Kubernetes v1.34.4 (make cluster-up): etcd,
# the control plane, containerd + runc, kubelet, kube-proxy and kube-router's
# NetworkPolicy controller as host processes; CoreDNS and Traefik (NodePort
# $CL_HTTP_PORT) as pods. Then imports the images of `make images` and
# installs the chart with the evaluation profile, unless --no-install.
#
#   scripts/cluster/up.sh [--no-install]
#
# State lives in $CL_STATE, the kubeconfig in .dev/cluster/kubeconfig.
# scripts/cluster/down.sh undoes every change to the host. Needs root.
set -euo pipefail
. "$(dirname "$0")/env.sh"
[ "$(id -u)" -eq 0 ] || die "the cluster's kubelet needs root"
T0=$(date +%s)
"$CL_DIR/install.sh"
cl_bins
S=$CL_STATE
mkdir -p "$S"/{pids,logs,etcd,containerd,cni/net.d,cni/ipam,kubelet,pod-logs,cfg,pv,flexvolume} "$(dirname "$CL_KUBECONFIG")"
chmod 700 "$S/etcd"
# Another cluster of this kind on the host (ports, /var/log/containers and
# /run/containerd are shared) would be broken by ours.
for p in "$CL_APISERVER_PORT" "$CL_ETCD_PORT" 10250 "$CL_HTTP_PORT"; do
  if port_open 127.0.0.1 "$p" || port_open "$CL_NODE_IP" "$p"; then
    running "$S" kube-apiserver || die "port $p is taken by another program"
  fi
done
"$CL_DIR/pki.sh"
P=$S/pki
cp "$P/admin.kubeconfig" "$CL_KUBECONFIG"

# What kubelet and kube-proxy change on the host: the sysctls they set, the
# host dirs they create, the iptables rules. down.sh restores all of it.
[ -f "$S/sysctl.orig" ] || sysctl vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.conf.all.route_localnet \
  net.bridge.bridge-nf-call-iptables 2>/dev/null >"$S/sysctl.orig" || true
[ -f "$S/hostdirs.orig" ] || for d in /var/log/containers /var/log/pods /var/lib/kubelet /run/containerd /var/run/netns /usr/libexec/kubernetes; do
  [ -e "$d" ] && echo "$d"
done >"$S/hostdirs.orig" || true
[ -f "$S/iptables.orig" ] || { iptables-save >"$S/iptables.orig"; ip6tables-save >"$S/ip6tables.orig"; }
if [ ! -f "$S/modules.orig" ] && [ -r /proc/modules ]; then cut -d' ' -f1 /proc/modules >"$S/modules.orig"; fi
# Bridged pod traffic must pass iptables for Services and NetworkPolicies.
modprobe br_netfilter 2>/dev/null || true
sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true

# ---- containerd (the CRI), runc ----
putfile "$S/containerd/config.toml" <<CONF
version = 2
root = "$S/containerd/root"
state = "$S/containerd/state"
[grpc]
  address = "$CL_SOCK"
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$S/containerd/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "localhost/patholabel-cluster/pause:1"
    # No CAP_SYS_RESOURCE here: a negative oom_score_adj cannot be set.
    restrict_oom_score_adj = true
    disable_apparmor = true
    netns_mounts_under_state_dir = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = "/usr/sbin/runc"
          Root = "$S/containerd/runc"
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$S/cni/net.d"
      max_conf_num = 1
CONF
putfile "$S/cni/net.d/10-patholabel.conflist" <<CONF
{
  "cniVersion": "1.0.0",
  "name": "patholabel",
  "plugins": [
    { "type": "bridge", "bridge": "$CL_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$S/cni/ipam", "ranges": [[{ "subnet": "$CL_POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CONF
printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 20\n' "$CL_SOCK" "$CL_SOCK" | putfile "$S/cfg/crictl.yaml"
# Nothing from the pod network leaves the node, and nothing addressed to the
# Service range that kube-proxy did not translate goes out the default route.
if ! iptables -S PLCLUSTER-GUARD >/dev/null 2>&1; then
  iptables -N PLCLUSTER-GUARD
  iptables -A PLCLUSTER-GUARD -d "$CL_SERVICE_CIDR" -j REJECT
  iptables -A PLCLUSTER-GUARD -s "$CL_CLUSTER_CIDR" -o "$CL_DEV" -j REJECT
  iptables -I OUTPUT -j PLCLUSTER-GUARD
  iptables -I FORWARD -j PLCLUSTER-GUARD
fi
running "$S" containerd || start_bg containerd "$S" containerd --config "$S/containerd/config.toml"
waitfor containerd 30 ctr -a "$CL_SOCK" version

# ---- images: the cluster's own (scratch images of one static binary) and
# those of `make images` ----
"$CL_DIR/infra-images.sh"
"$CL_DIR/load.sh"

# ---- etcd and the control plane ----
running "$S" etcd || start_bg etcd "$S" etcd --name patholabel --data-dir "$S/etcd" \
  --listen-client-urls "http://127.0.0.1:$CL_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$CL_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$CL_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$CL_ETCD_PEER_PORT" \
  --initial-cluster "patholabel=http://127.0.0.1:$CL_ETCD_PEER_PORT"
waitfor etcd 30 curl -sf "http://127.0.0.1:$CL_ETCD_PORT/health"
running "$S" kube-apiserver || start_bg kube-apiserver "$S" "$kube_apiserver" --etcd-servers="http://127.0.0.1:$CL_ETCD_PORT" \
  --bind-address="$CL_NODE_IP" --advertise-address="$CL_NODE_IP" --secure-port="$CL_APISERVER_PORT" \
  --service-cluster-ip-range="$CL_SERVICE_CIDR" --service-node-port-range=30000-32767 --client-ca-file="$P/ca.crt" \
  --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true --profiling=false
waitfor kube-apiserver 120 curl -sf --cacert "$P/ca.crt" "https://$CL_NODE_IP:$CL_APISERVER_PORT/readyz"
running "$S" kube-controller-manager || start_bg kube-controller-manager "$S" "$kube_controller_manager" \
  --kubeconfig="$P/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$P/controller-manager.kubeconfig" --authorization-kubeconfig="$P/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" --root-ca-file="$P/ca.crt" \
  --service-account-private-key-file="$P/sa.key" --service-cluster-ip-range="$CL_SERVICE_CIDR" \
  --cluster-cidr="$CL_CLUSTER_CIDR" --allocate-node-cidrs=false --flex-volume-plugin-dir="$S/flexvolume"
running "$S" kube-scheduler || start_bg kube-scheduler "$S" "$kube_scheduler" --kubeconfig="$P/scheduler.kubeconfig" \
  --authentication-kubeconfig="$P/scheduler.kubeconfig" --authorization-kubeconfig="$P/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false

# ---- the node ----
# Pods with dnsPolicy Default get no upstream resolver: no traffic leaves.
echo "nameserver 127.0.0.1" | putfile "$S/cfg/resolv.conf"
putfile "$S/cfg/kubelet.yaml" <<CONF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CL_SOCK
address: $CL_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $P/kubelet-server.crt
tlsPrivateKeyFile: $P/kubelet-server.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $P/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
clusterDNS: [$CL_DNS_IP]
resolvConf: $S/cfg/resolv.conf
podLogsDir: $S/pod-logs
failSwapOn: false
volumePluginDir: $S/flexvolume
oomScoreAdj: 0
maxPods: 60
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
CONF
running "$S" kubelet || start_bg kubelet "$S" "$kubelet" --config="$S/cfg/kubelet.yaml" --kubeconfig="$P/kubelet.kubeconfig" \
  --root-dir="$S/kubelet" --cert-dir="$S/kubelet/pki" --hostname-override="$CL_NODE" --node-ip="$CL_NODE_IP" --v=1
putfile "$S/cfg/kube-proxy.yaml" <<CONF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $P/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $CL_NODE
clusterCIDR: $CL_CLUSTER_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: 0
nodePortAddresses: ["127.0.0.0/8", "$CL_NODE_IP/32"]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: true, syncPeriod: 30s, minSyncPeriod: 1s}
CONF
running "$S" kube-proxy || start_bg kube-proxy "$S" "$kube_proxy" --config="$S/cfg/kube-proxy.yaml"
waitfor "node $CL_NODE Ready" 120 kc wait --for=condition=Ready "node/$CL_NODE" --timeout=2s

# ---- add-ons: RBAC of kube-router, CoreDNS, Traefik, volumes ----
# One document stream; a "---" between files, which need not end in one.
for f in "$CL_DIR"/manifests/{kube-router,coredns,traefik}.yaml; do
  sed -e "s|__DNS_IP__|$CL_DNS_IP|; s|__HTTP_PORT__|$CL_HTTP_PORT|" "$f"
  echo "---"
done | kc apply -f - >/dev/null
"$CL_DIR/volumes.sh"
# NetworkPolicy enforcement: kube-router's firewall alone (no routing, no
# service proxy), as a host process like kube-proxy.
running "$S" kube-router || start_bg kube-router "$S" "$kube_router" --kubeconfig="$P/kube-router.kubeconfig" \
  --run-firewall=true --run-router=false --run-service-proxy=false --hostname-override="$CL_NODE" \
  --service-cluster-ip-range="$CL_SERVICE_CIDR" --metrics-port=0 --health-port=20244 --v=1
waitfor kube-router 60 curl -sf http://127.0.0.1:20244/healthz
kc -n kube-system rollout status deploy/coredns --timeout=180s >/dev/null
kc -n traefik rollout status deploy/traefik --timeout=180s >/dev/null
say "cluster up in $(($(date +%s) - T0)) s: KUBECONFIG=$CL_KUBECONFIG"

[ "${1:-}" = --no-install ] && exit 0
"$CL_DIR/install-chart.sh"
say "installed in $(($(date +%s) - T0)) s"
echo
echo "  Viewer:   $CL_URL"
echo "  Login:    admin / $(kc -n "$CL_NS" get secret "$CL_RELEASE-admin" -o jsonpath='{.data.password}' | base64 -d)"
echo "  kubectl:  KUBECONFIG=$CL_KUBECONFIG $kubectl get pods -n $CL_NS"
echo "  Stop:     make cluster-down"
