#!/usr/bin/env bash
# `make down`: stop exactly what `make up` started (by the pids it
# recorded), leaving data in .dev/ and any server we did not start alone.
set -euo pipefail
PL_STATE=${PL_STATE:-$(cd "$(dirname "$0")/.." && pwd)/.dev} exec "$(dirname "$0")/stack.sh" stop
