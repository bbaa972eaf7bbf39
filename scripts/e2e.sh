#!/usr/bin/env bash
# Boots the whole system in a throwaway state folder on its own ports and
# database, runs the viewer's end-to-end tests in headless Chromium against
# it, and stops everything, whatever the outcome.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

export PL_STATE
PL_STATE=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-e2e.XXXXXX")
export PL_PORT=${PL_E2E_PORT:-18080}
export PL_MINIO_PORT=${PL_E2E_MINIO_PORT:-19100}
export PL_DB="ple2e_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PATHOLABEL_ADMIN_PASSWORD="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

cleanup() {
  "$PL_ROOT/scripts/stack.sh" stop || true
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS \`$PL_DB\`" 2>/dev/null || true
  redis-cli -h 127.0.0.1 --scan --pattern "patholabel:$PL_DB:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$PL_STATE"
}
trap cleanup EXIT

"$PL_ROOT/scripts/stack.sh" start
"$PL_ROOT/scripts/seed-demo.sh"
cd "$PL_ROOT/web"
PATHOLABEL_URL="http://127.0.0.1:$PL_PORT" npm run --silent test:e2e
