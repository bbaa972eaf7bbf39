#!/usr/bin/env bash
# The cluster's storage: a default StorageClass "local" without a
# provisioner, and pre-made hostPath PersistentVolumes under $CL_STATE/pv
# that claims bind to when their pod is scheduled. Reclaim policy Retain,
# as a hospital's storage class would have: `helm uninstall` keeps the data.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cl_bins
count=${PL_CLUSTER_PVS:-12}
{
  cat <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
YAML
  for i in $(seq -w 1 "$count"); do
    d=$CL_STATE/pv/pv$i
    # hostPath volumes ignore fsGroup: the chart's user owns them from the start.
    [ -d "$d" ] || { mkdir -p "$d"; chown 65532:65532 "$d"; chmod 2770 "$d"; }
    cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv$i
  labels: {patholabel.org/cluster-pv: "true"}
spec:
  capacity: {storage: 50Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local
  hostPath: {path: $d, type: Directory}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$CL_NODE]}]
YAML
  done
} | kc apply -f - >/dev/null
say "storage: class local, $count volumes"
