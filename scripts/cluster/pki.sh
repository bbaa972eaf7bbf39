#!/usr/bin/env bash
# Makes the cluster's CA and every certificate and kubeconfig under
# $CL_STATE/pki, once (again when the node IP changed). 30-day certificates:
# the cluster is thrown away long before.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cl_bins
P=$CL_STATE/pki
# Kept state is reused (CI on the same machine): renewed when the node IP
# changed or the CA has less than two days left.
if [ -f "$P/ca.crt" ] && [ "$(cat "$P/node-ip" 2>/dev/null)" = "$CL_NODE_IP" ] &&
  openssl x509 -checkend 172800 -noout -in "$P/ca.crt" >/dev/null &&
  grep -q "name: patholabel-throwaway" "$P/admin.kubeconfig" 2>/dev/null; then exit 0; fi
rm -rf "$P"
mkdir -p "$P"
cd "$P"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=patholabel-cluster-ca" 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
# cert NAME CN O [SANS]: a client certificate, or a server one with SANS.
cert() {
  local n=$1 cn=$2 o=$3 san=${4:-} subj
  subj="/CN=$cn"
  [ -n "$o" ] && subj="/O=$o/CN=$cn"
  openssl req -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"; else echo "extendedKeyUsage=clientAuth"; fi
  } >"$n.ext"
  openssl x509 -req -in "$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$n.crt" -days 30 -extfile "$n.ext" 2>/dev/null
  rm -f "$n.csr" "$n.ext"
}
cert apiserver kube-apiserver "" "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$CL_NODE_IP,IP:$CL_KUBE_SVC_IP"
cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
cert admin kubernetes-admin system:masters
cert controller-manager system:kube-controller-manager ""
cert scheduler system:kube-scheduler ""
cert kube-proxy system:kube-proxy ""
cert kube-router system:kube-router ""
cert kubelet "system:node:$CL_NODE" system:nodes
cert kubelet-server "$CL_NODE" "" "DNS:$CL_NODE,DNS:localhost,IP:127.0.0.1,IP:$CL_NODE_IP"
for n in admin controller-manager scheduler kube-proxy kube-router kubelet; do
  f=$P/$n.kubeconfig
  "$kubectl" config --kubeconfig="$f" set-cluster patholabel --certificate-authority="$P/ca.crt" --embed-certs=true \
    --server="https://$CL_NODE_IP:$CL_APISERVER_PORT" >/dev/null
  "$kubectl" config --kubeconfig="$f" set-credentials "$n" --client-certificate="$P/$n.crt" --client-key="$P/$n.key" --embed-certs=true >/dev/null
  "$kubectl" config --kubeconfig="$f" set-context patholabel-throwaway --cluster=patholabel --user="$n" >/dev/null
  "$kubectl" config --kubeconfig="$f" use-context patholabel-throwaway >/dev/null
done
chmod 600 ./*.key ./*.kubeconfig
echo "$CL_NODE_IP" >node-ip
