#!/bin/bash
# First start: seeds the directory in $DIR (an emptyDir) with the people and
# groups of sso-config.sh: DEX_BIND_PASSWORD is the provider's service
# account's, PEOPLE_PASSWORD everyone's. Then slapd in the foreground on
# ldap://:$LDAP_PORT (3890: no privileged port as a non-root user).
set -euo pipefail
. /usr/local/lib/sso-config.sh
dir=${DIR:-/var/lib/directory}
: "${DEX_BIND_PASSWORD:?DEX_BIND_PASSWORD is required}" "${PEOPLE_PASSWORD:?PEOPLE_PASSWORD is required}"
if [ ! -d "$dir/slapd.d" ]; then
  echo "entrypoint: seeding the directory in $dir"
  mkdir -p "$dir/slapd.d" "$dir/data"
  # The root DN's password is never used: a random one.
  seed_directory "$dir" "$(slappasswd -s "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')")" \
    "$(slappasswd -s "$DEX_BIND_PASSWORD")" "$PEOPLE_PASSWORD"
  slapadd -n 0 -F "$dir/slapd.d" -l "$dir/config.ldif"
  slapadd -n 1 -F "$dir/slapd.d" -l "$dir/people.ldif"
  rm -f "$dir/config.ldif" "$dir/people.ldif"
  echo "entrypoint: seeded"
fi
# -d 0: stay in the foreground without debug output.
exec slapd -d 0 -h "ldap://:${LDAP_PORT:-3890}/" -F "$dir/slapd.d"
