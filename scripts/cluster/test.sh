#!/usr/bin/env bash
# make test-cluster: builds the images, starts the throwaway cluster (or
# uses the running one), installs the chart afresh and checks it for real.
# Every check prints what it checks; the first failure stops the run with
# its name. The cluster is stopped at the end when this script started it.
#
#   scripts/cluster/test.sh [STEP...]     default: every step, in order
#
# Steps: install netpol ingress upload export e2e sso faults scale upgrade
#        metrics skaffold uninstall
set -euo pipefail
. "$(dirname "$0")/env.sh"
T0=$(date +%s)
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(install netpol ingress upload export e2e sso faults scale upgrade metrics skaffold uninstall)
testdata=${PATHOLABEL_TESTDATA:-$PL_ROOT/../shared/testdata}
failures=0

section() { printf '\n=== %s\n' "$*"; }
# check DESC CMD...: runs CMD, prints PASS or FAIL with DESC.
check() {
  local d=$1
  shift
  if "$@"; then
    printf 'PASS  %s\n' "$d"
  else
    printf 'FAIL  %s\n' "$d"
    failures=$((failures + 1))
    return 1
  fi
}
inst="app.kubernetes.io/instance=$CL_RELEASE"
export inst
comp() { echo "$CL_RELEASE-$1"; }

section "images (make images)"
"$PL_ROOT/scripts/images.sh"
started=0
if ! running "$CL_STATE" kube-apiserver; then started=1; fi
# What cluster-down must give back: iptables rules (without counters),
# the sysctls kubelet and kube-proxy set, network links, mounts.
host_state() {
  { iptables-save; ip6tables-save; } | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
  sysctl vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.conf.all.route_localnet 2>/dev/null
  ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  awk '{print $2}' /proc/mounts | { grep -E 'kubelet|containerd|netns|/var/log/pods' || true; } | sort
}
host_before=$(mktemp)
if [ "$started" = 1 ]; then host_state >"$host_before"; fi
finish() {
  local rc=$?
  "$CL_DIR/down.sh"
  section "cluster-down gave the host back"
  if diff <(cat "$host_before") <(host_state) >/dev/null; then
    printf 'PASS  %s\n' "iptables, sysctls, links and mounts as before cluster-up"
  else
    printf 'FAIL  %s\n' "the host differs after cluster-down:"
    diff <(cat "$host_before") <(host_state) | head -20
    rc=1
  fi
  exit $rc
}
"$CL_DIR/up.sh" --no-install
cl_bins
if [ "$started" = 1 ] && [ -z "${PL_CLUSTER_KEEP:-}" ]; then trap finish EXIT; fi
. "$CL_DIR/api.sh"

