#!/usr/bin/env bash
# `make test-fresh`: the README's newcomer path on a new Debian 12 server.
#
# Builds (once, cached) a minimal Debian 12 root with debootstrap plus only
# the README's prerequisites (Go, Node.js, git, make) and sudo, then, in
# private mount, PID, UTS and network namespaces (outbound through slirp4netns, the
# host's loopback out of reach, so nothing collides with what runs here):
#
#   1. a user `newcomer` who may sudo, with a copy of this working tree;
#   2. apt behaves like systemd's Debian: installing mariadb-server starts the
#      packaged server at once, root allowed through the local socket only;
#   3. `make up` as newcomer, then scripts/smoke.sh (readyz, sign-in, a tile
#      of the demo slide), `make down`, and the same again (a second day).
#
# Everything it starts dies with the namespaces. The newcomer's Go, npm and
# MinIO caches are kept between runs in $PATHOLABEL_CACHE/fresh/home (never
# the host's); FRESH_COLD=1 starts them empty, as on a truly new machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
  can_sudo || die "test-fresh needs root (debootstrap, chroot, namespaces): run it as root or through sudo"
  mapfile -t envs < <(pass_env)
  exec sudo env "${envs[@]}" PATHOLABEL_CACHE="$PL_CACHE" "$0" "$@"
