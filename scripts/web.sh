#!/usr/bin/env bash
# Builds and tests the web viewer.
#
#   scripts/web.sh deps    npm ci when package-lock.json changed
#   scripts/web.sh build   deps, then vite build when sources changed
#   scripts/web.sh test    deps, typecheck and unit tests (vitest)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
web="$PL_ROOT/web"

deps() {
  command -v npm >/dev/null || die "npm is missing; it comes with Node.js 20.19+ (see the README's prerequisites)"
  local stamp="$web/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$web/package-lock.json" -nt "$stamp" ]; then
    say "installing the web viewer's npm packages"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  deps
  local out="$web/dist/index.html"
  if [ -f "$out" ] && [ -z "$(find "$web/src" "$web/public" "$web/index.html" "$web/package-lock.json" "$web"/vite.config.* -newer "$out" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  say "building the web viewer"
  (cd "$web" && npm run --silent build)
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  test) deps && (cd "$web" && npm run --silent typecheck && npm test) ;;
  *) die "usage: scripts/web.sh deps|build|test" ;;
esac
