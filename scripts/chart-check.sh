#!/usr/bin/env bash
# Offline checks of the Helm chart and skaffold.yaml; no cluster or registry
# needed. For each values set (the defaults and every charts/patholabel/ci/
# file) and for `skaffold render`:
#
#   1. helm lint --strict, helm template;
#   2. kubeconform -strict against schemas generated from the pinned
#      Kubernetes OpenAPI spec (scripts/kubeschema) and from the ServiceMonitor
#      CRD, itself generated from the Prometheus Operator's Go types;
#   3. kubectl apply --dry-run=server against a real kube-apiserver + etcd
#      started here on 127.0.0.1 and stopped on exit;
#   4. kube-score tuned to the chart's rules, plus scripts/kubeschema/policy;
#
# and values the chart must refuse (schema and validate.yaml) are refused, and
# canaries prove each check catches what it is for. Tools are pinned in
# scripts/tools/{helm,helm3,kubeconform,kube-score,skaffold,kubernetes,
# controller-gen} and built once per machine (scripts/tool.sh); as root on
# Debian, missing etcd-server, openssl and curl are installed with apt-get.
#
#   scripts/chart-check.sh          # everything
#   SKIP_APISERVER=1 scripts/chart-check.sh   # no etcd/kube-apiserver (quick)
#   scripts/chart-check.sh tools    # only build the pinned tools it uses
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
chart="$root/charts/patholabel"
kube_version=1.34.4
namespace=patholabel
started=$SECONDS

log() { printf '[chart-check %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
# Any command that fails says which, where: offline, a bare `make: *** Error 1`
# told nobody that a module download was what failed.
set -E
trap 'rc=$?; log "FAIL: \`$BASH_COMMAND\` exited $rc (${BASH_SOURCE[0]##*/}:$LINENO)"' ERR

# Tools come from the cache under the real HOME, so look them up before HOME
# moves to the scratch folder.
tool() { "$root/scripts/tool.sh" "$@"; }

# On a machine without the tool cache, build in two lanes of about equal CPU
# work: each Go build leaves a core idle while it links, so two at a time
# finish the cold start sooner than one after another. Cached tools return at once.
prebuild() {
  local a b
  { tool kubernetes kube-apiserver && tool kubernetes kubectl && tool helm3 && tool kube-score; } >/dev/null &
  a=$!
  { tool skaffold && tool helm && tool controller-gen && tool kubeconform; } >/dev/null &
  b=$!
  wait "$a" || die "building tools (lane 1)"
  wait "$b" || die "building tools (lane 2)"
}
prebuild
# `chart-check.sh tools` only builds them (scripts/warm.sh warms CI's cache).
[ "${1:-}" = tools ] && exit 0
helm=$(tool helm)
kubeconform=$(tool kubeconform)
kubescore=$(tool kube-score)
skaffold=$(tool skaffold)
helm3=$(tool helm3)
controller_gen=$(tool controller-gen)
if [ -z "${SKIP_APISERVER:-}" ]; then
  apiserver=$(tool kubernetes kube-apiserver)
  kubectl=$(tool kubernetes kubectl)
fi
kubeschema_dir="$root/scripts/kubeschema"
cache=${PATHOLABEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/patholabel}

work=$(mktemp -d "${TMPDIR:-/tmp}/chart-check.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# helm, kubectl and skaffold write config and caches under HOME: keep them in
# the scratch folder so a check never reads or changes the user's setup. Go's
# module and build caches stay the user's real ones (read before HOME moves),
# or every run would fetch the Kubernetes modules again.
GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) GOPATH=$(go env GOPATH) GOENV=$(go env GOENV)
export GOMODCACHE GOCACHE GOPATH GOENV
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache" \
  XDG_DATA_HOME="$work/home/.local/share" KUBECONFIG="$work/kubeconfig" SKAFFOLD_UPDATE_CHECK=false
mkdir -p "$HOME" "$work/rendered"
: >"$KUBECONFIG"

# shellcheck source=scripts/chart-check.d/render.sh
. "$root/scripts/chart-check.d/render.sh"
# shellcheck source=scripts/chart-check.d/apiserver.sh
. "$root/scripts/chart-check.d/apiserver.sh"
# shellcheck source=scripts/chart-check.d/policy.sh
. "$root/scripts/chart-check.d/policy.sh"

render_all
refuse_bad_values
render_skaffold
generate_schemas
make_canaries
for f in "$work"/rendered/*.yaml; do
  check_schema "$f"
  check_policy "$f"
done
if [ -z "${SKIP_APISERVER:-}" ]; then
  start_apiserver
  for f in "$work"/rendered/*.yaml; do dry_run "$f"; done
  dry_run_canary
  stop_apiserver
else
  log "SKIP_APISERVER set: server-side dry-run skipped"
fi
renderings=("$work"/rendered/*.yaml)
if [ -n "${SKIP_APISERVER:-}" ]; then checked="lint, schema and policy"; else checked="lint, schema, policy and server dry-run"; fi
log "ok: ${#renderings[@]} renderings passed $checked"
