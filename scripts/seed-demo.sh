#!/usr/bin/env bash
# Seeds the demo project (idempotent): "GBM H&E" with the six categories of
# the original Patholabelling study, through the auth service's own code.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state=${PL_STATE:-$PL_ROOT/.dev}
env $("$PL_ROOT/scripts/stack.sh" env auth) "$state/bin/auth" seed-demo
