#!/usr/bin/env bash
# Stops the throwaway cluster (make cluster-down) and puts the host back as
# up.sh found it: pods stopped through the CRI (so CNI releases their
# addresses), the processes up.sh started (by pid file), containerd's shims,
# mounts, the pod bridge, the iptables chains and ipsets of kube-proxy,
# kubelet, kube-router and CNI, the kubepods cgroups, the sysctls and the
# host dirs kubelet and containerd create.
#
#   scripts/cluster/down.sh [--purge]   --purge also deletes the state (etcd,
#                                       volumes, containerd store); the
#                                       binaries and images stay cached
set -uo pipefail
. "$(dirname "$0")/env.sh"
S=$CL_STATE
[ -d "$S" ] || { say "no cluster state in $S"; exit 0; }
stop() { stop_pid "$S" "$1"; }
crictl_bin=$(ls "$PL_CACHE"/tools/crictl-* 2>/dev/null | head -n1)
kproxy=$(ls "$PL_CACHE"/tools/kubernetes-kube-proxy-* 2>/dev/null | head -n1)
krouter=$(ls "$PL_CACHE"/tools/kube-router-* 2>/dev/null | head -n1)

stop kubelet
if [ -S "$CL_SOCK" ]; then
  if [ -n "$crictl_bin" ]; then
    C=("$crictl_bin" --config "$S/cfg/crictl.yaml")
    pods=$("${C[@]}" pods -q 2>/dev/null)
    [ -n "$pods" ] && { "${C[@]}" stopp $pods >/dev/null 2>&1; "${C[@]}" rmp -f $pods >/dev/null 2>&1; }
  fi
  for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
fi
stop kube-router
[ -n "$krouter" ] && "$krouter" --cleanup-config >/dev/null 2>&1
stop kube-proxy
[ -n "$kproxy" ] && [ -f "$S/cfg/kube-proxy.yaml" ] && "$kproxy" --cleanup --config="$S/cfg/kube-proxy.yaml" >/dev/null 2>&1
for p in kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do stop "$p"; done
# Shims of our containerd outlive it; they name our socket on their command line.
for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CL_SOCK"); do kill -9 "$p" 2>/dev/null; done
sleep 1
findmnt -rn -o TARGET | grep "^$S/" | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
ip link show "$CL_BRIDGE" >/dev/null 2>&1 && ip link del "$CL_BRIDGE"
# Every KUBE-*, CNI-* and PLCLUSTER-* chain that did not exist before up.sh
# (podman's CNI plugins keep CNI-FORWARD and CNI-ADMIN of their own), and
# only the rules jumping to them.
for ipt in iptables ip6tables; do
  orig=$S/iptables.orig
  [ $ipt = ip6tables ] && orig=$S/ip6tables.orig
  for t in mangle nat filter raw; do
    chains=$($ipt -t $t -S 2>/dev/null | awk '/^-N (KUBE-|CNI-|PLCLUSTER-)/{print $2}' |
      while read -r c; do awk -v t="*$t" -v c=":$c" '$0==t{in_t=1; next} /^\*/{in_t=0} in_t && $1==c{f=1} END{exit !f}' "$orig" 2>/dev/null || echo "$c"; done)
    [ -n "$chains" ] || continue
    for c in $chains; do
      $ipt -t $t -S | grep -E -- "-j $c( |\$)" | grep -vE '^-A (KUBE-|CNI-|PLCLUSTER-)' | sed 's/^-A/-D/' |
        while read -r r; do eval "$ipt -t $t $r"; done
    done
    for c in $chains; do $ipt -t $t -F "$c"; done
    for c in $chains; do $ipt -t $t -X "$c"; done
  done
done 2>/dev/null
# Tables only kubelet/kube-proxy created (now empty) go too.
if [ -f "$S/iptables.orig" ] && command -v nft >/dev/null; then
  for fam in ip ip6; do
    f=$S/iptables.orig ipt=iptables
    [ $fam = ip6 ] && f=$S/ip6tables.orig ipt=ip6tables
    for t in mangle nat filter raw; do
      grep -qx "\*$t" "$f" && continue
      [ "$($ipt -t $t -S 2>/dev/null | grep -vcE '^-P ')" = 0 ] && nft list table $fam $t >/dev/null 2>&1 && nft delete table $fam $t
    done
  done
fi
command -v ipset >/dev/null && for s in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)'); do ipset destroy "$s" 2>/dev/null; done
for h in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice /sys/fs/cgroup/unified/kubepods; do
  [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null
done
if [ -f "$S/sysctl.orig" ]; then
  sed 's/ //g' "$S/sysctl.orig" | while read -r kv; do sysctl -qw "$kv"; done
  rm -f "$S/sysctl.orig"
fi
if [ -s "$S/modules.orig" ]; then
  grep -qx br_netfilter "$S/modules.orig" || modprobe -r br_netfilter 2>/dev/null
  rm -f "$S/modules.orig"
fi
if [ -f "$S/hostdirs.orig" ]; then
  find /var/log/containers -lname "$S/*" -delete 2>/dev/null
  for d in /var/log/containers /var/log/pods /var/lib/kubelet /run/containerd /usr/libexec/kubernetes; do
    grep -qx "$d" "$S/hostdirs.orig" || rm -rf "$d"
  done
  grep -qx /var/run/netns "$S/hostdirs.orig" || rmdir /var/run/netns 2>/dev/null
  rm -f "$S/hostdirs.orig"
fi
rm -f "$S/iptables.orig" "$S/ip6tables.orig"
if [ "${1:-}" = --purge ]; then
  rm -rf "$S"
  rm -f "$CL_KUBECONFIG"
fi
left=$(pgrep -fc "$S/" || true)
say "cluster down: $left processes and $(findmnt -rn -o TARGET | grep -c "^$S/") mounts left under $S"
