#!/usr/bin/env bash
# Installs what this repository needs on a Debian 12 machine, skipping
# whatever is already there.
#
#   scripts/deps.sh run    what `make up` needs
#   scripts/deps.sh test   that plus what `make test` needs (the browsers, etcd)
#   scripts/deps.sh bench  that plus the peers `make bench` measures against
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Debian 12 packages Go 1.19 and Node.js 18, both too old: the README's
# "Prerequisites" says where to get current ones.
check_go() {
  command -v go >/dev/null || die "Go 1.26 or newer is required: unpack the release from https://go.dev/dl/ into /usr/local/go and add /usr/local/go/bin to PATH (Debian 12's golang package is 1.19, too old)"
  local v
  v=$(go env GOVERSION | sed 's/^go//')
  [ "$(printf '%s\n1.26\n' "$v" | sort -V | head -n1)" = "1.26" ] || die "Go $v is too old; 1.26 or newer is required (https://go.dev/dl/)"
}

check_node() {
  command -v node >/dev/null || die "Node.js 20.19 or newer with npm is required: NodeSource's Debian packages (https://github.com/nodesource/distributions) or the release from https://nodejs.org/ (Debian 12's nodejs is 18, too old)"
  local v
  v=$(node --version | sed 's/^v//')
  [ "$(printf '%s\n20.19\n' "$v" | sort -V | head -n1)" = "20.19" ] || die "Node.js $v is too old; 20.19 or newer is required (https://nodejs.org/)"
  command -v npm >/dev/null || die "npm is missing; it comes with Node.js from NodeSource or nodejs.org"
}

# packages prints the Debian packages a mode needs, all at once, so that a
# user without root gets one complete list.
packages() {
  echo gcc pkg-config curl ca-certificates libvips-dev libvips-tools openslide-tools
  command -v mariadb >/dev/null || command -v mysql >/dev/null || echo mariadb-client
  # A server only where nothing answers; a running one is reused.
  port_open 127.0.0.1 3306 || echo mariadb-server
  port_open 127.0.0.1 6379 || echo redis-server
  # Browsers of the e2e run: Chromium, Firefox, and WebKit (WebKitGTK's MiniBrowser and
  # WebDriver, on an Xvfb display since WebKitGTK has no headless mode).
  [ "$1" = test ] && echo chromium firefox-esr webkit2gtk-driver xvfb
  # The export's training smoke test: docs/ml's scripts train with Debian's torch.
  [ "$1" = test ] && echo python3-torch python3-torchvision
  # The directory of the single sign-on tests and of PATHOLABEL_SSO=dev
  # (scripts/sso-dev.sh): slapd, and ldap-utils for slappasswd.
  { [ "$1" = test ] || [ "${PATHOLABEL_SSO:-}" = dev ]; } && echo slapd ldap-utils
  # The benchmarks' load generator and peers: nginx serving tiles from disk,
  # IIPImage (FastCGI, started by spawn-fcgi) serving a pyramidal TIFF.
  [ "$1" = bench ] && echo nginx wrk time iipimage-server spawn-fcgi
  return 0
}

deps() {
  check_go
  check_node
  # shellcheck disable=SC2046 # one package name per word
  apt_install $(packages "$1")
  minio_bin >/dev/null
  "$PL_ROOT/scripts/web.sh" deps
}

case "${1:-run}" in
  run | test | bench) deps "${1:-run}" ;;
  *) die "usage: scripts/deps.sh run|test|bench" ;;
esac
