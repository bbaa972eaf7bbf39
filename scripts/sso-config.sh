# The test hospital's single sign-on, written once for both places it runs:
# scripts/sso-dev.sh (slapd and Dex as processes on this machine) and the
# throwaway cluster (scripts/cluster/sso.sh, whose slapd image carries this
# file). Sourced; defines functions and SUFFIX, runs nothing, needs nothing
# but bash and, for seed_directory, slappasswd (Debian's slapd package).
#
# The directory's people, all with the password given to seed_directory:
#   asmith   Alice Smith   patholabel-users, path-gbm-readers   (annotator in "GBM H&E")
#   bjones   Bob Jones     patholabel-users, patholabel-admins  (system admin)
#   clee     Chen Lee      patholabel-users, path-gbm-reviewers (reviewer in "GBM H&E")
#   dkhan    Dana Khan     no group: the provider signs her in, Patholabel refuses an account
# shellcheck shell=bash

SUFFIX=dc=hospital,dc=example

# The group rules Patholabel is given for this directory (JSON, as
# PATHOLABEL_OIDC_GROUP_RULES and the chart's auth.oidc.groupRules take them).
SSO_RULES='[{"group":"patholabel-users","kind":"provision"},{"group":"patholabel-admins","kind":"system","role":"admin"},{"group":"patholabel-users","kind":"system","role":"user"},{"group":"path-gbm-readers","kind":"project","project":"GBM H&E","role":"annotator"},{"group":"path-gbm-reviewers","kind":"project","project":"GBM H&E","role":"reviewer"}]'

# seed_directory DIR ROOTPW_HASH DEXPW_HASH PEOPLE_PASSWORD: writes
# DIR/config.ldif (slapd's cn=config: the core schemas, one MDB database in
# DIR/data, and access rules a hospital directory would have: passwords are
# only ever compared (bind), and only the provider's service account reads
# the tree) and DIR/people.ldif (the people and groups above), for slapadd.
seed_directory() {
  local dir=$1 rootpw=$2 dexpw=$3 password=$4
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
  ldif_group patholabel-users asmith bjones clee >>"$dir/people.ldif"
  ldif_group patholabel-admins bjones >>"$dir/people.ldif"
  ldif_group path-gbm-readers asmith >>"$dir/people.ldif"
  ldif_group path-gbm-reviewers clee >>"$dir/people.ldif"
}

ldif_group() {
  local name=$1 m
  shift
  printf '\ndn: cn=%s,ou=groups,%s\nobjectClass: groupOfNames\ncn: %s\n' "$name" "$SUFFIX" "$name"
  for m in "$@"; do printf 'member: uid=%s,ou=people,%s\n' "$m" "$SUFFIX"; done
}

# dex_config ISSUER LISTEN LDAP_HOSTPORT BIND_PW CLIENT_SECRET REDIRECT_URL [OTHER_SECRET]:
# Dex's configuration on stdout: memory storage, the directory above as its
# one connector, Patholabel as a confidential client. With OTHER_SECRET a
# second client, "another-app", for the tests that show Dex will not let
# another application redeem a code issued to Patholabel.
dex_config() {
  local issuer=$1 listen=$2 ldap=$3 bindpw=$4 secret=$5 redirect=$6 other=${7:-}
  cat <<YAML
issuer: $issuer
storage:
  type: memory
web:
  http: $listen
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
      - $redirect
YAML
  [ -z "$other" ] || cat <<YAML
  - id: another-app
    name: Another application
    secret: $other
    redirectURIs:
      - http://127.0.0.1/another-app/callback
YAML
  cat <<YAML
connectors:
  - type: ldap
    id: ldap
    name: Example Hospital directory
    config:
      host: $ldap
      insecureNoSSL: true
      bindDN: cn=dex,ou=services,$SUFFIX
      bindPW: $bindpw
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
}
