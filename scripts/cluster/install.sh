#!/usr/bin/env bash
# Installs the host packages of the throwaway cluster and the image builds,
# and writes podman's settings for them. Idempotent; needs root (or sudo).
#
#   scripts/cluster/install.sh
#
# podman runs with runc: crun cannot create containers on this kind of
# hybrid cgroup v1 host. Its default nofile limit (1048576) is more than a
# process here may raise to (no CAP_SYS_RESOURCE), and so is its nproc
# limit, so every container failed with "error setting rlimits ...
# operation not permitted". nofile is lowered to the shell's hard limit;
# nproc to 32768 (on this kind of host even the shell's own hard limit,
# 96367, was refused; 32768 is accepted and plenty for a build). The settings live in $CONTAINERS_CONF (under
# the cache), so /etc/containers stays as it was.
set -euo pipefail
. "$(dirname "$0")/env.sh"

apt_install podman runc etcd-server containerd containernetworking-plugins conntrack iptables nftables ipset \
  debootstrap
# The packages enable etcd and containerd as system services; on a host with
# systemd they would hold 2379 and /run/containerd. The cluster runs its own.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  for s in etcd containerd; do
    systemctl is-enabled -q "$s" 2>/dev/null && as_root systemctl disable --now -q "$s" || true
  done
fi

nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu)
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
mkdir -p "$(dirname "$CONTAINERS_CONF")"
putfile "$CONTAINERS_CONF" <<CONF
# Written by scripts/cluster/install.sh; used through CONTAINERS_CONF.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
CONF
podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupsVersion}}' >/dev/null ||
  die "podman does not work here; see podman info"
say "host packages and podman settings ok (runtime runc, nofile $nofile, nproc $nproc)"
