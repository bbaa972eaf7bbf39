# Shared shell functions for the scripts in this folder. Source it; it
# defines functions and a few variables and runs nothing.
# shellcheck shell=bash

PL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PL_CACHE=${PATHOLABEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/patholabel}
# The MinIO server release we test and develop against (built from source
# with the Go toolchain, since no binary downloads are reachable here).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
SERVICES=(auth tiler annotation export)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# as_root runs a command as root, through sudo when we are not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install installs the Debian packages that are missing, once.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
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

# ensure_mariadb STATE: MariaDB on 127.0.0.1:3306, started with data
# under STATE/mariadb when nothing answers there.
ensure_mariadb() {
  local state=$1
  port_open 127.0.0.1 3306 && return 0
  apt_install mariadb-server
  port_open 127.0.0.1 3306 && return 0 # the package may have started it
  local data="$state/mariadb"
  if [ ! -d "$data/mysql" ]; then
    say "initialising MariaDB in $data"
    mkdir -p "$data"
    mariadb-install-db --user="$(id -un)" --datadir="$data" --auth-root-authentication-method=normal >/dev/null
  fi
  say "starting MariaDB on 127.0.0.1:3306"
  start_bg mariadb "$state" mariadbd --user="$(id -un)" --datadir="$data" --bind-address=127.0.0.1 --port=3306 \
    --socket="$data/mysqld.sock" --pid-file="$data/mysqld.pid"
  wait_port 127.0.0.1 3306 60 MariaDB
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
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS \`$PL_DB\`" 2>/dev/null || true
  redis-cli -h 127.0.0.1 --scan --pattern "patholabel:$PL_DB:*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$PL_STATE"
}
