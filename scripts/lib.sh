# Shared shell functions for the scripts in this folder. Source it; it
# defines functions and a few variables and runs nothing.
# shellcheck shell=bash

PL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PL_CACHE=${PATHOLABEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/patholabel}
# The MinIO server release we test and develop against (built from source
# with the Go toolchain, since no binary downloads are reachable here).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
SERVICES=(auth tiler annotation export)
# Behind a proxy, what the scripts ask of this machine's own servers must not
# go to the proxy (Go never proxies loopback; curl and npm need telling).
export no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}"

# pl_version names this checkout's build (a tag, else the commit, "-dirty"
# with uncommitted changes); pl_ldflags links it into a binary, so an
# export's manifest says which code made it (package platform/version).
pl_version() { git -C "$PL_ROOT" describe --tags --always --dirty 2>/dev/null || echo unversioned; }
pl_ldflags() { echo "-X github.com/patholabel/patholabel/services/platform/version.Version=$(pl_version)"; }

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# pass_env prints NAME=VALUE for each proxy and CA setting the caller has.
# sudo resets the environment, and a hospital network's TLS-intercepting
# proxy is unusable without them, so commands run as root get them back.
pass_env() {
  local v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY SSL_CERT_FILE SSL_CERT_DIR \
    NODE_EXTRA_CA_CERTS npm_config_registry GOPROXY GOFLAGS GOSUMDB GONOSUMDB GOPRIVATE; do
    [ -n "${!v:-}" ] && printf '%s=%s\n' "$v" "${!v}"
  done
  return 0
}

# can_sudo: may this user run commands as root through sudo? Without a
# terminal only password-less sudo counts; with one, sudo may ask once.
can_sudo() {
  command -v sudo >/dev/null || return 1
  sudo -n true 2>/dev/null && return 0
  [ -t 0 ] && sudo -v
}

# as_root runs a command as root, through sudo when we are not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
    return
  fi
  local envs
  mapfile -t envs < <(pass_env)
  sudo env "${envs[@]}" "$@"
}

# missing_packages prints those of the named Debian packages not installed.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# apt_install installs the Debian packages that are missing, once. A user
# who is neither root nor allowed to sudo gets the list to ask for instead.
apt_install() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! can_sudo; then
    die "these Debian packages are missing and installing them needs root, which this user cannot get through sudo:
  ${missing[*]}
Ask an administrator to run:
  sudo apt-get install -y --no-install-recommends ${missing[*]}
then run this command again; everything else runs as you."
  fi
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# port_open HOST PORT: does something accept connections there?
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port HOST PORT SECONDS NAME
wait_port() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.2
  done
  die "$4 did not start listening on $1:$2 within $3 s"
}

# start_bg NAME STATE CMD...: start CMD detached, logging to
# STATE/logs/NAME.log, its pid in STATE/pids/NAME.pid.
start_bg() {
  local name=$1 state=$2
  shift 2
  mkdir -p "$state/logs" "$state/pids"
  setsid "$@" >>"$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/pids/$name.pid"
}

