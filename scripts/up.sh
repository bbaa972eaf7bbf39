#!/usr/bin/env bash
# `make up`: install what is missing, start the whole system on this machine
# behind one entry point, seed the demo project, print the URL and login.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

state=${PL_STATE:-$PL_ROOT/.dev}
mkdir -p "$state"
"$PL_ROOT/scripts/deps.sh" run

pwfile="$state/admin-password"
if [ -z "${PATHOLABEL_ADMIN_PASSWORD:-}" ]; then
  if [ ! -s "$pwfile" ]; then
    head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$pwfile"
    chmod 600 "$pwfile"
  fi
  PATHOLABEL_ADMIN_PASSWORD=$(cat "$pwfile")
else
  printf '%s\n' "$PATHOLABEL_ADMIN_PASSWORD" >"$pwfile"
  chmod 600 "$pwfile"
fi
export PATHOLABEL_ADMIN_PASSWORD

PL_STATE=$state "$PL_ROOT/scripts/stack.sh" start
PL_STATE=$state "$PL_ROOT/scripts/seed-demo.sh"

port=${PL_PORT:-8080}
login=$(printf '{"username":"admin","password":"%s"}' "$PATHOLABEL_ADMIN_PASSWORD")
if ! curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -d "$login" "http://127.0.0.1:$port/api/v1/auth/login"; then
  say "warning: the admin account already existed with another password, which make up never overwrites;"
  say "sign in with that password, or start afresh with: make down && rm -rf .dev && mariadb -h127.0.0.1 -uroot -e 'DROP DATABASE patholabel' && make up"
fi
cat <<MSG

  Patholabel is running at http://127.0.0.1:$port
  Sign in as:  admin
  Password:    $PATHOLABEL_ADMIN_PASSWORD   (also in $pwfile)

  make logs   shows the service logs;  make down   stops everything make up started.
MSG
