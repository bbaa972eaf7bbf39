# shellcheck shell=bash disable=SC2154 # variables and helpers come from scripts/chart-check.sh
# Schema and policy checks of one rendered file. Sourced by scripts/chart-check.sh.

generate_schemas() {
  local swagger dir
  dir=$(cd "$kubeschema_dir" && GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" go mod download -json "k8s.io/kubernetes@v$kube_version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  swagger="$dir/api/openapi-spec/swagger.json"
  [ -f "$swagger" ] || die "no OpenAPI spec in k8s.io/kubernetes@v$kube_version ($swagger)"
  (cd "$kubeschema_dir" && GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" go test ./... >&2 &&
    GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" go build -o "$work/bin/" . ./policy) || die "test/build scripts/kubeschema"
  generate_crds
  "$work/bin/kubeschema" -swagger "$swagger" -crd "$work/crds/monitoring.coreos.com_servicemonitors.yaml" \
    -out "$work/schemas" || die "generate schemas"
}

# The ServiceMonitor CRD is not part of Kubernetes: generate it from the
# Prometheus Operator's Go API types, as the operator itself does. The result
# only depends on the pinned module, so it is cached like the tools.
generate_crds() {
  local dir="$root/scripts/tools/controller-gen" key out
  key=$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-12)
  out="$cache/crds/monitoring-$key"
  if [ ! -s "$out/monitoring.coreos.com_servicemonitors.yaml" ]; then
    (cd "$dir" && GOWORK=off GOFLAGS=-mod=mod "$controller_gen" crd:crdVersions=v1,maxDescLen=0 \
      paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 \
      output:crd:dir="$out.tmp") || die "controller-gen ServiceMonitor CRD"
    [ -s "$out.tmp/monitoring.coreos.com_servicemonitors.yaml" ] || die "controller-gen wrote no ServiceMonitor CRD"
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
  mkdir -p "$work/crds"
  cp "$out/monitoring.coreos.com_servicemonitors.yaml" "$work/crds/"
}

# Unknown and misplaced fields fail (-strict).
check_schema() {
  local f=$1
  "$kubeconform" -strict -summary -kubernetes-version "$kube_version" \
    -schema-location "$work/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$f" >"$work/kubeconform.log" 2>&1 \
    || { cat "$work/kubeconform.log" >&2; die "kubeconform -strict $(basename "$f")"; }
  log "kubeconform -strict: $(basename "$f"): $(tail -n1 "$work/kubeconform.log")"
}

# kube-score tests the chart deliberately does not follow:
#   container-image-pull-policy: IfNotPresent with pinned tags/digests suits
#     air-gapped mirrors; Always would make every restart need the registry.
#   container-ephemeral-storage-request-and-limit: scratch space is bounded by
#     the /tmp emptyDir's sizeLimit, sized per component in values.
#   pod-networkpolicy: only where networkPolicy.enabled=false (a toggle).
#   deployment-replicas: only where a Deployment deliberately runs one
#     replica (the evaluation values, skaffold's dev profile).
check_policy() {
  local f=$1 ignore=(--ignore-test container-image-pull-policy
    --ignore-test container-ephemeral-storage-request-and-limit)
  grep -q '^kind: NetworkPolicy' "$f" || ignore+=(--ignore-test pod-networkpolicy)
  grep -q '^  replicas: 1$' "$f" && ignore+=(--ignore-test deployment-replicas)
  "$kubescore" score --output-format ci --kubernetes-version "v${kube_version%.*}" \
    --enable-optional-test container-seccomp-profile --exit-one-on-warning "${ignore[@]}" "$f" \
    >"$work/kube-score.log" 2>&1 || { grep -Ev '^\[(OK|SKIPPED)\]' "$work/kube-score.log" >&2; die "kube-score $(basename "$f")"; }
  "$work/bin/policy" -routes "$chart/files/routes.yaml" "$f" || die "policy $(basename "$f")"
  log "kube-score + policy: $(basename "$f"): $(grep -c '^\[OK\]' "$work/kube-score.log") checks ok"
}

# Canaries: a misspelt field and a missing probe must be caught, or the
# checks above prove nothing. Writes canary-*.yaml next to the renderings.
make_canaries() {
  local src="$work/rendered/default.yaml"
  mkdir -p "$work/canary"
  # GNU sed: 0,/re/ edits only the first match.
  sed '0,/^          imagePullPolicy: /s//          imagePullPolicyy: Always\n&/' "$src" >"$work/canary/unknown-field.yaml"
  sed '0,/^          readinessProbe:/s//          startupProbeX:/' "$src" >"$work/canary/no-probe.yaml"
  cmp -s "$src" "$work/canary/unknown-field.yaml" && die "canary: no imagePullPolicy line to misspell"
  cmp -s "$src" "$work/canary/no-probe.yaml" && die "canary: no readinessProbe line to drop"
  if "$kubeconform" -strict -schema-location "$work/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$work/canary/unknown-field.yaml" >/dev/null 2>&1; then
    die "canary: kubeconform -strict accepted an unknown field"
  fi
  sed -i 's/^          startupProbeX:/          livenessProbe:/' "$work/canary/no-probe.yaml"
  if "$work/bin/policy" -routes "$chart/files/routes.yaml" "$work/canary/no-probe.yaml" >/dev/null 2>&1; then
    die "canary: policy accepted a container without readinessProbe"
  fi
  log "canaries: kubeconform rejects an unknown field, policy a missing probe"
}

# The server must refuse the unknown field too.
dry_run_canary() {
  if "$kubectl" apply --dry-run=server --validate=strict -n "$namespace" -f "$work/canary/unknown-field.yaml" \
    >"$work/canary.log" 2>&1; then
    die "canary: kube-apiserver accepted an unknown field"
  fi
  grep -q 'unknown field' "$work/canary.log" || { cat "$work/canary.log" >&2; die "canary: refused for another reason"; }
  log "canary: kube-apiserver rejects an unknown field"
}