# running STATE NAME: is the process we started as NAME alive?
running() {
  local f="$1/pids/$2.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# stop_pid STATE NAME: TERM the process we started, KILL after 15 s.
stop_pid() {
  local f="$1/pids/$2.pid" pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 75; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { say "$2 did not stop in 15 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

# The MySQL/MariaDB server the scripts use: PL_MYSQL_ADDR, PL_MYSQL_USER and
# PL_MYSQL_PASSWORD from the environment, else from .dev/mysql.env (written
# when the scripts made an account or a server of their own), else root with
# no password on 127.0.0.1:3306.
PL_MYSQL_ENV_FILE="$PL_ROOT/.dev/mysql.env"

mysql_load_settings() {
  local addr=${PL_MYSQL_ADDR:-} user=${PL_MYSQL_USER:-} password=${PL_MYSQL_PASSWORD:-}
  PL_MYSQL_OWN=
  # shellcheck disable=SC1090
  [ -z "$addr$user" ] && [ -f "$PL_MYSQL_ENV_FILE" ] && . "$PL_MYSQL_ENV_FILE"
  PL_MYSQL_ADDR=${addr:-${PL_MYSQL_ADDR:-127.0.0.1:3306}}
  PL_MYSQL_USER=${user:-${PL_MYSQL_USER:-root}}
  PL_MYSQL_PASSWORD=${password:-${PL_MYSQL_PASSWORD:-}}
  export PL_MYSQL_ADDR PL_MYSQL_USER PL_MYSQL_PASSWORD
}

# mysql_cli ARGS...: the mariadb client as the scripts' account, over TCP.
mysql_cli() {
  MYSQL_PWD="$PL_MYSQL_PASSWORD" "$(command -v mariadb || command -v mysql || echo mariadb)" --protocol=tcp -h"${PL_MYSQL_ADDR%:*}" -P"${PL_MYSQL_ADDR##*:}" \
    -u"$PL_MYSQL_USER" "$@"
}

_mysql_save_settings() {
  mkdir -p "$(dirname "$PL_MYSQL_ENV_FILE")"
  (umask 077 && printf 'PL_MYSQL_ADDR=%s\nPL_MYSQL_USER=%s\nPL_MYSQL_PASSWORD=%s\nPL_MYSQL_OWN=%s\n' \
    "$PL_MYSQL_ADDR" "$PL_MYSQL_USER" "$PL_MYSQL_PASSWORD" "${PL_MYSQL_OWN:-}" >"$PL_MYSQL_ENV_FILE")
}

# ensure_mariadb STATE: a MySQL-compatible server that lets the scripts'
# account in, and PL_MYSQL_* set to reach it.
#   - the configured server answers and accepts the account: use it;
#   - nothing answers: install MariaDB; if the package started a server
#     (systemd does), go on below, else start one with data under STATE;
#   - a server answers but refuses (Debian's packaged MariaDB lets root in
#     through the local socket only): create the account `patholabel`
#     through that socket, as root or through sudo (rights on the databases
#     patholabel* and the tests' pl*), keep its generated
#     password in .dev/mysql.env, and use it;
#   - if that cannot be done: start the project's own server, data in
#     .dev/mariadb-own, on 127.0.0.1:3307.
ensure_mariadb() {
  local state=$1 host port
  mysql_load_settings
  host=${PL_MYSQL_ADDR%:*} port=${PL_MYSQL_ADDR##*:}
  if [ -n "$PL_MYSQL_OWN" ] && ! port_open "$host" "$port"; then
    _start_own_mariadb "$state" "$PL_ROOT/.dev/mariadb-own" "$port"
  fi
  port_open "$host" "$port" && mysql_cli -e 'SELECT 1' >/dev/null 2>&1 && return 0
  if ! port_open "$host" "$port"; then
    apt_install mariadb-server mariadb-client
    if ! port_open "$host" "$port"; then
      _start_own_mariadb "$state" "$state/mariadb" "$port"
      return 0
    fi
  fi
  local why
  why=$(mysql_cli -e 'SELECT 1' 2>&1 >/dev/null) && return 0
  say "the MySQL server on $PL_MYSQL_ADDR refuses user '$PL_MYSQL_USER': $why"
  if _create_mysql_account; then
    say "created the account 'patholabel' (databases patholabel* and pl*) through the server's local socket; its password is in $PL_MYSQL_ENV_FILE"
    return 0
  fi
  say "could not create an account through the local socket (needs root or sudo); starting the project's own MariaDB on 127.0.0.1:3307 with data in .dev/mariadb-own instead"
  PL_MYSQL_ADDR=127.0.0.1:3307 PL_MYSQL_USER=root PL_MYSQL_PASSWORD= PL_MYSQL_OWN=1
  port_open 127.0.0.1 3307 || _start_own_mariadb "$state" "$PL_ROOT/.dev/mariadb-own" 3307
  mysql_cli -e 'SELECT 1' >/dev/null 2>&1 || die "something else answers on 127.0.0.1:3307 and refuses root; set PL_MYSQL_ADDR, PL_MYSQL_USER and PL_MYSQL_PASSWORD to an account that may create databases named pl*"
  _mysql_save_settings
}

# _create_mysql_account makes (or resets) the account `patholabel` through
# the server's local socket, where Debian's packages let the OS root in.
_create_mysql_account() {
  local run=(mariadb --protocol=socket -uroot) pw sql h
  if [ "$(id -u)" -ne 0 ]; then
    can_sudo || return 1
    run=(sudo "${run[@]}")
  fi
  pw=$(random_hex 16)
  for h in localhost 127.0.0.1 ::1; do
    sql+="CREATE USER IF NOT EXISTS 'patholabel'@'$h' IDENTIFIED BY '$pw'; ALTER USER 'patholabel'@'$h' IDENTIFIED BY '$pw';"
    sql+="GRANT ALL PRIVILEGES ON \`patholabel%\`.* TO 'patholabel'@'$h';"
    sql+="GRANT ALL PRIVILEGES ON \`pl%\`.* TO 'patholabel'@'$h';"
  done
  "${run[@]}" -e "$sql" >/dev/null || return 1
  PL_MYSQL_USER=patholabel PL_MYSQL_PASSWORD=$pw PL_MYSQL_OWN=
  mysql_cli -e 'SELECT 1' >/dev/null || return 1
  _mysql_save_settings
}

# _start_own_mariadb STATE DATA PORT: a MariaDB of our own, root without a
# password on loopback only, its pid under STATE so the caller stops it.
_start_own_mariadb() {
  local state=$1 data=$2 port=$3 bin
  bin=$(command -v mariadbd || echo /usr/sbin/mariadbd)
  [ -x "$bin" ] || apt_install mariadb-server mariadb-client
  if [ ! -d "$data/mysql" ]; then
    say "initialising MariaDB in $data"
    mkdir -p "$data"
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$data" --auth-root-authentication-method=normal >/dev/null
  fi
  say "starting MariaDB on 127.0.0.1:$port (data in $data)"
  start_bg mariadb "$state" "$bin" --no-defaults --user="$(id -un)" --datadir="$data" --bind-address=127.0.0.1 \
    --port="$port" --socket="$data/mysqld.sock" --pid-file="$data/mysqld.pid"
  wait_port 127.0.0.1 "$port" 60 MariaDB
}

# ensure_redis STATE: Redis on 127.0.0.1:6379, started when nothing answers.
ensure_redis() {
  local state=$1
  port_open 127.0.0.1 6379 && return 0
  apt_install redis-server
  port_open 127.0.0.1 6379 && return 0
  mkdir -p "$state/redis"
  say "starting Redis on 127.0.0.1:6379"
  start_bg redis "$state" redis-server --bind 127.0.0.1 --port 6379 --dir "$state/redis" --save "" --appendonly no
  wait_port 127.0.0.1 6379 30 Redis
}

# minio_bin prints the path of the pinned MinIO server, building it once.
minio_bin() {
  local bin="$PL_CACHE/bin/minio-$MINIO_VERSION"
  if [ ! -x "$bin" ]; then
    say "building MinIO $MINIO_VERSION once into $PL_CACHE (about two minutes)"
    mkdir -p "$PL_CACHE/bin"
    local tmp
    tmp=$(mktemp -d)
    GOWORK=off GOBIN="$tmp" CGO_ENABLED=0 go install "github.com/minio/minio@$MINIO_VERSION" >&2
    mv "$tmp/minio" "$bin"
    rm -rf "$tmp"
  fi
  echo "$bin"
}

# dex_version prints the Dex release pinned in scripts/tools/dex (as its
# ldflags stamp it into the binary): the tag of the cluster's Dex image.
dex_version() { sed -n 's/.*main\.version=\([^ ]*\).*/\1/p' "$PL_ROOT/scripts/tools/dex/ldflags"; }

# start_minio STATE PORT USER SECRET: MinIO with data under STATE/minio.
start_minio() {
  local state=$1 port=$2 bin
  if running "$state" minio && port_open 127.0.0.1 "$port"; then return 0; fi
  port_open 127.0.0.1 "$port" && die "port $port is taken by another program; MinIO cannot start there"
  bin=$(minio_bin)
  mkdir -p "$state/minio"
  say "starting MinIO on 127.0.0.1:$port"
  start_bg minio "$state" env MINIO_ROOT_USER="$3" MINIO_ROOT_PASSWORD="$4" MINIO_BROWSER=off MINIO_UPDATE=off \
    "$bin" server --quiet --address "127.0.0.1:$port" "$state/minio"
  wait_port 127.0.0.1 "$port" 60 MinIO
}

# go_modules lists the directories of the workspace's modules.
go_modules() { (cd "$PL_ROOT" && go list -m -f '{{.Dir}}'); }

# throwaway_stack NAME PORT MINIO_PORT: start the whole system in a temp
# state folder on its own ports, database and Redis prefix, and remove all
# of it when the calling script exits, whatever the outcome. Exports
# PL_STATE, PL_PORT, PL_MINIO_PORT, PL_DB, PATHOLABEL_ADMIN_PASSWORD and
# PATHOLABEL_URL.
throwaway_stack() {
  PL_STATE=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-$1.XXXXXX")
  PL_PORT=$2 PL_MINIO_PORT=$3 PL_DB="pl$1_$(random_hex 4)"
  PATHOLABEL_ADMIN_PASSWORD="$1-$(random_hex 12)" PATHOLABEL_URL="http://127.0.0.1:$2"
  export PL_STATE PL_PORT PL_MINIO_PORT PL_DB PATHOLABEL_ADMIN_PASSWORD PATHOLABEL_URL
  trap _throwaway_cleanup EXIT
  "$PL_ROOT/scripts/stack.sh" start
}

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

_throwaway_cleanup() {
  "$PL_ROOT/scripts/stack.sh" stop || true
  mysql_load_settings
  mysql_cli -e "DROP DATABASE IF EXISTS \`$PL_DB\`" 2>/dev/null || true
  redis-cli -h 127.0.0.1 --scan --pattern "patholabel:$PL_DB:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$PL_STATE"
}
