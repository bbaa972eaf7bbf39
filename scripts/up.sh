#!/usr/bin/env bash
# `make up`: install what is missing, start the whole system on this machine
# behind one entry point, seed the demo project, print the URL and login.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

state=${PL_STATE:-$PL_ROOT/.dev}
port=${PL_PORT:-8080}
mkdir -p "$state"
"$PL_ROOT/scripts/deps.sh" run

# The admin password: PATHOLABEL_ADMIN_PASSWORD, else the one kept in
# .dev/admin-password, else a new one. It only creates the account when the
# account does not exist yet: an existing password is never changed here, so
# the file is rewritten only with a password that was just seen to work.
pwfile="$state/admin-password"
saved=""
[ -s "$pwfile" ] && saved=$(cat "$pwfile")
wanted=${PATHOLABEL_ADMIN_PASSWORD:-${saved:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}}
export PATHOLABEL_ADMIN_PASSWORD=$wanted

PL_STATE=$state "$PL_ROOT/scripts/stack.sh" start
mysql_load_settings

signs_in() {
  local login
  login=$(printf '{"username":"admin","password":"%s"}' "$1")
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -d "$login" "http://127.0.0.1:$port/api/v1/auth/login"
}
working=""
if signs_in "$wanted" 2>/dev/null; then
  working=$wanted
elif [ -n "$saved" ] && [ "$saved" != "$wanted" ] && signs_in "$saved" 2>/dev/null; then
  working=$saved
fi
if [ -n "$working" ] && [ "$working" != "$saved" ]; then
  (umask 077 && printf '%s\n' "$working" >"$pwfile")
fi
if [ -n "$working" ] && [ "$working" != "$wanted" ]; then
  say "warning: PATHOLABEL_ADMIN_PASSWORD does not match the existing admin account, whose password make up never"
  say "changes; the password that works is unchanged in $pwfile"
fi
if [ -z "$working" ]; then
  say "warning: the admin account already exists with a password that is neither PATHOLABEL_ADMIN_PASSWORD nor the"
  say "one in $pwfile (if any); make up never changes it and left $pwfile as it was. Sign in with that password,"
  say "or start afresh (deletes every mark and slide of this local install) with:"
  say "  make down && MYSQL_PWD='$PL_MYSQL_PASSWORD' mariadb -h${PL_MYSQL_ADDR%:*} -P${PL_MYSQL_ADDR##*:} -u$PL_MYSQL_USER -e 'DROP DATABASE ${PL_DB:-patholabel}' && rm -rf .dev && make up"
else
  export PATHOLABEL_ADMIN_PASSWORD=$working
  PL_STATE=$state "$PL_ROOT/scripts/seed-demo.sh"
fi

cat <<MSG

  Patholabel is running at http://127.0.0.1:$port
  Sign in as:  admin
  Password:    ${working:-(unknown: see the warning above)}   (kept in $pwfile)

  make logs   shows the service logs;  make down   stops everything make up started.
MSG
if [ "${PATHOLABEL_SSO:-}" = dev ]; then
  cat <<MSG

  Single sign-on (PATHOLABEL_SSO=dev): "Sign in with single sign-on" goes to Dex on
  http://127.0.0.1:${PL_DEX_PORT:-5556}/dex, in front of slapd on 127.0.0.1:${PL_LDAP_PORT:-3890}. The directory's
  people (password ${PL_SSO_PASSWORD:-Directory-pass-1}): asmith (annotator in GBM H&E), clee (reviewer there),
  bjones (admin), dkhan (in no group: refused an account). Admins edit the group rules under
  Administration > Single sign-on.

MSG
fi
