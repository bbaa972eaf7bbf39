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
- name: PATHOLABEL_SHUTDOWN_DELAY
  value: {{ .Values.shutdownDelay | quote }}
{{- with .Values.trustedProxies }}
- name: PATHOLABEL_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}

{{/*
The Go runtime's soft memory limit, from the container's own limit: the
garbage collector works harder near it instead of the kernel OOM-killing
the pod. Skipped when extraEnv sets GOMEMLIMIT itself.
*/}}
{{- define "patholabel.env.gomemlimit" -}}
{{- $set := false }}
{{- range .extraEnv }}{{ if eq .name "GOMEMLIMIT" }}{{ $set = true }}{{ end }}{{ end }}
{{- if not $set }}
- name: GOMEMLIMIT
  valueFrom:
    resourceFieldRef:
      resource: limits.memory
{{- end }}
{{- end }}

{{- define "patholabel.env.mysql" -}}
- name: PATHOLABEL_MYSQL_ADDR
  value: {{ include "patholabel.mysql.addr" . | quote }}
- name: PATHOLABEL_MYSQL_DATABASE
  value: {{ .Values.mysql.database | quote }}
- name: PATHOLABEL_MYSQL_USER
  value: {{ .Values.mysql.user | quote }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_MYSQL_PASSWORD" "secret" (include "patholabel.mysql.secretName" .) "key" (include "patholabel.mysql.passwordKey" .)) }}
{{- include "patholabel.tls.env" (dict "root" . "store" "mysql") }}
{{- end }}

{{/*
A service's database login: its own user when mysql.serviceUsers is on
(created by the migration Job), else the shared mysql.user.
Call with (dict "root" $ "name" "tiler").
*/}}
{{- define "patholabel.env.mysqlFor" -}}
{{- $u := .root.Values.mysql.serviceUsers }}
{{- if $u.enabled }}
- name: PATHOLABEL_MYSQL_ADDR
  value: {{ include "patholabel.mysql.addr" .root | quote }}
- name: PATHOLABEL_MYSQL_DATABASE
  value: {{ .root.Values.mysql.database | quote }}
- name: PATHOLABEL_MYSQL_USER
  value: {{ include "patholabel.mysql.serviceUser" . | quote }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_MYSQL_PASSWORD" "secret" (include "patholabel.mysql.serviceSecretName" .root) "key" (printf "%s-password" .name)) }}
{{- else }}
{{ include "patholabel.env.mysql" .root }}
{{- end }}
{{- end }}

{{/* The migration Job's list of service users and their passwords. */}}
{{- define "patholabel.env.mysqlServiceUsers" -}}
{{- if and .Values.mysql.serviceUsers.enabled .Values.mysql.serviceUsers.create }}
{{- $pairs := list }}
{{- range $svc := list "auth" "tiler" "annotation" "export" }}
{{- $pairs = append $pairs (printf "%s=%s" $svc (include "patholabel.mysql.serviceUser" (dict "root" $ "name" $svc))) }}
{{- end }}
- name: PATHOLABEL_MYSQL_SERVICE_USERS
  value: {{ join "," $pairs | quote }}
{{- range $svc := list "auth" "tiler" "annotation" "export" }}
{{ include "patholabel.env.secret" (dict "env" (printf "PATHOLABEL_MYSQL_SERVICE_PASSWORD_%s" (upper $svc)) "secret" (include "patholabel.mysql.serviceSecretName" $) "key" (printf "%s-password" $svc)) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "patholabel.env.redis" -}}
- name: PATHOLABEL_REDIS_ADDR
  value: {{ include "patholabel.redis.addr" . | quote }}
- name: PATHOLABEL_REDIS_DB
  value: {{ .Values.redis.db | quote }}
- name: PATHOLABEL_REDIS_PREFIX
  value: {{ .Values.redis.prefix | quote }}
{{- if and .Values.redis.username (not .Values.redis.inChart.enabled) }}
- name: PATHOLABEL_REDIS_USERNAME
  value: {{ .Values.redis.username | quote }}
{{- end }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_REDIS_PASSWORD" "secret" (include "patholabel.redis.secretName" .) "key" (include "patholabel.redis.passwordKey" .)) }}
{{- include "patholabel.tls.env" (dict "root" . "store" "redis") }}
{{ include "patholabel.env.secret" (dict "env" "PATHOLABEL_CACHE_KEY" "secret" (include "patholabel.cacheKey.secretName" .) "key" (include "patholabel.cacheKey.key" .)) }}
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
- name: PATHOLABEL_SESSION_IDLE_TIMEOUT
  value: {{ .Values.auth.session.idleTimeout | quote }}
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
- name: PATHOLABEL_OIDC_SCOPES
  value: {{ join "," .scopes | quote }}
- name: PATHOLABEL_OIDC_GROUPS_CLAIM
  value: {{ .groupsClaim | quote }}
{{- with .postLogoutRedirectUrl }}
- name: PATHOLABEL_OIDC_POST_LOGOUT_URL
  value: {{ . | quote }}
{{- end }}
{{- with .groupRules }}
- name: PATHOLABEL_OIDC_GROUP_RULES
  value: {{ toJson . | quote }}
{{- end }}
{{- end }}
{{- end }}
- name: PATHOLABEL_LOCAL_LOGIN
  value: {{ .Values.auth.localPasswords.mode | quote }}
- name: PATHOLABEL_BREAK_GLASS_ACCOUNTS
  value: {{ join "," .Values.auth.localPasswords.breakGlassAccounts | quote }}
{{- end }}

{{/* The full environment of a component. Call with (dict "root" $ "name" "auth"). */}}
{{- define "patholabel.env" -}}
{{ include "patholabel.env.common" .root }}
{{- include "patholabel.env.gomemlimit" (index .root.Values .name) }}
{{- range include "patholabel.needs" .name | fromJsonArray }}
{{- if eq . "mysql" }}
{{ include "patholabel.env.mysqlFor" (dict "root" $.root "name" $.name) }}
{{- else }}
{{ include (printf "patholabel.env.%s" .) $.root }}
{{- end }}
{{- end }}
{{- if eq .name "auth" }}
{{ include "patholabel.env.auth" .root }}
{{- end }}
{{- if eq .name "tiler" }}
{{- /* Ingest runs in the tiler-worker Deployment; serving pods run none. */}}
- name: PATHOLABEL_TILER_WORKERS
  value: {{ .tilerWorkers | default 0 | quote }}
- name: PATHOLABEL_TILER_SOURCE_COPY_BYTES
  value: {{ .root.Values.tiler.sourceCopyBytes | int64 | toString | quote }}
{{- end }}
{{- if eq .name "export" }}
- name: PATHOLABEL_EXPORT_RETENTION
  value: {{ .root.Values.export.retention | quote }}
- name: PATHOLABEL_EXPORT_RETENTION_INTERVAL
  value: {{ .root.Values.export.retentionInterval | quote }}
{{- end }}
{{- with (index .root.Values .name).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
