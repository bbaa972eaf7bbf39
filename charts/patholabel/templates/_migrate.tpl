{{/*
The migration container: the auth image's `migrate` subcommand with the
migrating database user. Run by the hook Job (templates/migrate/job.yaml)
and, with the in-chart database, as the auth pods' init container, because
that database exists only once the release is installed. Migrations hold a
MySQL lock, so these may start at once; `--wait` lets a database that is
still starting answer first.
*/}}
{{- define "patholabel.migrate.container" -}}
- name: migrate
  image: {{ include "patholabel.image" (dict "root" . "image" .Values.auth.image) }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["migrate", "--wait=5m"]
  env:
    {{- include "patholabel.env.common" . | nindent 4 }}
    {{- include "patholabel.env.mysql" . | nindent 4 }}
    {{- include "patholabel.env.mysqlServiceUsers" . | nindent 4 }}
  resources:
    {{- toYaml .Values.migrations.resources | nindent 4 }}
  securityContext:
    {{- include "patholabel.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: migrate-tmp
      mountPath: /tmp
    {{- with include "patholabel.tls.volumeMounts" (dict "root" . "stores" (list "mysql")) | trim }}{{ . | nindent 4 }}{{ end }}
{{- end }}

{{/* The volumes of the migration container, minus the TLS ones a pod already has. */}}
{{- define "patholabel.migrate.volumes" -}}
{{ include "patholabel.emptyDir" (dict "name" "migrate-tmp" "size" "64Mi") }}
{{- end }}
