#!/usr/bin/env bash
# Starts or stops the whole system on this machine: MariaDB, Redis and MinIO
# (each only when not already answering), the four services and the gateway,
# the one entry point that routes paths exactly like the cluster Ingress.
#
#   scripts/stack.sh start|stop
#
# Settings (environment), with the defaults `make up` uses:
#   PL_STATE   folder for data, logs, pids and binaries   (.dev)
#   PL_PORT    the entry point's port; services use the next four, the
#              tiler's ingest worker (`tiler worker`) the one after (8080)
#   PL_MINIO_PORT                                          (9000)
#   PL_DB      database name                               (patholabel)
#   PATHOLABEL_ADMIN_PASSWORD  the bootstrap admin's password (required to start)
#   PATHOLABEL_SSO=dev  also start a directory (slapd) and an OpenID Connect
#              provider (Dex) in front of it, and sign in through them
#              (scripts/sso-dev.sh; PL_LDAP_PORT 3890, PL_DEX_PORT 5556)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

state=${PL_STATE:-$PL_ROOT/.dev}
port=${PL_PORT:-8080}
minio_port=${PL_MINIO_PORT:-9000}
db=${PL_DB:-patholabel}
mkdir -p "$state"
state=$(cd "$state" && pwd)

service_port() {
  local i
  for i in "${!SERVICES[@]}"; do [ "${SERVICES[$i]}" = "$1" ] && echo $((port + i + 1)); done
}

# cache_key prints the key sealing what the services cache in Redis,
# generated once per state folder (the chart generates its own).
cache_key() {
  [ -s "$state/cache-key" ] || (umask 077 && random_hex 32 >"$state/cache-key")
  cat "$state/cache-key"
}

