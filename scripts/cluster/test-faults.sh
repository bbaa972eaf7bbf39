# Steps of scripts/cluster/test.sh that disturb the running release: pod
# loss, two replicas, upgrade and rollback, metrics, uninstall. Sourced.
# shellcheck shell=bash

marks_on() { api GET "/api/v1/annotations?slide_id=$1" | jq '.features | length'; }

# save_stream SLIDE N OUT: N saves one after another, as an annotator
# clicks; writes each HTTP status to OUT. No retry: a failed save counts.
save_stream() {
  local i code
  : >"$3"
  for ((i = 1; i <= $2; i++)); do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$API_JAR" -X POST -H "X-CSRF-Token: $API_CSRF" -H 'Content-Type: application/json' \
      --data-binary "$(jq -nc --argjson s "$1" --argjson x $((10 + i)) --argjson c "$category_id" \
        '{slide_id: $s, features: [{type: "Feature", geometry: {type: "Point", coordinates: [$x, 42]}, properties: {category_id: $c, radius: 5}}]}')" \
      "$CL_URL/api/v1/annotations" 2>/dev/null || echo 000)
    echo "$code" >>"$3"
    sleep 0.2
  done
}

# saves_ok OUT N SLIDE BEFORE: every save answered 2xx and every mark is there.
saves_ok() {
  local failed have
  failed=$(grep -cv '^20[01]$' "$1" || true)
  have=$(marks_on "$3")
  echo "  $(wc -l <"$1") saves, $failed failed (statuses: $(sort "$1" | uniq -c | tr -s ' ' | tr '\n' ';')), marks on the slide: $have (want $(($4 + $2)))"
  [ "$failed" = 0 ] && [ "$have" = $(($4 + $2)) ]
}

# status_is PATH STATUS SECONDS: poll until the resource has STATUS; false
# when it is past it (done, ready, failed) or the time is up.
status_is() {
  local i st
  for ((i = 0; i < $3 * 5; i++)); do
    st=$(api GET "$1" | jq -r .status)
    [ "$st" = "$2" ] && return 0
    case $st in done | ready | failed) echo "  $1 is already $st"; return 1 ;; esac
    sleep 0.2
  done
  return 1
}

# running_images: the Patholabel images of the release's pods that are not
# being deleted (old pods drain for a few seconds after an upgrade).
running_images() {
  kc -n "$CL_NS" get pods -l "$inst" -o json |
    jq -r '.items[] | select(.metadata.deletionTimestamp == null) | .spec.containers[].image | select(test("/patholabel/"))'
}
export -f running_images

pod_of() { kc -n "$CL_NS" get pods -l "$inst,app.kubernetes.io/component=$1" -o jsonpath='{.items[0].metadata.name}'; }
scale_all() { # REPLICAS
  for c in auth tiler annotation export web; do kc -n "$CL_NS" scale deploy "$(comp "$c")" --replicas="$1" >/dev/null; done
  for c in auth tiler annotation export web; do kc -n "$CL_NS" rollout status deploy "$(comp "$c")" --timeout=300s >/dev/null; done
}

