#!/usr/bin/env bash
# A hospital's single sign-on inside the throwaway cluster, for the sso step
# of make test-cluster: Debian's slapd seeded as the hospital directory and
# Dex v2.41.1 in front of it (the images localhost/patholabel-eval/slapd and
# dex of `make images`), in namespace "sso"; the people and groups are those
# of scripts/sso-config.sh, as `PATHOLABEL_SSO=dev make up` has them.
#
#   scripts/cluster/sso.sh up        deploy slapd and Dex; put the client secret
#                                    into Secret patholabel-oidc of the release's namespace
#   scripts/cluster/sso.sh install   up, then upgrade the release with auth.oidc
#                                    pointing at Dex (scripts/cluster/sso-values.yaml)
#
# The issuer is http://<node address>:$CL_DEX_PORT/dex, Dex's NodePort. An
# ID token names its issuer, and the auth service checks that it is exactly
# the URL it discovered the provider at, so the browser (sent to the login
# page) and the auth pods (discovery, code exchange, keys) must use one URL.
# The node's address is that URL for both: the host reaches a NodePort there,
# and so does a pod (kube-proxy translates it before it leaves the node).
# A Service name would resolve only inside the cluster, 127.0.0.1 only on
# the host; routing Dex through the viewer's ingress would put the provider
# on Patholabel's own origin, which no hospital does.
#
# Passwords and the client secret are random and kept in Secret sso/sso, so
# running it again changes nothing. PL_SSO_PASSWORD sets the people's
# password (default "Directory-pass-1").
set -euo pipefail
. "$(dirname "$0")/env.sh"
. "$PL_ROOT/scripts/sso-config.sh"
cl_bins
ns=sso
password=${PL_SSO_PASSWORD:-Directory-pass-1}
# The release's Secret holding the client secret (auth.oidc.existingSecret).
client_secret_name=patholabel-oidc

# kept KEY: the value Secret sso/sso holds, or a new random one.
kept() {
  local v
  v=$(kc -n "$ns" get secret sso -o json 2>/dev/null | jq -r --arg k "$1" '.data[$k] // empty' | base64 -d) || v=""
  [ -n "$v" ] || v=$(random_hex 16)
  echo "$v"
}

# secret NS NAME KEY=VALUE...: the Secret's manifest on stdout.
secret() {
  local n=$1 name=$2 kv args=()
  shift 2
  for kv in "$@"; do args+=(--from-literal="$kv"); done
  kc -n "$n" create secret generic "$name" "${args[@]}" --dry-run=client -o yaml
}

up() {
  local bindpw client config sha img
  for img in "dex_$(dex_version)" slapd_2.5; do
    [ -f "$CL_IMAGES/patholabel-eval_$img.tar" ] || die "no image patholabel-eval/${img/_/:} in $CL_IMAGES: make images builds it"
  done
  "$CL_DIR/load.sh" >/dev/null
  bindpw=$(kept dex-bind-password)
  client=$(kept client-secret)
  config=$(dex_config "$CL_ISSUER" 0.0.0.0:5556 "slapd.$ns.svc.cluster.local:3890" "$bindpw" "$client" \
    "$CL_URL/api/v1/auth/oidc/callback")
  sha=$(printf '%s\n%s\n' "$config" "$password" | sha256sum | cut -c1-16)
  say "slapd and Dex in namespace $ns; issuer $CL_ISSUER"
  {
    sed -e "s|__DEX_IMAGE__|localhost/patholabel-eval/dex:$(dex_version)|; s|__SLAPD_IMAGE__|localhost/patholabel-eval/slapd:2.5|" \
      -e "s|__DEX_PORT__|$CL_DEX_PORT|; s|__CONFIG_SHA__|$sha|" "$CL_DIR/manifests/sso.yaml"
    echo "---"
    secret "$ns" sso "dex-bind-password=$bindpw" "client-secret=$client" "people-password=$password" "config.yaml=$config"
    echo "---"
    kc create namespace "$CL_NS" --dry-run=client -o yaml
    echo "---"
    secret "$CL_NS" "$client_secret_name" "client-secret=$client"
  } | kc apply -f - >/dev/null
  kc -n "$ns" rollout status deploy/slapd --timeout=180s >/dev/null
  kc -n "$ns" rollout status deploy/dex --timeout=180s >/dev/null
  waitfor "Dex's discovery at $CL_ISSUER" 60 curl -fsS "$CL_ISSUER/.well-known/openid-configuration"
}

# values: the chart's SSO values for this cluster, where skaffold and a
# person find them too; prints the file's path.
values() {
  local v out=$PL_ROOT/.dev/cluster/sso-values.yaml
  v=$(<"$CL_DIR/sso-values.yaml")
  # Quoted replacements: bash 5.2 would read "&" in them as the match.
  v=${v//__ISSUER__/"$CL_ISSUER"}
  v=${v//__PUBLIC_URL__/"$CL_URL"}
  v=${v//__RULES__/"$SSO_RULES"}
  v=${v//__DEX_PORT__/"$CL_DEX_PORT"}
  mkdir -p "$(dirname "$out")"
  printf '%s\n' "$v" >"$out"
  echo "$out"
}

case "${1:-}" in
  up) up ;;
  install)
    up
    # On top of the release's values (a later step's --reuse-values keeps them).
    "$CL_DIR/install-chart.sh" --reuse-values -f "$(values)"
    ;;
  *) die "usage: scripts/cluster/sso.sh up|install" ;;
esac
