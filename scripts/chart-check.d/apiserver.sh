# shellcheck shell=bash disable=SC2154 # variables and helpers come from scripts/chart-check.sh
# A throwaway control plane for `kubectl apply --dry-run=server`: Debian's etcd
# and the pinned kube-apiserver on random loopback ports, state and keys in
# the scratch folder, both stopped by PID. Sourced by scripts/chart-check.sh.

# ensure_packages: etcd (Debian's etcd-server), openssl and curl.
ensure_packages() {
  local missing=()
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die "missing ${missing[*]}: apt-get install ${missing[*]}"
  fi
  log "installing ${missing[*]} (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]}"
  # The etcd package enables a system service; this check needs none.
  if command -v systemctl >/dev/null; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
}

# free_port: a loopback port nothing listens on (bash's /dev/tcp connect fails).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port found"
}

# wait_for WHAT CMD...: retry for up to 60 s.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 120); do
    "$@" >/dev/null 2>&1 && return
    sleep 0.5
  done
  die "$what did not come up; see $work/*.log"
}

start_apiserver() {
  ensure_packages
  local d="$work/cp" etcd_port peer_port api_port token
  mkdir -p "$d/etcd" "$d/certs"
  etcd_port=$(free_port)
  peer_port=$(free_port)
  api_port=$(free_port)
  etcd --name check --data-dir "$d/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "check=http://127.0.0.1:$peer_port" >"$work/etcd.log" 2>&1 &
  pids+=($!)
  etcd_pid=$!
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null || die "generate service-account key"
  token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  echo "$token,check-admin,check-admin,system:masters" >"$d/tokens.csv"
  wait_for etcd curl -fsS "http://127.0.0.1:$etcd_port/health"
  # The serving certificate is self-generated into --cert-dir; the token
  # file is the only way in.
  "$apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$d/certs" \
    --token-auth-file "$d/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$d/sa.key" --service-account-signing-key-file "$d/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --enable-priority-and-fairness=false --profiling=false \
    >"$work/kube-apiserver.log" 2>&1 &
  pids+=($!)
  apiserver_pid=$!
  wait_for "kube-apiserver cert" test -s "$d/certs/apiserver.crt"
  "$kubectl" config set-cluster check --server "https://127.0.0.1:$api_port" \
    --certificate-authority "$d/certs/apiserver.crt" --embed-certs >/dev/null
  "$kubectl" config set-credentials check --token "$token" >/dev/null
  "$kubectl" config set-context check --cluster check --user check >/dev/null
  "$kubectl" config use-context check >/dev/null
  wait_for kube-apiserver "$kubectl" get --raw /readyz
  log "kube-apiserver $("$kubectl" version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -n1) ready on 127.0.0.1:$api_port (etcd $etcd_port)"
  # No controller-manager runs: make what it would (the namespace's default
  # ServiceAccount, needed by Pod admission), and the CRD the chart uses.
  "$kubectl" create namespace "$namespace" >/dev/null
  "$kubectl" -n "$namespace" create serviceaccount default >/dev/null
  apply_crds
}

apply_crds() {
  "$kubectl" apply -f "$work/crds/monitoring.coreos.com_servicemonitors.yaml" >/dev/null || die "apply ServiceMonitor CRD"
  "$kubectl" wait --for condition=established --timeout 60s crd/servicemonitors.monitoring.coreos.com >/dev/null \
    || die "ServiceMonitor CRD not established"
}

# dry_run FILE: the API server decodes strictly (unknown fields are errors),
# defaults and validates every object as if creating it.
dry_run() {
  local f=$1
  "$kubectl" apply --dry-run=server --validate=strict -n "$namespace" -f "$f" >"$work/dry-run.log" 2>&1 \
    || { cat "$work/dry-run.log" >&2; die "kubectl apply --dry-run=server $(basename "$f")"; }
  log "server dry-run: $(basename "$f"): $(wc -l <"$work/dry-run.log") objects accepted"
}

# stop_apiserver: SIGTERM, and SIGKILL after 5 s: a graceful kube-apiserver
# shutdown drains for much longer, and nothing here needs draining.
stop_apiserver() {
  local pid
  kill "$apiserver_pid" "$etcd_pid" 2>/dev/null || true
  for _ in $(seq 10); do
    kill -0 "$apiserver_pid" 2>/dev/null || kill -0 "$etcd_pid" 2>/dev/null || break
    sleep 0.5
  done
  for pid in "$apiserver_pid" "$etcd_pid"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
