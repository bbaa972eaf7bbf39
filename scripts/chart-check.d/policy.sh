# Schema and policy checks of one rendered file. Sourced by scripts/chart-check.sh.

generate_schemas() {
  local swagger dir
  dir=$(cd "$kubeschema_dir" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$kube_version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  swagger="$dir/api/openapi-spec/swagger.json"
  [ -f "$swagger" ] || die "no OpenAPI spec in k8s.io/kubernetes@v$kube_version ($swagger)"
  (cd "$kubeschema_dir" && GOWORK=off GOFLAGS=-mod=mod go build -o "$work/bin/" . ./policy) \
    || die "build scripts/kubeschema"
  "$work/bin/kubeschema" -swagger "$swagger" -out "$work/schemas" || die "generate schemas"
}

# Unknown and misplaced fields fail (-strict); ServiceMonitor has no schema
# (its CRD is not part of Kubernetes) and is checked by the dry-run instead.
check_schema() {
  local f=$1
  "$kubeconform" -strict -summary -kubernetes-version "$kube_version" -skip ServiceMonitor \
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
