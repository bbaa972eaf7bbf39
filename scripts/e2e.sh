#!/usr/bin/env bash
# Boots the whole system in a throwaway state folder on its own ports and
# database, runs the viewer's end-to-end tests against it (the full suite and
# the axe-core accessibility audit in headless Chromium, a smoke test in
# headless Firefox and in WebKit under Xvfb), and stops everything, whatever
# the outcome. The browsers are Debian's; none is ever downloaded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

throwaway_stack e2e "${PL_E2E_PORT:-18080}" "${PL_E2E_MINIO_PORT:-19100}"
"$PL_ROOT/scripts/seed-demo.sh"
cd "$PL_ROOT/web"
npm run --silent test:e2e
