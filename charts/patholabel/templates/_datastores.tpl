{{/*
Where each datastore is and which Secret holds its credentials. With
inChart.enabled the evaluation StatefulSet answers; otherwise the external
server from values. Credentials come from existingSecret when set, else from
the chart-managed Secret <fullname>-<store>.
*/}}

{{- define "patholabel.mysql.addr" -}}
{{- if .Values.mysql.inChart.enabled }}
{{- printf "%s:3306" (include "patholabel.componentName" (dict "root" . "name" "mysql")) }}
{{- else }}
{{- printf "%s:%d" .Values.mysql.host (int .Values.mysql.port) }}
{{- end }}
{{- end }}

{{- define "patholabel.mysql.secretName" -}}
{{- default (include "patholabel.componentName" (dict "root" . "name" "mysql")) .Values.mysql.existingSecret }}
{{- end }}

{{/* A service's own database user (mysql.serviceUsers); MySQL allows 32 characters. */}}
{{- define "patholabel.mysql.serviceUser" -}}
{{- printf "%s_%s" .root.Values.mysql.user .name | trunc 32 }}
{{- end }}

{{- define "patholabel.mysql.serviceSecretName" -}}
{{- default (include "patholabel.componentName" (dict "root" . "name" "mysql-services")) .Values.mysql.serviceUsers.existingSecret }}
{{- end }}

{{- define "patholabel.mysql.passwordKey" -}}
{{- if .Values.mysql.existingSecret }}{{ .Values.mysql.existingSecretPasswordKey }}{{ else }}mysql-password{{ end }}
{{- end }}

{{- define "patholabel.redis.addr" -}}
{{- if .Values.redis.inChart.enabled }}
{{- printf "%s:6379" (include "patholabel.componentName" (dict "root" . "name" "redis")) }}
{{- else }}
{{- printf "%s:%d" .Values.redis.host (int .Values.redis.port) }}
{{- end }}
{{- end }}

{{- define "patholabel.redis.secretName" -}}
{{- default (include "patholabel.componentName" (dict "root" . "name" "redis")) .Values.redis.existingSecret }}
{{- end }}

{{- define "patholabel.redis.passwordKey" -}}
{{- if .Values.redis.existingSecret }}{{ .Values.redis.existingSecretPasswordKey }}{{ else }}redis-password{{ end }}
{{- end }}

{{- define "patholabel.s3.endpoint" -}}
{{- if .Values.s3.inChart.enabled }}
{{- printf "%s:9000" (include "patholabel.componentName" (dict "root" . "name" "minio")) }}
{{- else }}
{{- .Values.s3.endpoint }}
{{- end }}
{{- end }}

{{- define "patholabel.s3.tls" -}}
{{- if .Values.s3.inChart.enabled }}false{{ else }}{{ .Values.s3.tls }}{{ end }}
{{- end }}

{{- define "patholabel.s3.secretName" -}}
{{- default (include "patholabel.componentName" (dict "root" . "name" "s3")) .Values.s3.existingSecret }}
{{- end }}

{{- define "patholabel.s3.accessKeyKey" -}}
{{- if .Values.s3.existingSecret }}{{ .Values.s3.existingSecretAccessKeyKey }}{{ else }}access-key{{ end }}
{{- end }}

{{- define "patholabel.s3.secretKeyKey" -}}
{{- if .Values.s3.existingSecret }}{{ .Values.s3.existingSecretSecretKeyKey }}{{ else }}secret-key{{ end }}
{{- end }}

{{- define "patholabel.admin.secretName" -}}
{{- default (include "patholabel.componentName" (dict "root" . "name" "admin")) .Values.auth.adminPassword.existingSecret }}
{{- end }}

{{- define "patholabel.admin.secretKey" -}}
{{- if .Values.auth.adminPassword.existingSecret }}{{ .Values.auth.adminPassword.existingSecretKey }}{{ else }}password{{ end }}
{{- end }}

{{/*
A Secret value that survives upgrades: the value from values when given, the
one already in the cluster when the Secret exists, else a new random one.
Call with (dict "root" $ "secret" NAME "key" KEY "value" VALUE).
*/}}
{{- define "patholabel.stableSecretValue" -}}
{{- if .value }}
{{- .value | b64enc }}
{{- else }}
{{- $old := lookup "v1" "Secret" .root.Release.Namespace .secret }}
{{- if and $old (index ($old.data | default dict) .key) }}
{{- index $old.data .key }}
{{- else }}
{{- randAlphaNum 32 | b64enc }}
{{- end }}
{{- end }}
{{- end }}

{{- define "patholabel.cacheKey.secretName" -}}
{{- default (include "patholabel.componentName" (dict "root" . "name" "cache-key")) .Values.cacheKey.existingSecret }}
{{- end }}

{{- define "patholabel.cacheKey.key" -}}
{{- if .Values.cacheKey.existingSecret }}{{ .Values.cacheKey.existingSecretKey }}{{ else }}cache-key{{ end }}
{{- end }}

{{/*
TLS to an external MySQL or Redis: the settings, and the CA file mounted
from tls.caSecret. Call with (dict "root" $ "store" "redis"); the volume
templates take (dict "root" $ "stores" LIST) and skip what needs no CA.
*/}}
{{- define "patholabel.tls.on" -}}
{{- if has .store (list "mysql" "redis") }}{{/* s3.tls is a plain switch of its own */}}
{{- $v := index .root.Values .store }}
{{- if and $v.tls.enabled (not $v.inChart.enabled) }}true{{ end }}
{{- end }}
{{- end }}

{{- define "patholabel.tls.env" -}}
{{- if include "patholabel.tls.on" . }}
- name: PATHOLABEL_{{ upper .store }}_TLS
  value: "true"
{{- with (index .root.Values .store).tls.caSecret }}
- name: PATHOLABEL_{{ upper $.store }}_TLS_CA_FILE
  value: /etc/patholabel/tls/{{ $.store }}/ca.crt
{{- end }}
{{- end }}
{{- end }}

{{- define "patholabel.tls.volumeMounts" -}}
{{- range .stores }}
{{- if and (include "patholabel.tls.on" (dict "root" $.root "store" .)) (index $.root.Values .).tls.caSecret }}
- name: tls-{{ . }}
  mountPath: /etc/patholabel/tls/{{ . }}
  readOnly: true
{{- end }}
{{- end }}
{{- end }}

{{- define "patholabel.tls.volumes" -}}
{{- range .stores }}
{{- $t := (index $.root.Values .).tls }}
{{- if and (include "patholabel.tls.on" (dict "root" $.root "store" .)) $t.caSecret }}
- name: tls-{{ . }}
  secret:
    secretName: {{ $t.caSecret }}
    items:
      - {key: {{ $t.caSecretKey }}, path: ca.crt}
{{- end }}
{{- end }}
{{- end }}
