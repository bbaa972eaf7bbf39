#!/usr/bin/env bash
# Prometheus (scripts/tools/prometheus) in the throwaway cluster, namespace
# "monitoring" (the one the chart's NetworkPolicies let scrape), configured
# as the chart's ServiceMonitors ask (port "http", path /metrics of every
# Service of the release), without the Prometheus Operator; on NodePort 30090.
#
#   scripts/cluster/prometheus.sh up      deploy it
#   scripts/cluster/prometheus.sh check   deploy, then query one metric of each
#                                         service and every metric the Grafana
#                                         dashboard (files/dashboard.json) uses
set -euo pipefail
. "$(dirname "$0")/env.sh"
cl_bins
prom=$("$PL_ROOT/scripts/tool.sh" prometheus)
ver=$(awk '$1=="github.com/prometheus/prometheus"{print $2; exit}' "$PL_ROOT/scripts/tools/prometheus/go.mod")
port=30090
promurl=http://127.0.0.1:$port

up() {
  "$CL_DIR/infra-images.sh" prometheus "$ver" "$prom"
  "$CL_DIR/up.sh" --no-install >/dev/null
  sed -e "s|__IMAGE__|localhost/patholabel-cluster/prometheus:$ver|; s|__NS__|$CL_NS|g; s|__PORT__|$port|" \
    "$CL_DIR/manifests/prometheus.yaml" | kc apply -f - >/dev/null
  kc -n monitoring rollout restart deploy/prometheus >/dev/null
  kc -n monitoring rollout status deploy/prometheus --timeout=180s >/dev/null
  waitfor "Prometheus on $promurl" 60 curl -fsS "$promurl/-/ready"
}

q() { curl -fsS --get --data-urlencode "query=$1" "$promurl/api/v1/query" | jq -r '.data.result | length'; }

check() {
  up
  local fails=0 c n m
  # Each service's own series, not a count of all targets: after a rollback
  # some pods are new and Prometheus finds them a scrape or two later (a
  # total of five up targets was met by three services' two replicas each).
  say "waiting for a scrape of every service"
  local left
  for _ in $(seq 60); do
    left=0
    for c in auth tiler annotation export web; do
      [ "$(q "http_requests_total{namespace=\"$CL_NS\",service=\"$CL_RELEASE-$c\"}")" -gt 0 ] || left=$((left + 1))
    done
    [ "$left" = 0 ] && break
    sleep 2
  done
  for c in auth tiler annotation export web; do
    n=$(q "http_requests_total{namespace=\"$CL_NS\",service=\"$CL_RELEASE-$c\"}")
    if [ "$n" -gt 0 ]; then echo "PASS  Prometheus scrapes $c: http_requests_total has $n series"; else
      echo "FAIL  Prometheus scrapes $c: no http_requests_total"; fails=$((fails + 1)); fi
  done
  for m in $(grep -o '"expr": *"[^"]*"' "$PL_ROOT/charts/patholabel/files/dashboard.json" |
    grep -oE '[a-z_]+(_total|_seconds_bucket|_in_flight|_depth)\b' | sort -u); do
    n=$(q "count({__name__=\"$m\",namespace=\"$CL_NS\"})")
    if [ "$n" -gt 0 ]; then echo "PASS  the dashboard's metric $m exists"; else
      echo "FAIL  the dashboard's metric $m has no series"; fails=$((fails + 1)); fi
  done
  [ "$fails" = 0 ]
}

case "${1:-}" in
  up) up ;;
  check) check ;;
  *) die "usage: scripts/cluster/prometheus.sh up|check" ;;
esac
