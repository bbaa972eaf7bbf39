#!/usr/bin/env bash
# Boots the whole system in a throwaway state folder on its own ports and
# database, runs the viewer's end-to-end tests against it (the full suite and
# the axe-core accessibility audit in headless Chromium, a smoke test in
# headless Firefox and in WebKit under Xvfb, single sign-on through Dex and
# slapd), and stops everything, whatever the outcome. The browsers are
# Debian's; none is ever downloaded.
#
#   scripts/e2e.sh                  the whole suite
#   scripts/e2e.sh suggestions …    only e2e/suggestions.test.ts, …
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Single sign-on through a real provider (Dex in front of slapd): the SSO
# tests sign in on Dex's own login page (scripts/sso-dev.sh).
export PATHOLABEL_SSO=dev PL_DEX_PORT=${PL_E2E_DEX_PORT:-18556} PL_LDAP_PORT=${PL_E2E_LDAP_PORT:-18557}
throwaway_stack e2e "${PL_E2E_PORT:-18080}" "${PL_E2E_MINIO_PORT:-19100}"
"$PL_ROOT/scripts/seed-demo.sh"
cd "$PL_ROOT/web"
if [ $# -eq 0 ]; then
  npm run --silent test:e2e
else
  files=()
  for name in "$@"; do
    [ -f "e2e/$name.test.ts" ] || die "no end-to-end test e2e/$name.test.ts"
    files+=("e2e/$name.test.ts")
  done
  node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout "${files[@]}"
fi