fi
apt_install debootstrap slirp4netns iproute2
started=$SECONDS
step() { printf '==> [test-fresh %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }

mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
go_root=$(go env GOROOT)
go_version=$(go env GOVERSION)
node_version=$(node --version)
key=$(printf '%s\n' 1 "$mirror" "$go_version" "$node_version" | sha256sum | cut -c1-12)
cache="$PL_CACHE/fresh"
base="$cache/root-$key"

# make_base: debootstrap's minbase of bookworm, plus git, make, sudo and
# ca-certificates, plus Go and Node.js installed as the README says (the Go
# release unpacked into /usr/local/go; NodeSource's nodejs package, whose files
# are this machine's own, with the npm it was upgraded to).
make_base() {
  step "debootstrap bookworm into $base (once)"
  local tmp="$base.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  debootstrap --variant=minbase --include=ca-certificates,git,make,sudo bookworm "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  cp -a "$go_root" "$tmp/usr/local/go"
  echo 'export PATH=/usr/local/go/bin:$HOME/go/bin:$PATH' >"$tmp/etc/profile.d/go.sh"
  local f node=()
  for f in /usr/bin/node /usr/bin/npm /usr/bin/npx /usr/bin/corepack /usr/lib/node_modules /usr/include/node; do
    [ -e "$f" ] && node+=("${f#/}")
  done
  tar -C / -cf - "${node[@]}" | tar -xf - -C "$tmp"
  rm -rf "$tmp/var/cache/apt/archives"/*.deb
  mv "$tmp" "$base"
}
mkdir -p "$cache"
[ -d "$base" ] || make_base
[ "${FRESH_COLD:-}" = 1 ] && rm -rf "$cache/home"
mkdir -p "$cache/home"

work=$(mktemp -d "${TMPDIR:-/tmp}/pl-fresh.XXXXXX")
cleanup() {
  [ -n "${slirp:-}" ] && kill "$slirp" 2>/dev/null
  [ -n "${ns:-}" ] && kill "$ns" 2>/dev/null && wait "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/upper" "$work/overlay-work" "$work/root" "$work/tree"
step "copying this working tree (tracked and new files) for the newcomer"
(cd "$PL_ROOT" && git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work/tree")

# What this network needs of a new machine, done as the README tells hospital
# IT: the CAs this host trusts beyond Debian's (a TLS-intercepting proxy's)
# go to /usr/local/share/ca-certificates, and the proxy and mirror settings
# of this environment to /etc/environment.
mkdir -p "$work/extra-ca"
awk -v dir="$work/extra-ca" '/BEGIN CERTIFICATE/ {n++} n {print > (dir "/host-" n ".crt")}' /etc/ssl/certs/ca-certificates.crt
for c in "$work"/extra-ca/*.crt; do
  grep -qF "$(sed -n 2p "$c")" "$base/etc/ssl/certs/ca-certificates.crt" && rm -f "$c"
done
{ pass_env | grep -v -e '^SSL_CERT_' -e '^NODE_EXTRA_CA_CERTS='; echo NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt; } >"$work/environment"

# The part that runs as the new machine's root, inside the namespaces.
cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
r=$1 work=$2
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$FRESH_BASE,upperdir=$work/upper,workdir=$work/overlay-work" "$r"
mount -t proc proc "$r/proc"
mount -t sysfs sys "$r/sys"
mount --rbind /dev "$r/dev"
mount -t tmpfs tmpfs "$r/dev/shm"
mount -t tmpfs tmpfs "$r/run"
mount -t tmpfs -o size=8g tmpfs "$r/tmp"
ip link set lo up
hostname fresh
# Wait for slirp4netns (started by the host side) to bring up tap0.
# (No `ip route | grep -q` here: under pipefail, grep leaving after the first
# line kills ip with SIGPIPE and the pipeline fails though the route is there.)
for _ in $(seq 600); do [ -n "$(ip route show default)" ] && break; sleep 0.1; done
[ -n "$(ip route show default)" ] || { echo "no network in the namespace:" >&2; ip addr >&2; ip route >&2; exit 1; }
echo 'nameserver 10.0.2.3' >"$r/etc/resolv.conf"
echo "fresh" >"$r/etc/hostname"
printf '127.0.0.1 localhost fresh\n::1 localhost\n' >"$r/etc/hosts"
# systemd's Debian starts a service's daemon when its package is installed;
# here a dpkg hook does the same for MariaDB, the way mariadb.service runs it.
cat >"$r/usr/local/sbin/start-packaged-mariadb" <<'SH'
#!/bin/sh
[ -x /usr/sbin/mariadbd ] || exit 0
[ -S /run/mysqld/mysqld.sock ] && exit 0
install -m 755 -o mysql -g root -d /run/mysqld
runuser -u mysql -- /usr/sbin/mariadbd >/var/log/mariadb-fresh.log 2>&1 &
for i in $(seq 100); do [ -S /run/mysqld/mysqld.sock ] && exit 0; sleep 0.2; done
echo "packaged MariaDB did not start" >&2
SH
chmod 755 "$r/usr/local/sbin/start-packaged-mariadb"
echo 'DPkg::Post-Invoke { "/usr/local/sbin/start-packaged-mariadb"; };' >"$r/etc/apt/apt.conf.d/99systemd-like"
cp "$work"/extra-ca/*.crt "$r/usr/local/share/ca-certificates/" 2>/dev/null && chroot "$r" update-ca-certificates >/dev/null
cat "$work/environment" >>"$r/etc/environment"
chroot "$r" useradd -m -s /bin/bash -G sudo newcomer
echo 'newcomer ALL=(ALL) NOPASSWD: ALL' >"$r/etc/sudoers.d/newcomer"
chmod 440 "$r/etc/sudoers.d/newcomer"
mkdir -p "$r/home/newcomer/patholabel" "$r/home/newcomer/.cache" "$r/home/newcomer/go"
mount --bind "$work/tree" "$r/home/newcomer/patholabel"
mount --bind "$FRESH_HOME/cache" "$r/home/newcomer/.cache"
mount --bind "$FRESH_HOME/go" "$r/home/newcomer/go"
chroot "$r" chown -R newcomer:newcomer /home/newcomer
as_newcomer() { chroot "$r" su - newcomer -c "cd ~/patholabel && $1"; }
pwfile="$r/home/newcomer/patholabel/.dev/admin-password"
echo "==> day 1: make up as newcomer (a sudo user), on a machine without MariaDB" >&2
as_newcomer "make up" 2>&1 | tee "$work/up-1.log"
grep -q "refuses user 'root'" "$work/up-1.log" || { echo "FAIL: make up did not meet the packaged MariaDB's socket-only root" >&2; exit 1; }
grep -q "created the account 'patholabel'" "$work/up-1.log" || { echo "FAIL: make up did not create its own account" >&2; exit 1; }
chroot "$r" mariadb -uroot -e "SELECT user, host FROM mysql.user WHERE user = 'patholabel'" | grep -q patholabel ||
  { echo "FAIL: no account patholabel in the packaged MariaDB" >&2; exit 1; }
first=$(cat "$pwfile")
grep -qF "$first" "$work/up-1.log" || { echo "FAIL: make up did not print the admin password" >&2; exit 1; }
echo "==> day 1: smoke check" >&2
as_newcomer "scripts/smoke.sh"
echo "==> day 1: disk used by the newcomer's caches, tools, npm packages and .dev" >&2
chroot "$r" du -sh /home/newcomer/.cache/go-build /home/newcomer/go /home/newcomer/.cache/patholabel \
  /home/newcomer/patholabel/web/node_modules /home/newcomer/patholabel/.dev >&2 || true
as_newcomer "make down"
echo "==> day 2: make up with a PATHOLABEL_ADMIN_PASSWORD the account does not have" >&2
as_newcomer "PATHOLABEL_ADMIN_PASSWORD=another-password-42 make up" 2>&1 | tee "$work/up-2.log"
[ "$(cat "$pwfile")" = "$first" ] || { echo "FAIL: make up overwrote the working admin password in .dev/admin-password" >&2; exit 1; }
grep -q "does not match the existing admin account" "$work/up-2.log" || { echo "FAIL: make up did not warn about the mismatch" >&2; exit 1; }
grep -q "created the account" "$work/up-2.log" && { echo "FAIL: day 2 made the database account again instead of using .dev/mysql.env" >&2; exit 1; }
echo "==> day 2: smoke check with the kept password" >&2
as_newcomer "scripts/smoke.sh"
as_newcomer "make down"
echo "==> test-fresh: the newcomer path passed" >&2
INSIDE

mkdir -p "$cache/home/cache" "$cache/home/go"
step "make up in a fresh Debian 12 root (namespaces; first run builds MinIO and fetches modules)"
FRESH_BASE=$base FRESH_HOME=$cache/home unshare --mount --net --pid --uts --fork --kill-child \
  bash "$work/inside.sh" "$work/root" "$work" &
ns=$!
inner=""
for _ in $(seq 100); do inner=$(pgrep -P "$ns" | head -n1 || true); [ -n "$inner" ] && break; sleep 0.05; done
[ -n "$inner" ] || die "the namespace did not start"
slirp4netns --configure --mtu=65520 --disable-host-loopback "$inner" tap0 >"$work/slirp.log" 2>&1 &
slirp=$!
wait "$ns" || { cat "$work/slirp.log" >&2; die "test-fresh failed (see above)"; }
ns=""
step "passed"
