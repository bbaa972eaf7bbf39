#!/usr/bin/env bash
# Runs a command with the real servers the Go tests need: MariaDB and Redis
# (started when not already answering) and a throwaway MinIO. Exports the
# PATHOLABEL_TEST_* variables package testenv reads, and stops everything
# it started when the command ends, whatever its outcome.
#
#   scripts/testenv.sh go test ./...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

state=$(mktemp -d "${TMPDIR:-/tmp}/patholabel-test.XXXXXX")
cleanup() {
  local name
  for name in minio redis mariadb; do stop_pid "$state" "$name"; done
  rm -rf "$state"
}
trap cleanup EXIT

ensure_mariadb "$state"
ensure_redis "$state"
minio_port=${PATHOLABEL_TEST_MINIO_PORT:-19000}
start_minio "$state" "$minio_port" patholabel patholabel-test-secret

export GIN_MODE=release # no route dumps in test output
export PATHOLABEL_TEST_MYSQL_ADDR=$PL_MYSQL_ADDR
export PATHOLABEL_TEST_MYSQL_USER=$PL_MYSQL_USER
export PATHOLABEL_TEST_MYSQL_PASSWORD=$PL_MYSQL_PASSWORD
export PATHOLABEL_TEST_REDIS_ADDR=127.0.0.1:6379
export PATHOLABEL_TEST_S3_ENDPOINT=127.0.0.1:$minio_port
export PATHOLABEL_TEST_S3_ACCESS_KEY=patholabel
export PATHOLABEL_TEST_S3_SECRET_KEY=patholabel-test-secret
# For tests that stop and restart an object store of their own (outages).
PATHOLABEL_TEST_MINIO_BIN=$(minio_bin)
export PATHOLABEL_TEST_MINIO_BIN
"$@"
