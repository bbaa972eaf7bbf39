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
# per line. The directory's people (password: PL_SSO_PASSWORD, default
# "Directory-pass-1"):
#   asmith   Alice Smith   patholabel-users, path-gbm-readers   (annotator in "GBM H&E")
#   bjones   Bob Jones     patholabel-users, patholabel-admins  (system admin)
#   clee     Chen Lee      patholabel-users, path-gbm-reviewers (reviewer in "GBM H&E")
#   dkhan    Dana Khan     no group: the provider signs her in, Patholabel refuses an account
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUFFIX=dc=hospital,dc=example
ldap_port=${PL_LDAP_PORT:-3890}
dex_port=${PL_DEX_PORT:-5556}
password=${PL_SSO_PASSWORD:-Directory-pass-1}

# The rules `make up` gives the auth service; an admin adds more in the viewer.
RULES='[{"group":"patholabel-users","kind":"provision"},{"group":"patholabel-admins","kind":"system","role":"admin"},{"group":"patholabel-users","kind":"system","role":"user"},{"group":"path-gbm-readers","kind":"project","project":"GBM H&E","role":"annotator"},{"group":"path-gbm-reviewers","kind":"project","project":"GBM H&E","role":"reviewer"}]'

slapd_bin() {
  local b
  for b in slapd /usr/sbin/slapd; do command -v "$b" >/dev/null && { command -v "$b"; return; }; done
  die "slapd is missing: scripts/deps.sh test installs it (apt-get install slapd ldap-utils)"
}

# seed_config writes slapd's cn=config: the core schemas, one MDB
# database, and access rules a hospital directory would have: passwords
# are only ever compared (bind), and only the provider's service account
# reads the tree.
seed_config() {
  local dir=$1 rootpw=$2 dexpw=$3
  cat >"$dir/config.ldif" <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $dir/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: $dir/data
olcDbMaxSize: 33554432
olcSuffix: $SUFFIX
olcRootDN: cn=admin,$SUFFIX
olcRootPW: $rootpw
olcAccess: {0}to attrs=userPassword by anonymous auth by * none
olcAccess: {1}to * by dn.exact="cn=dex,ou=services,$SUFFIX" read by self read by * none
LDIF
  cat >"$dir/people.ldif" <<LDIF
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
o: Example Hospital
dc: hospital

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=groups,$SUFFIX
objectClass: organizationalUnit
ou: groups

dn: ou=services,$SUFFIX
objectClass: organizationalUnit
ou: services

dn: cn=dex,ou=services,$SUFFIX
objectClass: person
cn: dex
sn: Single sign-on service account
userPassword: $dexpw
LDIF
  local u uid first last
  for u in "asmith Alice Smith" "bjones Bob Jones" "clee Chen Lee" "dkhan Dana Khan"; do
    read -r uid first last <<<"$u"
    cat >>"$dir/people.ldif" <<LDIF

dn: uid=$uid,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: $uid
cn: $first $last
givenName: $first
sn: $last
mail: $uid@hospital.example
userPassword: $(slappasswd -s "$password")
LDIF
  done
  group patholabel-users asmith bjones clee >>"$dir/people.ldif"
  group patholabel-admins bjones >>"$dir/people.ldif"
  group path-gbm-readers asmith >>"$dir/people.ldif"
  group path-gbm-reviewers clee >>"$dir/people.ldif"
}

group() {
  local name=$1 m
  shift
  printf '\ndn: cn=%s,ou=groups,%s\nobjectClass: groupOfNames\ncn: %s\n' "$name" "$SUFFIX" "$name"
  for m in "$@"; do printf 'member: uid=%s,ou=people,%s\n' "$m" "$SUFFIX"; done
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
    seed_config "$dir" "$(slappasswd -s "$(random_hex 12)")" "$(slappasswd -s "$dexpw")"
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
  (umask 077 && cat >"$dir/dex.yaml" <<YAML
issuer: http://127.0.0.1:$dex_port/dex
storage:
  type: memory
web:
  http: 127.0.0.1:$dex_port
logger:
  level: info
  format: json
oauth2:
  skipApprovalScreen: true
expiry:
  idTokens: 1h
staticClients:
  - id: patholabel
    name: Patholabel
    secret: $secret
    redirectURIs:
      - $url/api/v1/auth/oidc/callback
  # Another application of the hospital: the tests show Dex will not let it
  # redeem a code issued to Patholabel.
  - id: another-app
    name: Another application
    secret: $(cat "$dir/another-app-secret")
    redirectURIs:
      - http://127.0.0.1/another-app/callback
connectors:
  - type: ldap
    id: ldap
    name: Example Hospital directory
    config:
      host: 127.0.0.1:$ldap_port
      insecureNoSSL: true
      bindDN: cn=dex,ou=services,$SUFFIX
      bindPW: $(cat "$dir/ldap/dex-bind-password")
      usernamePrompt: Hospital username
      userSearch:
        baseDN: ou=people,$SUFFIX
        filter: "(objectClass=inetOrgPerson)"
        username: uid
        idAttr: uid
        emailAttr: mail
        nameAttr: cn
        preferredUsernameAttr: uid
      groupSearch:
        baseDN: ou=groups,$SUFFIX
        filter: "(objectClass=groupOfNames)"
        userMatchers:
          - userAttr: DN
            groupAttr: member
        nameAttr: cn
YAML
  )
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
PATHOLABEL_OIDC_GROUP_RULES=$RULES
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