# The environment every service gets; the same names the Helm chart sets,
# plus the development mode that allows the local credentials below.
service_env() {
  cat <<ENV
PATHOLABEL_DEV_MODE=true
PATHOLABEL_CACHE_KEY=$(cache_key)
PATHOLABEL_LISTEN=127.0.0.1:$(service_port "$1")
PATHOLABEL_LOG_FORMAT=json
PATHOLABEL_LOG_LEVEL=info
PATHOLABEL_MYSQL_ADDR=$PL_MYSQL_ADDR
PATHOLABEL_MYSQL_USER=$PL_MYSQL_USER
PATHOLABEL_MYSQL_PASSWORD=$PL_MYSQL_PASSWORD
PATHOLABEL_MYSQL_DATABASE=$db
PATHOLABEL_REDIS_ADDR=127.0.0.1:6379
PATHOLABEL_REDIS_PREFIX=patholabel:$db:
PATHOLABEL_S3_ENDPOINT=127.0.0.1:$minio_port
PATHOLABEL_S3_ACCESS_KEY=patholabel
PATHOLABEL_S3_SECRET_KEY=patholabel-dev-secret
PATHOLABEL_S3_BUCKET_SLIDES=${db//_/-}-slides
PATHOLABEL_S3_BUCKET_EXPORTS=${db//_/-}-exports
PATHOLABEL_ADMIN_PASSWORD=${PATHOLABEL_ADMIN_PASSWORD:-}
ENV
  # Ingest runs in its own process (below), as in the chart: a hostile
  # upload that crashes it never takes tile serving down.
  [ "$1" = tiler ] && echo PATHOLABEL_TILER_WORKERS=0
  # Single sign-on through the local directory (scripts/sso-dev.sh).
  [ "$1" = auth ] && [ -s "$state/sso/env" ] && [ "${PATHOLABEL_SSO:-}" = dev ] && cat "$state/sso/env"
  return 0
}

# env_of NAME: service NAME's environment in the array ENVS, one variable
# per element (a value may hold spaces: a project named in a group rule).
env_of() { mapfile -t ENVS < <(service_env "$1"); }

build() {
  say "building the services"
  mkdir -p "$state/bin"
  local svc
  for svc in "${SERVICES[@]}" gateway; do
    (cd "$PL_ROOT" && go build -ldflags "$(pl_ldflags)" -o "$state/bin/$svc" "github.com/patholabel/patholabel/services/$svc/cmd/$svc")
  done
  "$PL_ROOT/scripts/web.sh" build
}

start() {
  [ -n "${PATHOLABEL_ADMIN_PASSWORD:-}" ] || die "PATHOLABEL_ADMIN_PASSWORD must be set"
  ensure_mariadb "$state"
  ensure_redis "$state"
  start_minio "$state" "$minio_port" patholabel patholabel-dev-secret
  build
  if [ "${PATHOLABEL_SSO:-}" = dev ]; then
    say "starting the directory and the sign-on provider (PATHOLABEL_SSO=dev)"
    "$PL_ROOT/scripts/sso-dev.sh" start "$state" "http://127.0.0.1:$port" >/dev/null
  fi
  say "migrating database $db"
  env_of auth
  env "${ENVS[@]}" "$state/bin/auth" migrate --create-database 2>>"$state/logs/migrate.log" ||
    { tail -n 20 "$state/logs/migrate.log" >&2; die "migration failed (log: $state/logs/migrate.log)"; }
  local svc
  for svc in "${SERVICES[@]}"; do
    running "$state" "$svc" && stop_pid "$state" "$svc" # a restart picks up the new build
    port_open 127.0.0.1 "$(service_port "$svc")" && die "port $(service_port "$svc") for $svc is taken by another program"
    env_of "$svc"
    start_bg "$svc" "$state" env "${ENVS[@]}" "$state/bin/$svc"
  done
  running "$state" tiler-worker && stop_pid "$state" tiler-worker
  port_open 127.0.0.1 $((port + 5)) && die "port $((port + 5)) for the tiler worker is taken by another program"
  env_of tiler
  start_bg tiler-worker "$state" env "${ENVS[@]}" PATHOLABEL_LISTEN="127.0.0.1:$((port + 5))" \
    PATHOLABEL_TILER_WORKERS=1 "$state/bin/tiler" worker
  running "$state" gateway && stop_pid "$state" gateway
  port_open 127.0.0.1 "$port" && die "port $port for the entry point is taken by another program (set PL_PORT)"
  start_bg gateway "$state" env PATHOLABEL_LISTEN="127.0.0.1:$port" PATHOLABEL_LOG_FORMAT=json \
    PATHOLABEL_WEB_DIR="$PL_ROOT/web/dist" \
    PATHOLABEL_UPSTREAM_AUTH="http://127.0.0.1:$(service_port auth)" \
    PATHOLABEL_UPSTREAM_TILER="http://127.0.0.1:$(service_port tiler)" \
    PATHOLABEL_UPSTREAM_ANNOTATION="http://127.0.0.1:$(service_port annotation)" \
    PATHOLABEL_UPSTREAM_EXPORT="http://127.0.0.1:$(service_port export)" \
    "$state/bin/gateway"
  wait_ready
}

wait_ready() {
  local i body
  say "waiting for http://127.0.0.1:$port/readyz"
  for ((i = 0; i < 240; i++)); do
    # The gateway's readyz covers the services; the ingest worker answers its own.
    body=$(curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null) &&
      curl -fsS "http://127.0.0.1:$((port + 5))/readyz" >/dev/null 2>&1 && { say "ready: $body"; return 0; }
    sleep 0.5
  done
  curl -sS "http://127.0.0.1:$port/readyz" >&2 || true
  for svc in "${SERVICES[@]}" tiler-worker gateway; do
    running "$state" "$svc" || { say "$svc is not running; last log lines:"; tail -n 15 "$state/logs/$svc.log" >&2; }
  done
  die "the system did not become ready within 120 s (logs: $state/logs)"
}

stop() {
  local svc
  for svc in gateway "${SERVICES[@]}" tiler-worker dex slapd minio redis mariadb; do stop_pid "$state" "$svc"; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) mysql_load_settings && service_env "${2:?service}" ;;
  *) die "usage: scripts/stack.sh start|stop|env SERVICE" ;;
esac
