# shellcheck shell=bash disable=SC2154 # variables and helpers come from scripts/chart-check.sh
# Rendering: helm lint and template per values set, skaffold render, and the
# values the chart must refuse. Sourced by scripts/chart-check.sh.

# helm_render NAME [VALUES_FILE]: lint strictly, then render to rendered/NAME.yaml.
helm_render() {
  local name=$1 values=${2:-} args=()
  [ -n "$values" ] && args=(-f "$values")
  "$helm" lint --strict --quiet --kube-version "$kube_version" "$chart" "${args[@]}" >"$work/lint.log" 2>&1 \
    || { cat "$work/lint.log" >&2; die "helm lint --strict ($name)"; }
  "$helm" template patholabel "$chart" -n "$namespace" --kube-version "$kube_version" "${args[@]}" \
    >"$work/rendered/$name.yaml" || die "helm template ($name)"
  log "helm lint --strict + template: $name ($(grep -c '^kind:' "$work/rendered/$name.yaml") objects)"
}

render_all() {
  local f
  helm_render default
  for f in "$chart"/ci/*.yaml; do
    helm_render "ci-$(basename "$f" .yaml)" "$f"
  done
}

# refuse NAME WANT ARGS...: helm template must fail and say WANT.
refuse() {
  local name=$1 want=$2
  shift 2
  if "$helm" template patholabel "$chart" --kube-version "$kube_version" "$@" >"$work/refused.log" 2>&1; then
    die "values accepted but must be refused: $name"
  fi
  grep -qF -- "$want" "$work/refused.log" || { cat "$work/refused.log" >&2; die "refused for another reason: $name"; }
}

refuse_bad_values() {
  refuse "unknown top-level key" "additional properties 'replicas' not allowed" --set replicas=3
  refuse "unknown nested key" "at '/tiler/replica'" --set tiler.replica=3
  refuse "bad type" "want integer" --set-string auth.replicaCount=two
  refuse "root user" "minimum" --set securityContext.runAsUser=0
  refuse "no MySQL host" "mysql.host is required" --set mysql.host=
  refuse "no S3 credentials" "external S3 needs" --set s3.existingSecret=
  refuse "TLS without secret" "ingress.tls.enabled needs ingress.tls.secretName" --set ingress.tls.enabled=true
  refuse "HPA min > max" "minReplicas must not exceed maxReplicas" \
    --set tiler.autoscaling.enabled=true --set tiler.autoscaling.minReplicas=9 --set tiler.autoscaling.maxReplicas=3
  refuse "OIDC half set" "auth.oidc.enabled needs" --set auth.oidc.enabled=true
  refuse "Redis without AUTH" "external Redis needs" --set redis.existingSecret=
  refuse "TLS to in-chart Redis" "the in-chart redis speaks no TLS" --set redis.inChart.enabled=true --set redis.tls.enabled=true
  refuse "service users on the in-chart MySQL" "mysql.serviceUsers needs an external MySQL" \
    --set mysql.serviceUsers.enabled=true --set mysql.inChart.enabled=true
  local sso=(--set auth.oidc.enabled=true --set auth.oidc.issuer=https://idp.example --set auth.oidc.clientId=patholabel
    --set auth.oidc.redirectUrl=https://pl.example/api/v1/auth/oidc/callback)
  refuse "group rule of an unknown kind" "groupRules/0/kind" "${sso[@]}" \
    --set 'auth.oidc.groupRules[0].group=g' --set 'auth.oidc.groupRules[0].kind=boss'
  refuse "project rule without a project" "is a project rule and needs project" "${sso[@]}" \
    --set 'auth.oidc.groupRules[0].group=g' --set 'auth.oidc.groupRules[0].kind=project' --set 'auth.oidc.groupRules[0].role=viewer'
  refuse "passwords off without single sign-on" "it needs auth.oidc.enabled" --set auth.localPasswords.mode=break-glass
  log "bad values refused: 15 cases"
}

# The skaffold config must parse and render the same chart, offline. skaffold
# runs `helm` from PATH and asks it `version --client`, which only helm v3
# answers. --tag stands in for the tagger, which would ask a registry.
render_skaffold() {
  mkdir -p "$work/skaffold-bin"
  ln -sf "$helm3" "$work/skaffold-bin/helm"
  "$skaffold" config set --global collect-metrics false >/dev/null
  (cd "$root" && "$skaffold" diagnose --yaml-only >"$work/skaffold-diagnose.yaml") \
    || die "skaffold diagnose --yaml-only"
  log "skaffold diagnose --yaml-only: $(grep -c '^    - image:' "$work/skaffold-diagnose.yaml") artifacts"
  local p
  for p in dev prod; do
    (cd "$root" && PATH="$work/skaffold-bin:$PATH" "$skaffold" render --offline=true --digest-source=tag \
      --tag chart-check -p "$p" --namespace "$namespace" --output "$work/rendered/skaffold-$p.yaml" >"$work/skaffold.log" 2>&1) \
      || { cat "$work/skaffold.log" >&2; die "skaffold render -p $p"; }
    log "skaffold render -p $p ($(grep -c '^kind:' "$work/rendered/skaffold-$p.yaml") objects)"
  done
}