step_faults() {
  section "pod loss: tiler mid-ingest, export mid-export, annotation during saves"
  api_login "$(admin_password)"
  new_project faults
  local f=$testdata/slides/test3-DAPI-2-387.ndpi sid eid out before
  sid=$(api_upload "$project_id" "$f" "ndpi pod loss")
  # The ingest runs in the tiler worker: delete it while the slide is
  # being converted (and the tiler API pod too, which took the upload).
  check "slide $sid is being converted (status processing)" status_is "/api/v1/slides/$sid" processing 60
  echo "  deleting the tiler worker and tiler pods at $(api GET "/api/v1/slides/$sid" | jq -c '{status, progress}')"
  kc -n "$CL_NS" delete pod -l "$inst,app.kubernetes.io/component in (tiler-worker,tiler)" --wait=false >/dev/null
  check "the ingest finishes on the replacement worker (slide ready)" api_wait_slide "$sid" 300
  # Enough work that the export is still running when its pod goes.
  api POST /api/v1/annotations "$(jq -nc --argjson s "$sid" --argjson c "$category_id" \
    '{slide_id: $s, features: [range(400) | {type: "Feature", geometry: {type: "Point", coordinates: [(. % 20) * 150 + 100, ((. / 20) | floor) * 200 + 100]}, properties: {category_id: $c, radius: 5}}]}')" >/dev/null
  eid=$(api POST /api/v1/exports "$(jq -nc --argjson p "$project_id" '{project_id: $p, formats: ["geojson", "coco", "patches"], patch_sizes: [64, 256]}')" | jq -r .id)
  check "export $eid is running" status_is "/api/v1/exports/$eid" running 60
  echo "  deleting the export pod at $(api GET "/api/v1/exports/$eid" | jq -c '{status, progress}')"
  kc -n "$CL_NS" delete pod -l "$inst,app.kubernetes.io/component=export" --wait=false >/dev/null
  check "the export finishes on the replacement export pod (done)" export_done "$eid" 300
  check "its files download and match the manifest" download_and_verify "$eid"
  scale_all 2
  before=$(marks_on "$sid")
  out=$(mktemp)
  save_stream "$sid" 60 "$out" &
  local bg=$!
  sleep 3
  kc -n "$CL_NS" delete pod "$(pod_of annotation)" --wait=false >/dev/null
  echo "  deleted an annotation pod during a stream of 60 saves (2 replicas)"
  wait $bg
  check "no save failed and no mark was lost" saves_ok "$out" 60 "$sid" "$before"
}

step_scale() {
  section "two replicas of every service, both serving"
  scale_all 2
  local c ips ip ok
  for c in auth tiler annotation export web; do
    ips=$(kc -n "$CL_NS" get pods -l "$inst,app.kubernetes.io/component=$c" --field-selector=status.phase=Running -o jsonpath='{.items[*].status.podIP}')
    ok=0
    for ip in $ips; do curl -fsS -m 5 -o /dev/null "http://$ip:8080/readyz" && ok=$((ok + 1)); done
    check "$c: 2 pods Ready and both answer /readyz ($ips)" test "$ok" = 2
  done
}