fresh() {
  # A clean start: no release, no claims, volumes free and empty.
  if hl status "$CL_RELEASE" -n "$CL_NS" >/dev/null 2>&1; then hl uninstall "$CL_RELEASE" -n "$CL_NS" --wait >/dev/null; fi
  kc delete namespace "$CL_NS" --ignore-not-found --wait=true >/dev/null
  for pv in $(kc get pv -l patholabel.org/cluster-pv=true -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{"\n"}{end}'); do
    d=$(kc get pv "$pv" -o jsonpath='{.spec.hostPath.path}')
    find "$d" -mindepth 1 -delete
    kc patch pv "$pv" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
  done
}

admin_password() { kc -n "$CL_NS" get secret "$(comp admin)" -o jsonpath='{.data.password}' | base64 -d; }
# all_ready [SECONDS]: every pod of the release that is not being deleted
# is Ready (old pods drain for a while after a rollout, not Ready).
all_ready() {
  local i
  for ((i = 0; i < ${1:-300}; i += 2)); do
    kc -n "$CL_NS" get pods -l "$inst" -o json | jq -e '[.items[] | select(.metadata.deletionTimestamp == null and .status.phase != "Succeeded")] |
      length > 0 and all(.status.conditions // [] | any(.type == "Ready" and .status == "True"))' >/dev/null && return 0
    sleep 2
  done
  return 1
}
no_restarts() { [ "$(kc -n "$CL_NS" get pods -l "$inst" -o jsonpath='{range .items[*]}{range .status.containerStatuses[*]}{.restartCount}{"\n"}{end}{end}' | awk '{s+=$1} END {print s+0}')" = 0 ]; }

step_install() {
  section "helm install with the evaluation profile: migration hook, every pod Ready, helm test"
  fresh
  check "helm install --wait succeeds (release deployed)" "$CL_DIR/install-chart.sh"
  # In-chart database: the install's migration is auth's init container
  # (templates/_migrate.tpl); the hook Job runs before upgrades.
  check "the schema was migrated before auth started (init container migrate Completed)" \
    bash -c "kc -n '$CL_NS' get pods -l '$inst,app.kubernetes.io/component=auth' -o jsonpath='{.items[*].status.initContainerStatuses[?(@.name==\"migrate\")].state.terminated.reason}' | grep -q Completed"
  check "every pod of the release is Ready" all_ready 300
  kc -n "$CL_NS" get pods -o wide
  check "no container restarted (read-only root fs, uid 65532, probes)" no_restarts
  check "helm test passes (every component ready, admin login)" hl test "$CL_RELEASE" -n "$CL_NS" --logs
}

# np_probe NAME LABELS URL: from a fresh pod with LABELS, try to connect to
# URL's host and port once a second for 20 s; true when it connected. kube-router adds a new pod to its
# sets a few seconds after the pod starts, so a single early try is refused
# even where the policies allow it; a denial must hold for all 20 s, longer
# than an allowed probe needs (it prints how long).
np_probe() {
  kc -n "$CL_NS" delete pod "$1" --ignore-not-found --wait=true >/dev/null
  # A TCP connection is what a policy allows or not: time_connect is 0 when
  # none was made (MySQL's greeting is no HTTP, hence --http0.9).
  local script='for i in $(seq 20); do t=$(curl --http0.9 -s -m 2 -o /dev/null -w "%{time_connect}" "$0"); if [ "${t:-0.000000}" != 0.000000 ]; then echo "connected after $i tries"; exit 0; fi; sleep 1; done; echo "no connection in 20 tries"; exit 1'
  kc -n "$CL_NS" run "$1" --restart=Never --image=localhost/patholabel-eval/testclient:1 --labels="$2" \
    --overrides='{"spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":65532,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"'"$1"'","image":"localhost/patholabel-eval/testclient:1","command":["sh","-c",'"$(jq -Rn --arg s "$script" '$s')"',"'"$3"'"],"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}' >/dev/null
  local phase=""
  for _ in $(seq 60); do
    phase=$(kc -n "$CL_NS" get pod "$1" -o jsonpath='{.status.phase}')
    [ "$phase" = Succeeded ] || [ "$phase" = Failed ] && break
    sleep 1
  done
  echo "  $1: $(kc -n "$CL_NS" logs "$1" 2>&1 | tail -n 1)"
  kc -n "$CL_NS" delete pod "$1" --wait=false >/dev/null
  [ "$phase" = Succeeded ]
}

step_netpol() {
  section "NetworkPolicies enforced (kube-router): what must pass passes, what must not is blocked"
  local auth=http://$(comp auth)/healthz mysql=http://$(comp mysql):3306/
  check "a pod labelled as the release's test client reaches auth" \
    np_probe np-allowed "app.kubernetes.io/name=patholabel,$inst,app.kubernetes.io/component=test" "$auth"
  check "an unlabelled pod in the namespace cannot reach auth" bash -c "! np_probe np-denied app=intruder '$auth'"
  check "a pod labelled as auth connects to MySQL (the probe can see a MySQL connection)" \
    np_probe np-mysql-ok "app.kubernetes.io/name=patholabel,$inst,app.kubernetes.io/component=auth" "$mysql"
  check "the test client cannot connect to MySQL" \
    bash -c "! np_probe np-mysql 'app.kubernetes.io/name=patholabel,$inst,app.kubernetes.io/component=test' '$mysql'"
}
export -f np_probe kc
export CL_NS kubectl CL_KUBECONFIG

me_is_admin() { api GET /api/v1/auth/me | jq -e '.user.username == "admin"' >/dev/null; }

step_ingress() {
  section "the viewer and the API through the ingress ($CL_URL)"
  check "GET / serves the viewer" bash -c "curl -fsS '$CL_URL/' | grep -q '<div id=\"app\"\\|<script'"
  check "GET /login (SPA route) serves the viewer" bash -c "curl -fsS '$CL_URL/login' | grep -q '<script'"
  check "admin signs in through the ingress" api_login "$(admin_password)"
  check "/api/v1/auth/me names admin" me_is_admin
}

project_id=""
new_project() {
  project_id=$(api POST /api/v1/projects "$(jq -nc --arg n "cluster $1 $(date +%s%N)" '{name: $n, description: "make test-cluster"}')" | jq -r .id)
  category_id=$(api POST "/api/v1/projects/$project_id/categories" '{"class_id": 1, "name": "Tumour cell", "color": "#e6194b"}' | jq -r .id)
}

step_upload() {
  section "resumable upload of a real slide through the ingress"
  api_login "$(admin_password)"
  new_project upload
  local f=$testdata/slides/CMU-1-Small-Region.svs
  slide_id=$(api_upload "$project_id" "$f" "CMU-1 cluster")
  check "all parts of $(basename "$f") ($(stat -c %s "$f") bytes) accepted, upload completed (slide $slide_id)" test -n "$slide_id"
  check "the slide is tiled (status ready)" api_wait_slide "$slide_id" 180
  check "a 6 GiB upload is accepted: its first and last 8 MiB parts pass the ingress, then it is aborted" big_upload "$project_id"
  check "a tile is served through /tiles" bash -c "curl -fsS -b '$API_JAR' -o /dev/null -w '%{content_type}' \"$CL_URL\$(curl -fsS -b '$API_JAR' '$CL_URL/api/v1/slides/$slide_id' | jq -r '.tile_url // .dzi_url // empty' | sed 's/\\.dzi\$/_files\\/8\\/0_0.jpeg/')\" | grep -q image"
}

# big_upload PROJECT: the ingress takes a multi-GB upload's parts (body size,
# timeouts): a 6 GiB upload is started, its first and last parts sent in
# full, the upload lists both, and is aborted (not completed: no 6 GiB here).
big_upload() {
  local size=$((6 << 30)) up id parts psize got
  up=$(api POST /api/v1/uploads "$(jq -nc --argjson p "$1" --argjson s "$size" '{project_id: $p, name: "six GiB", size: $s}')") || return 1
  id=$(jq -r .id <<<"$up") parts=$(jq -r .parts <<<"$up") psize=$(jq -r .part_size <<<"$up")
  echo "  upload $id: $parts parts of $((psize >> 20)) MiB"
  for n in 1 "$parts"; do
    head -c "$psize" /dev/urandom | curl -fsS -b "$API_JAR" -X PUT -H "X-CSRF-Token: $API_CSRF" \
      -H 'Content-Type: application/octet-stream' --data-binary @- "$CL_URL/api/v1/uploads/$id/parts/$n" >/dev/null || return 1
  done
  got=$(api GET "/api/v1/uploads/$id")
  echo "  the upload reports $(jq -r '.received_parts | length' <<<"$got") parts, $(jq -r .received_bytes <<<"$got") bytes received"
  api DELETE "/api/v1/uploads/$id" >/dev/null
  [ "$(jq -r .received_bytes <<<"$got")" = $((2 * psize)) ]
}

mark() { # SLIDE X Y: one point saved
  api POST /api/v1/annotations "$(jq -nc --argjson s "$1" --argjson x "$2" --argjson y "$3" --argjson c "$category_id" \
    '{slide_id: $s, features: [{type: "Feature", geometry: {type: "Point", coordinates: [$x, $y]}, properties: {category_id: $c, radius: 5}}]}')" >/dev/null
}

export_done() { # ID SECONDS
  local i s
  for ((i = 0; i < $2; i++)); do
    s=$(api GET "/api/v1/exports/$1" | jq -r .status)
    [ "$s" = done ] && return 0
    [ "$s" = failed ] && { api GET "/api/v1/exports/$1" >&2; return 1; }
    sleep 1
  done
  return 1
}

download_and_verify() { # EXPORT: every file by its link, from the host, sha256 against the manifest
  local dir n=0 bad=0 path url page total offset=0 want got
  dir=$(mktemp -d)
  # Every page of links, as the README's download recipe reads them (a
  # file, not a variable: a page of 1,000 signed links is ~0.5 MB).
  while :; do
    page=$(api GET "/api/v1/exports/$1/files?offset=$offset&limit=1000") || { rm -rf "$dir"; return 1; }
    jq -r '.files[] | [.path, .url] | @tsv' <<<"$page" >>"$dir/links"
    total=$(jq -r .total <<<"$page")
    offset=$(wc -l <"$dir/links")
    [ "$offset" -lt "$total" ] && [ "$(jq '.files | length' <<<"$page")" -gt 0 ] || break
  done
  while IFS=$'\t' read -r path url; do
    mkdir -p "$dir/files/$(dirname "$path")"
    curl -fsS -o "$dir/files/$path" "$url" || { echo "  cannot download $path from $url"; bad=$((bad + 1)); continue; }
    n=$((n + 1))
  done <"$dir/links"
  echo "  downloaded $n of $total files from $(head -n1 "$dir/links" | cut -f2 | cut -d/ -f1-3)"
  # Each file the manifest lists is there with the manifest's sha256, and
  # the API listed exactly the manifest's files plus the manifest.
  [ -f "$dir/files/manifest.json" ] || { echo "  no manifest.json among the files"; rm -rf "$dir"; return 1; }
  while IFS=$'\t' read -r path want; do
    got=$(sha256sum "$dir/files/$path" 2>/dev/null | cut -d' ' -f1)
    [ "$got" = "$want" ] || { echo "  $path: sha256 ${got:-missing}, manifest says $want"; bad=$((bad + 1)); }
  done < <(jq -r '.files[] | [.path, .sha256] | @tsv' "$dir/files/manifest.json")
  [ "$(jq '.files | length' "$dir/files/manifest.json")" = "$((n - 1))" ] ||
    { echo "  the manifest lists $(jq '.files | length' "$dir/files/manifest.json") files, the API $((n - 1))"; bad=$((bad + 1)); }
  rm -rf "$dir"
  [ "$n" -gt 1 ] && [ "$bad" = 0 ]
}

step_export() {
  section "an export, its files downloaded from the host with the API's links, sha256 against the manifest"
  api_login "$(admin_password)"
  [ -n "${slide_id:-}" ] || step_upload
  for i in 1 2 3; do mark "$slide_id" $((100 * i)) $((80 * i)); done
  export_id=$(api POST /api/v1/exports "$(jq -nc --argjson p "$project_id" '{project_id: $p, formats: ["geojson", "csv", "patches"], patch_sizes: [64]}')" | jq -r .id)
  check "export $export_id finishes (status done)" export_done "$export_id" 300
  check "every link is for $CL_URL and every file's sha256 matches the manifest" download_and_verify "$export_id"
}

step_e2e() {
  section "browser e2e (headless Chromium) through the ingress: sign in, open a slide, mark, reload, export"
  # The suite's packages (playwright-core, tsx): a clean clone running only
  # make test-cluster has none yet.
  "$PL_ROOT/scripts/web.sh" deps
  apt_install chromium
  (cd "$PL_ROOT/web" && PATHOLABEL_URL=$CL_URL PATHOLABEL_ADMIN_PASSWORD=$(admin_password) PATHOLABEL_TESTDATA=$testdata \
    node --import tsx --test --test-concurrency=1 --test-reporter=spec e2e/login.test.ts e2e/viewer.test.ts e2e/exports.test.ts) &&
    printf 'PASS  %s\n' "browser e2e: login, viewer (mark, reload, undo, offline saves), exports" ||
    { printf 'FAIL  %s\n' "browser e2e"; failures=$((failures + 1)); }
}

step_skaffold() {
  section "skaffold run -p dev: builds with the local engine, deploys to this cluster, pushes nothing"
  local skaffold bin before tags
  skaffold=$("$PL_ROOT/scripts/tool.sh" skaffold)
  # skaffold runs the helm and kubectl it finds on PATH (Helm 3, as render uses).
  bin=$PL_CACHE/cluster/skaffold-bin
  mkdir -p "$bin"
  ln -sf "$("$PL_ROOT/scripts/tool.sh" helm3)" "$bin/helm"
  ln -sf "$kubectl" "$bin/kubectl"
  "$skaffold" config set --global collect-metrics false >/dev/null
  before=$(hl history "$CL_RELEASE" -n "$CL_NS" -o json | jq '.[-1].revision')
  # skaffold asks a Docker API about the images it built: podman serves one.
  local sock=$CL_STATE/podman.sock
  podman system service --time=0 "unix://$sock" >"$CL_STATE/logs/podman-service.log" 2>&1 &
  local svc=$!
  waitfor "podman's Docker API on $sock" 30 test -S "$sock"
  check "skaffold run -p dev succeeds (the throwaway profile activated by the context)" bash -c \
    "set -o pipefail; cd '$PL_ROOT' && PATH='$bin':\$PATH KUBECONFIG='$CL_KUBECONFIG' DOCKER_HOST='unix://$sock' PL_ENGINE=podman \
      SKAFFOLD_UPDATE_CHECK=false '$skaffold' run -p dev --status-check=true 2>&1 | tail -n 20"
  kill "$svc" 2>/dev/null || true
  tags=$(kc -n "$CL_NS" get deploy -l "$inst" -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image}{"\n"}{end}' | grep /patholabel/ | sort -u)
  echo "$tags" | sed 's/^/  /'
  check "a new release revision runs skaffold's content-tagged images" bash -c \
    "[ \$(hl history '$CL_RELEASE' -n '$CL_NS' -o json | jq '.[-1].revision') -gt $before ] && ! grep -q ':0\.1\.0\$' <<<'$tags' && [ \$(wc -l <<<'$tags') = 5 ]"
  check "every pod Ready after skaffold's deploy" all_ready 300
}
export -f hl

. "$CL_DIR/test-faults.sh"
. "$CL_DIR/test-sso.sh"

for s in "${steps[@]}"; do "step_$s" || true; done
section "summary"
echo "$failures failed check(s); $(($(date +%s) - T0)) s"
[ "$failures" = 0 ]
