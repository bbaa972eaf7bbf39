#!/bin/bash
# First start: initialise /var/lib/mysql and create MYSQL_DATABASE and
# MYSQL_USER (MYSQL_PASSWORD) with networking off, as the MySQL image does.
set -euo pipefail
data=/var/lib/mysql
opts=(--no-defaults --datadir="$data" --socket=/var/run/mysqld/mysqld.sock --tmpdir=/tmp
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --skip-name-resolve
  --log-error=/dev/stderr --pid-file=/tmp/mariadb.pid)
if [ ! -d "$data/mysql" ]; then
  : "${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required}"
  echo "entrypoint: initialising $data"
  mariadb-install-db --no-defaults --datadir="$data" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null
  mariadbd "${opts[@]}" --skip-networking &
  pid=$!
  for i in $(seq 60); do mariadb-admin --socket=/var/run/mysqld/mysqld.sock ping --silent && break; sleep 1; done
  esc() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(esc "$MYSQL_ROOT_PASSWORD")';"
    if [ -n "${MYSQL_DATABASE:-}" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"; fi
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER '$(esc "$MYSQL_USER")'@'%' IDENTIFIED BY '$(esc "${MYSQL_PASSWORD:?}")';"
      [ -n "${MYSQL_DATABASE:-}" ] && echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(esc "$MYSQL_USER")'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket=/var/run/mysqld/mysqld.sock -uroot
  kill "$pid"
  wait "$pid" || true
  echo "entrypoint: initialised"
fi
exec mariadbd "${opts[@]}" --bind-address=0.0.0.0 --port=3306 "$@"