step_upgrade() {
  section "helm upgrade to a build with a new migration while marks are saved, then helm rollback"
  api_login "$(admin_password)"
  [ -n "${sid:-}" ] || { new_project upgrade; sid=$(api_upload "$project_id" "$testdata/slides/CMU-1-Small-Region.svs" upgrade); api_wait_slide "$sid" 180; }
  local next tree out before bg rev
  next=$(awk '$1=="appVersion:"{gsub(/"/,"",$2); print $2}' "$PL_ROOT/charts/patholabel/Chart.yaml")-next
  if ! ctr_ images ls -q | grep "patholabel/auth:$next" >/dev/null; then
    tree=$(mktemp -d)
    # The same sources plus one expand-only migration.
    (cd "$PL_ROOT" && tar -c --exclude=node_modules --exclude=.git --exclude=.dev --exclude=web/dist Dockerfile services web go.work go.work.sum .dockerignore charts/patholabel/Chart.yaml) | tar -C "$tree" -x
    printf -- '-- +goose Up\nCREATE TABLE cluster_upgrade_probe (id BIGINT PRIMARY KEY);\n-- +goose Down\nDROP TABLE cluster_upgrade_probe;\n' \
      >"$tree/services/platform/migrate/sql/09999_cluster_upgrade_probe.sql"
    CONTEXT=$tree TAG=$next IMAGES="auth tiler annotation export web" "$PL_ROOT/scripts/images.sh" >/dev/null
    rm -rf "$tree"
    "$CL_DIR/up.sh" --no-install >/dev/null
  fi
  # Two replicas through the chart's values: the PodDisruptionBudgets are
  # rendered only then (a PDB over one replica would block node drains).
  local two=auth.replicaCount=2,tiler.replicaCount=2,tiler.worker.replicaCount=2,annotation.replicaCount=2,export.replicaCount=2,web.replicaCount=2
  check "two replicas of each service through the chart's values" "$CL_DIR/install-chart.sh" --reuse-values --set "$two"
  check "each service has a PodDisruptionBudget" \
    test "$(kc -n "$CL_NS" get pdb -l "$inst" -o name | wc -l)" -ge 5
  before=$(marks_on "$sid")
  out=$(mktemp)
  save_stream "$sid" 150 "$out" &
  bg=$!
  rev=$(hl history "$CL_RELEASE" -n "$CL_NS" -o json | jq '.[-1].revision')
  # Ready replicas of every Deployment, twice a second, during the upgrade.
  local ready sampler
  ready=$(mktemp)
  while :; do
    kc -n "$CL_NS" get deploy -l "$inst" -o jsonpath='{range .items[*]}{.metadata.name} {.status.readyReplicas}{"\n"}{end}' >>"$ready" 2>/dev/null
    sleep 0.5
  done &
  sampler=$!
  check "helm upgrade to $next (migration hook, rolling update) succeeds" "$CL_DIR/install-chart.sh" --reuse-values \
    --set "$two" \
    --set auth.image.tag="$next",tiler.image.tag="$next",annotation.image.tag="$next",export.image.tag="$next",web.image.tag="$next"
  wait $bg
  kill "$sampler"
  echo "  fewest Ready replicas seen during the upgrade: $(awk '{m[$1] = ($1 in m && m[$1] < $2+0) ? m[$1] : $2+0} END {for (d in m) printf "%s=%d ", d, m[d]}' "$ready")"
  check "pods rolled one at a time: no Deployment had fewer than 2 Ready replicas (maxUnavailable 0)" \
    awk '$2+0 < 2 {bad=1} END {exit bad}' "$ready"
  check "the pre-upgrade migration hook Job ran to completion" \
    bash -c "kc -n '$CL_NS' get events --field-selector involvedObject.kind=Job,involvedObject.name=$(comp migrate) -o jsonpath='{.items[*].reason}' | grep -q Completed"
  check "no save failed and no mark was lost during the upgrade" saves_ok "$out" 150 "$sid" "$before"
  check "the new migration is applied (table cluster_upgrade_probe exists)" bash -c \
    "kc -n '$CL_NS' exec '$(comp mysql)-0' -- sh -c 'mariadb -uroot -p\"\$MYSQL_ROOT_PASSWORD\" $(printf %q "$(hl get values "$CL_RELEASE" -n "$CL_NS" -a -o json | jq -r .mysql.database)") -e \"SHOW TABLES LIKE \\\"cluster_upgrade_probe\\\"\"' | grep -q probe"
  check "every pod Ready on $next" bash -c "all_ready 300 && ! running_images | grep -v ':$next\$' | grep -q ."
  running_images | sort | uniq -c | sed 's/^/  /'
  before=$(marks_on "$sid")
  save_stream "$sid" 60 "$out" &
  bg=$!
  check "helm rollback to revision $rev succeeds" hl rollback "$CL_RELEASE" "$rev" -n "$CL_NS" --wait --timeout 10m
  wait $bg
  check "no save failed and no mark was lost during the rollback" saves_ok "$out" 60 "$sid" "$before"
  check "every pod Ready on the previous images" all_ready 300
}
export -f all_ready

step_metrics() {
  section "Prometheus scrapes every service; the Grafana dashboard uses those metrics"
  # prometheus.sh prints a PASS/FAIL line per metric; its failure counts.
  "$CL_DIR/prometheus.sh" check || { printf 'FAIL  %s\n' "Prometheus check (see above)"; failures=$((failures + 1)); }
}

step_uninstall() {
  section "helm uninstall keeps the data volumes"
  local pvcs
  pvcs=$(kc -n "$CL_NS" get pvc -l "$inst" -o name | wc -l)
  check "helm uninstall succeeds" hl uninstall "$CL_RELEASE" -n "$CL_NS" --wait
  check "the $pvcs PersistentVolumeClaims of MySQL, Redis and MinIO remain" \
    test "$(kc -n "$CL_NS" get pvc -o name | wc -l)" = "$pvcs"
  check "their volumes remain Bound, with the data" bash -c \
    "[ \$(kc get pv -l patholabel.org/cluster-pv=true -o jsonpath='{range .items[?(@.status.phase==\"Bound\")]}{.metadata.name}{\"\\n\"}{end}' | wc -l) -ge $pvcs ]"
}
