{{/*
Pod and container settings every workload shares: the security defaults of
the chart (not switchable: a pod of this chart never runs as root, never
writes its root filesystem, holds no capability and no API token), the
writable /tmp, image pull secrets.
*/}}

{{- define "patholabel.podSecurityContext" -}}
runAsNonRoot: true
{{- with .Values.securityContext }}
{{- if .runAsUser }}
runAsUser: {{ .runAsUser }}
{{- end }}
{{- if .runAsGroup }}
runAsGroup: {{ .runAsGroup }}
{{- end }}
{{- if .fsGroup }}
fsGroup: {{ .fsGroup }}
{{- end }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "patholabel.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "patholabel.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* An emptyDir for scratch space. Call with (dict "name" "tmp" "size" "1Gi"). */}}
{{- define "patholabel.emptyDir" -}}
- name: {{ .name }}
  emptyDir:
    sizeLimit: {{ .size }}
{{- end }}

{{/* Scheduling settings of a component's values. */}}
{{- define "patholabel.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The pod's grace period: the drain delay (serving while the endpoint removal
reaches every node), the service's own drain time, and headroom.
*/}}
{{- define "patholabel.terminationGracePeriod" -}}
{{- $d := .Values.shutdownTimeout }}
{{- $secs := 30 }}
{{- if hasSuffix "m" $d }}{{ $secs = mul (trimSuffix "m" $d | int) 60 }}
{{- else if hasSuffix "s" $d }}{{ $secs = trimSuffix "s" $d | int }}{{ end }}
{{- add $secs (trimSuffix "s" .Values.shutdownDelay | int) 15 }}
{{- end }}
