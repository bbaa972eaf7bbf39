{{/*
The evaluation datastores (MySQL, Redis, MinIO): one replica each with a
persistent volume, the same security defaults as the services. Call with
(dict "root" $ "name" "mysql" "store" "mysql" "port" 3306 "dataPath" "/var/lib/mysql"
      "scratch" (list "/tmp") "container" YAML), where YAML holds the
container's args, env and probes.
*/}}
{{- define "patholabel.datastore" -}}
{{- $v := (index .root.Values .store).inChart }}
apiVersion: v1
kind: Service
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  # Headless: the StatefulSet's stable network identity.
  clusterIP: None
  selector:
    {{- include "patholabel.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
  annotations:
    # One replica by design (evaluation only): a PDB or anti-affinity would
    # only block node drains.
    kube-score/ignore: statefulset-has-poddisruptionbudget,statefulset-has-host-podantiaffinity
spec:
  serviceName: {{ include "patholabel.componentName" . }}
  replicas: 1
  selector:
    matchLabels:
      {{- include "patholabel.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "patholabel.labels" . | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- include "patholabel.podSecurityContext" .root | nindent 8 }}
      {{- with include "patholabel.imagePullSecrets" .root }}{{ . | nindent 6 }}{{ end }}
      containers:
        - name: {{ .name }}
          image: {{ include "patholabel.image" (dict "root" .root "image" $v.image) }}
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          ports:
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: TCP
          {{- .container | trim | nindent 10 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "patholabel.containerSecurityContext" .root | nindent 12 }}
          volumeMounts:
            - name: data
              mountPath: {{ .dataPath }}
            {{- range $i, $path := .scratch }}
            - name: scratch-{{ $i }}
              mountPath: {{ $path }}
            {{- end }}
      volumes:
        {{- range $i, $path := .scratch }}
        {{- include "patholabel.emptyDir" (dict "name" (printf "scratch-%d" $i) "size" "256Mi") | nindent 8 }}
        {{- end }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- include "patholabel.selectorLabels" . | nindent 10 }}
      spec:
        accessModes: [ReadWriteOnce]
        {{- with $v.persistence.storageClass }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ $v.persistence.size }}
{{- end }}
