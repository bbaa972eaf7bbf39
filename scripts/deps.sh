#!/usr/bin/env bash
# Installs what this repository needs on a Debian 12 machine, skipping
# whatever is already there.
#
#   scripts/deps.sh run    what `make up` needs
#   scripts/deps.sh test   that plus what `make test` needs (the browsers, etcd)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check_go() {
  command -v go >/dev/null || die "Go 1.26 or newer is required (https://go.dev/doc/install); Debian's golang package is too old"
  local v
  v=$(go env GOVERSION | sed 's/^go//')
  [ "$(printf '%s\n1.26\n' "$v" | sort -V | head -n1)" = "1.26" ] || die "Go $v is too old; 1.26 or newer is required"
}

check_node() {
  command -v node >/dev/null || die "Node.js 20.19 or newer (with npm) is required; Debian 12's nodejs is too old"
  local v
  v=$(node --version | sed 's/^v//')
  [ "$(printf '%s\n20.19\n' "$v" | sort -V | head -n1)" = "20.19" ] || die "Node.js $v is too old; 20.19 or newer is required"
}

run_deps() {
  check_go
  check_node
  apt_install gcc pkg-config curl ca-certificates libvips-dev libvips-tools openslide-tools
  minio_bin >/dev/null
  "$PL_ROOT/scripts/web.sh" deps
}

case "${1:-run}" in
  run) run_deps ;;
  # Browsers of the e2e run: Chromium, Firefox, and WebKit (WebKitGTK's MiniBrowser and
  # WebDriver, on an Xvfb display since WebKitGTK has no headless mode).
  test) run_deps && apt_install chromium firefox-esr webkit2gtk-driver xvfb ;;
  *) die "usage: scripts/deps.sh run|test" ;;
esac
