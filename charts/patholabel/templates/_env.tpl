{{/*
Container environment. Each component gets only the settings of the
datastores it uses; credentials always come through secretKeyRef.
*/}}

{{/* Which datastores each component talks to. */}}
{{- define "patholabel.needs" -}}
{{- $needs := dict
  "auth" (list "mysql" "redis")
  "tiler" (list "mysql" "redis" "s3")
  "annotation" (list "mysql" "redis")
  "export" (list "mysql" "redis" "s3")
  "web" (list) }}
{{- index $needs . | toJson }}
{{- end }}

{{- define "patholabel.env.secret" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}

{{- define "patholabel.env.common" -}}
- name: PATHOLABEL_LISTEN
  value: ":8080"
- name: PATHOLABEL_LOG_LEVEL
  value: {{ .Values.log.level | quote }}
- name: PATHOLABEL_LOG_FORMAT
  value: {{ .Values.log.format | quote }}
- name: PATHOLABEL_SHUTDOWN_TIMEOUT
  value: {{ .Values.shutdownTimeout | quote }}
{{- end }}

{{- define "patholabel.env.mysql" -}}
- name: PATHOLABEL_MYSQL_ADDR
  value: {{ include "patholabel.mysql.addr" . | quote }}
- name: PATHOLABEL_MYSQL_DATABASE
  value: {{ .Values.mysql.database | quote }}
- name: PATHOLABEL_MYSQL_USER
  value: {{ .Values.mysql.user | quote }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_MYSQL_PASSWORD" "secret" (include "patholabel.mysql.secretName" .) "key" (include "patholabel.mysql.passwordKey" .)) }}
{{- end }}

{{- define "patholabel.env.redis" -}}
- name: PATHOLABEL_REDIS_ADDR
  value: {{ include "patholabel.redis.addr" . | quote }}
- name: PATHOLABEL_REDIS_DB
  value: {{ .Values.redis.db | quote }}
- name: PATHOLABEL_REDIS_PREFIX
  value: {{ .Values.redis.prefix | quote }}
{{- if include "patholabel.redis.hasPassword" . }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_REDIS_PASSWORD" "secret" (include "patholabel.redis.secretName" .) "key" (include "patholabel.redis.passwordKey" .)) }}
{{- end }}
{{- end }}

{{- define "patholabel.env.s3" -}}
- name: PATHOLABEL_S3_ENDPOINT
  value: {{ include "patholabel.s3.endpoint" . | quote }}
- name: PATHOLABEL_S3_TLS
  value: {{ include "patholabel.s3.tls" . | quote }}
- name: PATHOLABEL_S3_REGION
  value: {{ .Values.s3.region | quote }}
- name: PATHOLABEL_S3_BUCKET_SLIDES
  value: {{ .Values.s3.buckets.slides | quote }}
- name: PATHOLABEL_S3_BUCKET_EXPORTS
  value: {{ .Values.s3.buckets.exports | quote }}
{{- with .Values.s3.publicUrl }}
- name: PATHOLABEL_S3_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_S3_ACCESS_KEY" "secret" (include "patholabel.s3.secretName" .) "key" (include "patholabel.s3.accessKeyKey" .)) }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_S3_SECRET_KEY" "secret" (include "patholabel.s3.secretName" .) "key" (include "patholabel.s3.secretKeyKey" .)) }}
{{- end }}

{{- define "patholabel.env.auth" -}}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_ADMIN_PASSWORD" "secret" (include "patholabel.admin.secretName" .) "key" (include "patholabel.admin.secretKey" .)) }}
- name: PATHOLABEL_COOKIE_SECURE
  value: {{ .Values.auth.session.cookieSecure | quote }}
- name: PATHOLABEL_SESSION_TTL
  value: {{ .Values.auth.session.ttl | quote }}
{{- with .Values.auth.oidc }}
{{- if .enabled }}
- name: PATHOLABEL_OIDC_ISSUER
  value: {{ .issuer | quote }}
- name: PATHOLABEL_OIDC_CLIENT_ID
  value: {{ .clientId | quote }}
- name: PATHOLABEL_OIDC_REDIRECT_URL
  value: {{ .redirectUrl | quote }}
{{- if .existingSecret }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_OIDC_CLIENT_SECRET" "secret" .existingSecret "key" .existingSecretKey) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The full environment of a component. Call with (dict "root" $ "name" "auth"). */}}
{{- define "patholabel.env" -}}
{{ include "patholabel.env.common" .root }}
{{- range include "patholabel.needs" .name | fromJsonArray }}
{{ include (printf "patholabel.env.%s" .) $.root }}
{{- end }}
{{- if eq .name "auth" }}
{{ include "patholabel.env.auth" .root }}
{{- end }}
{{- with (index .root.Values .name).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
