{{/*
NetworkPolicies: each pod of the release may receive only from whom it
serves and send only to what it uses. Pods of other releases and other
namespaces get nothing.
*/}}

{{/* Pods of this release with the given component label. */}}
{{- define "patholabel.netpol.peer" -}}
- podSelector:
    matchLabels:
      {{- include "patholabel.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* Destinations outside the cluster: the listed CIDRs, or anywhere. */}}
{{- define "patholabel.netpol.external" -}}
{{- with .Values.networkPolicy.externalCIDRs }}
to:
  {{- range . }}
  - ipBlock:
      cidr: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Egress to a datastore. Call with (dict "root" $ "store" "mysql"). */}}
{{- define "patholabel.netpol.egressTo" -}}
{{- $v := index .root.Values .store }}
{{- $inChart := dict "mysql" (list "mysql" 3306) "redis" (list "redis" 6379) "s3" (list "minio" 9000) }}
{{- $target := index $inChart .store }}
{{- if $v.inChart.enabled }}
- ports:
    - {port: {{ index $target 1 }}, protocol: TCP}
  to:
    {{- include "patholabel.netpol.peer" (dict "root" .root "name" (index $target 0)) | trim | nindent 4 }}
{{- else }}
{{- $port := 443 }}
{{- if eq .store "s3" }}
{{- $parts := splitList ":" $v.endpoint }}
{{- if gt (len $parts) 1 }}{{ $port = last $parts | int }}{{ end }}
{{- else }}
{{- $port = $v.port }}
{{- end }}
- ports:
    - {port: {{ $port }}, protocol: TCP}
  {{- with include "patholabel.netpol.external" .root | trim }}{{ . | nindent 2 }}{{ end }}
{{- end }}
{{- end }}

{{- define "patholabel.netpol.dns" -}}
- ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
{{- end }}

{{/*
The policy of an application component (or the migration Job). Call with
(dict "root" $ "name" "auth" "public" true); components use the datastores
of patholabel.needs, others pass "needs".
*/}}
{{- define "patholabel.networkPolicy" -}}
{{- if .root.Values.networkPolicy.enabled }}
{{- $np := .root.Values.networkPolicy }}
{{- $needs := .needs | default (include "patholabel.needs" .name | fromJsonArray) }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "patholabel.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if .public }}
    - ports:
        - {port: http, protocol: TCP}
      from:
        - namespaceSelector:
            {{- toYaml $np.ingressController.namespaceSelector | nindent 12 }}
          podSelector:
            {{- toYaml $np.ingressController.podSelector | nindent 12 }}
        - namespaceSelector:
            {{- toYaml $np.prometheus.namespaceSelector | nindent 12 }}
          podSelector:
            {{- toYaml $np.prometheus.podSelector | nindent 12 }}
        {{- include "patholabel.netpol.peer" (dict "root" .root "name" "test") | trim | nindent 8 }}
    {{- else }}
    []
    {{- end }}
  egress:
    {{- include "patholabel.netpol.dns" . | trim | nindent 4 }}
    {{- range $needs }}
    {{- include "patholabel.netpol.egressTo" (dict "root" $.root "store" .) | trim | nindent 4 }}
    {{- end }}
    {{- if and (eq .name "auth") .root.Values.auth.oidc.enabled }}
    - ports:
        {{- range .root.Values.auth.oidc.egressPorts }}
        - {port: {{ . }}, protocol: TCP}
        {{- end }}
      {{- with include "patholabel.netpol.external" .root | trim }}{{ . | nindent 6 }}{{ end }}
    {{- end }}
{{- end }}
{{- end }}

{{/*
The policy of an in-chart datastore: reachable only from the components
that use it, and from the ingress controller when "public" (MinIO serving
export links). Call with (dict "root" $ "name" "mysql" "store" "mysql" "port" 3306 "clients" (list …)).
*/}}
{{- define "patholabel.datastoreNetworkPolicy" -}}
{{- if .root.Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "patholabel.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "patholabel.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - ports:
        - {port: {{ .port }}, protocol: TCP}
      from:
        {{- range .clients }}
        {{- include "patholabel.netpol.peer" (dict "root" $.root "name" .) | trim | nindent 8 }}
        {{- end }}
        {{- if .public }}
        {{- $np := .root.Values.networkPolicy }}
        - namespaceSelector:
            {{- toYaml $np.ingressController.namespaceSelector | nindent 12 }}
          podSelector:
            {{- toYaml $np.ingressController.podSelector | nindent 12 }}
        {{- end }}
  # A datastore starts no connections.
  egress: []
{{- end }}
{{- end }}
