{{/*
The objects every Patholabel component has. Each templates/<component>/
file calls one of these with (dict "root" $ "name" "<component>"), so the
five components cannot drift apart.
*/}}

{{/* Spread replicas over nodes unless the operator chose an affinity. */}}
{{- define "patholabel.defaultAffinity" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "patholabel.selectorLabels" . | nindent 12 }}
{{- end }}

{{- define "patholabel.deployment" -}}
{{- $v := index .root.Values .name }}
{{- $affinity := $v.affinity | default (include "patholabel.defaultAffinity" . | fromYaml) }}
{{- $scheduling := merge (dict "affinity" $affinity) $v }}
{{- $autoscaled := and $v.autoscaling $v.autoscaling.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  {{- if not $autoscaled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "patholabel.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "patholabel.labels" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "patholabel.componentName" . }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ include "patholabel.terminationGracePeriod" .root }}
      securityContext:
        {{- include "patholabel.podSecurityContext" .root | nindent 8 }}
      {{- with include "patholabel.imagePullSecrets" .root }}{{ . | nindent 6 }}{{ end }}
      {{- with include "patholabel.scheduling" $scheduling }}{{ . | nindent 6 }}{{ end }}
      {{- $migrates := and (eq .name "auth") .root.Values.mysql.inChart.enabled }}
      {{- if $migrates }}
      initContainers:
        {{- include "patholabel.migrate.container" .root | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "patholabel.image" (dict "root" .root "image" $v.image) }}
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            {{- include "patholabel.env" . | nindent 12 }}
          startupProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet: {path: /readyz, port: http}
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "patholabel.containerSecurityContext" .root | nindent 12 }}
          {{- $stores := include "patholabel.needs" .name | fromJsonArray }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with include "patholabel.tls.volumeMounts" (dict "root" .root "stores" $stores) | trim }}{{ . | nindent 12 }}{{ end }}
      volumes:
        {{- include "patholabel.emptyDir" (dict "name" "tmp" "size" $v.tmpSize) | nindent 8 }}
        {{- if $migrates }}
        {{- include "patholabel.migrate.volumes" .root | nindent 8 }}
        {{- end }}
        {{- with include "patholabel.tls.volumes" (dict "root" .root "stores" (ternary (concat $stores (list "mysql") | uniq) $stores $migrates)) | trim }}{{ . | nindent 8 }}{{ end }}
{{- end }}

{{- define "patholabel.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  type: ClusterIP
  selector:
    {{- include "patholabel.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .root.Values.service.port }}
      targetPort: http
      protocol: TCP
{{- end }}

{{- define "patholabel.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
automountServiceAccountToken: false
{{- end }}

{{/* Rendered only when more than one replica can run: a PDB on one replica blocks node drains. */}}
{{- define "patholabel.pdb" -}}
{{- $v := index .root.Values .name }}
{{- $min := $v.replicaCount }}
{{- if and $v.autoscaling $v.autoscaling.enabled }}{{ $min = $v.autoscaling.minReplicas }}{{ end }}
{{- if gt (int $min) 1 }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "patholabel.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "patholabel.hpa" -}}
{{- $a := (index .root.Values .name).autoscaling }}
{{- if $a.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "patholabel.componentName" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- if $a.queueDepth.enabled }}
    - type: External
      external:
        metric:
          name: patholabel_queue_depth
          selector:
            matchLabels:
              queue: {{ $a.queueDepth.queue | quote }}
        target:
          type: AverageValue
          averageValue: {{ $a.queueDepth.targetAverageValue | quote }}
    {{- end }}
  behavior:
    scaleDown:
      # Conversions and exports run for minutes; don't flap.
      stabilizationWindowSeconds: 300
{{- end }}
{{- end }}

{{- define "patholabel.serviceMonitor" -}}
{{- with .root.Values.metrics.serviceMonitor }}
{{- if .enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "patholabel.componentName" $ }}
  namespace: {{ $.root.Release.Namespace }}
  labels:
    {{- include "patholabel.labels" $ | nindent 4 }}
    {{- with .labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "patholabel.selectorLabels" $ | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .interval }}
      scrapeTimeout: {{ .scrapeTimeout }}
{{- end }}
{{- end }}
{{- end }}
