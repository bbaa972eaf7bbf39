#!/usr/bin/env bash
# A hospital's single sign-on on this machine: Debian's slapd as the
# directory (people and groups, as a hospital's would hold them) and Dex,
# built from its pinned module (scripts/tools/dex), as the OpenID Connect
# provider in front of it. Both run as ordinary processes in STATE/sso on
# loopback ports; `PATHOLABEL_SSO=dev make up`, the SSO tests and the
# browser e2e use it.
#
#   scripts/sso-dev.sh start STATE PATHOLABEL_URL   start both (idempotent); prints the env file's path
#   scripts/sso-dev.sh stop STATE                   stop both
#
# Settings: PL_LDAP_PORT (3890), PL_DEX_PORT (5556). The env file
# STATE/sso/env holds the auth service's PATHOLABEL_OIDC_* settings, one
# per line. The directory's people and groups (password: PL_SSO_PASSWORD,
# default "Directory-pass-1") and Dex's configuration are those of
# scripts/sso-config.sh, which the throwaway cluster's SSO uses too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$PL_ROOT/scripts/sso-config.sh"

ldap_port=${PL_LDAP_PORT:-3890}
dex_port=${PL_DEX_PORT:-5556}
password=${PL_SSO_PASSWORD:-Directory-pass-1}

slapd_bin() {
  local b
  for b in slapd /usr/sbin/slapd; do command -v "$b" >/dev/null && { command -v "$b"; return; }; done
  die "slapd is missing: scripts/deps.sh test installs it (apt-get install slapd ldap-utils)"
}

start_slapd() {
  local state=$1 dir=$1/sso/ldap
  running "$state" slapd && return 0
  port_open 127.0.0.1 "$ldap_port" && die "port $ldap_port for slapd is taken by another program (set PL_LDAP_PORT)"
  if [ ! -d "$dir/slapd.d" ]; then
    say "seeding the test directory in $dir"
    rm -rf "$dir" && mkdir -p "$dir/slapd.d" "$dir/data"
    local dexpw
    dexpw=$(random_hex 12)
    (umask 077 && echo "$dexpw" >"$dir/dex-bind-password")
    seed_directory "$dir" "$(slappasswd -s "$(random_hex 12)")" "$(slappasswd -s "$dexpw")" "$password"
    slapadd -n 0 -F "$dir/slapd.d" -l "$dir/config.ldif" >"$dir/seed.log" 2>&1 || { cat "$dir/seed.log" >&2; die "slapadd of the configuration failed"; }
    slapadd -n 1 -F "$dir/slapd.d" -l "$dir/people.ldif" >>"$dir/seed.log" 2>&1 || { cat "$dir/seed.log" >&2; die "slapadd of the people failed"; }
  fi
  # As root, slapd drops to Debian's openldap account, as the packaged
  # service does; as anyone else it runs as that user.
  local as=()
  if [ "$(id -u)" -eq 0 ] && id openldap >/dev/null 2>&1; then
    chmod o+x "$state" "$state/sso" # traversal only: a mktemp folder is 0700
    if runuser -u openldap -- test -x "$dir"; then
      chown -R openldap:openldap "$dir"
      as=(-u openldap -g openldap)
    else
      say "slapd runs as root: the account openldap cannot reach $dir"
    fi
  fi
  # -d 0: stay in the foreground (start_bg tracks the pid) without debug output.
  start_bg slapd "$state" "$(slapd_bin)" -d 0 "${as[@]}" -h "ldap://127.0.0.1:$ldap_port/" -F "$dir/slapd.d"
  wait_port 127.0.0.1 "$ldap_port" 30 slapd
}

start_dex() {
  local state=$1 url=$2 dir=$1/sso
  running "$state" dex && return 0
  port_open 127.0.0.1 "$dex_port" && die "port $dex_port for Dex is taken by another program (set PL_DEX_PORT)"
  local bin secret
  bin=$("$PL_ROOT/scripts/tool.sh" dex)
  [ -s "$dir/client-secret" ] || (umask 077 && random_hex 16 >"$dir/client-secret")
  [ -s "$dir/another-app-secret" ] || (umask 077 && random_hex 16 >"$dir/another-app-secret")
  secret=$(cat "$dir/client-secret")
  (umask 077 && dex_config "http://127.0.0.1:$dex_port/dex" "127.0.0.1:$dex_port" "127.0.0.1:$ldap_port" \
    "$(cat "$dir/ldap/dex-bind-password")" "$secret" "$url/api/v1/auth/oidc/callback" \
    "$(cat "$dir/another-app-secret")" >"$dir/dex.yaml")
  start_bg dex "$state" "$bin" serve "$dir/dex.yaml"
  wait_port 127.0.0.1 "$dex_port" 60 Dex
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS "http://127.0.0.1:$dex_port/dex/.well-known/openid-configuration" >/dev/null 2>&1 && break
    sleep 0.2
  done
  cat >"$dir/env" <<ENV
PATHOLABEL_OIDC_ISSUER=http://127.0.0.1:$dex_port/dex
PATHOLABEL_OIDC_CLIENT_ID=patholabel
PATHOLABEL_OIDC_CLIENT_SECRET=$secret
PATHOLABEL_OIDC_REDIRECT_URL=$url/api/v1/auth/oidc/callback
PATHOLABEL_OIDC_SCOPES=profile,email,groups
PATHOLABEL_OIDC_GROUP_RULES=$SSO_RULES
ENV
}

case "${1:-}" in
  start)
    state=$(cd "${2:?state folder}" && pwd)
    mkdir -p "$state/sso"
    start_slapd "$state"
    start_dex "$state" "${3:?the URL Patholabel answers at}"
    echo "$state/sso/env"
    ;;
  stop)
    stop_pid "${2:?state folder}" dex
    stop_pid "$2" slapd
    ;;
  *) die "usage: scripts/sso-dev.sh start STATE URL | stop STATE" ;;
esac
